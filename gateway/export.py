"""Exports for finance: ``GET /export/customers.csv`` and ``GET /export/consumption.csv?from=YYYY-MM&to=YYYY-MM``.

Signed in exactly as ``/graphql`` is (an API key, ``Authorization: Bearer`` or ``X-API-Key``, or a bearer
token; 401 ``UNAUTHENTICATED`` otherwise), counted against the principal's ``requests_per_minute``, and
narrowed as the graph is (the same session): a sales key exports its own customers and their consumption,
a finance key sees contact details masked.

The answer is streamed (``text/csv``, UTF-8 with a byte-order mark so spreadsheets read the Chinese names):
customers page by page as the upstreams are read; consumption once its months are read (a bad range is 400
before anything is read). A partner account that cannot be read before the first row is a 502; one that
fails later cuts the stream off, so an export is never silently short. Text cells that a spreadsheet would
run as a formula (starting ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) are prefixed with ``'``
(OWASP's CSV injection advice); amounts are plain decimals with their currency in a column of their own.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from gateway import deadline
from gateway.auth import Authenticator, Principal
from gateway.config_tables import LimitsConfig
from gateway.consumption import MonthRange
from gateway.errors import CostTooHigh, InvalidInput, ProviderError, RateLimited, Unauthenticated
from gateway.filters import CustomerFilter
from gateway.models import Customer
from gateway.pagination import Window
from gateway.ratelimit import RateLimiter
from gateway.responses import bearer_token, error_response
from gateway.schema.cost import COSTS
from gateway.service import Gateway
from gateway.session import Session

__all__ = ["CONSUMPTION_COLUMNS", "CUSTOMER_COLUMNS", "Export", "safe_cell"]

CUSTOMER_COLUMNS = (
    "partner_id", "provider", "customer_id", "name", "account_type", "kind", "status", "owner", "email", "phone",
    "associated_at",
)  # fmt: skip
CONSUMPTION_COLUMNS = (
    "partner_id", "provider", "customer_id", "month", "product_code", "product_name", "charge_mode", "source",
    "currency", "amount",
)  # fmt: skip
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_PAGE = 100


def safe_cell(value: object) -> str:
    """A text cell a spreadsheet shows as text: a leading formula character gets a ``'`` before it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _row(cells: Iterable[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(list(cells))
    return out.getvalue()


class Export:
    """The two export endpoints (Starlette endpoints ``customers`` and ``consumption``)."""

    def __init__(
        self, authenticator: Authenticator, limiter: RateLimiter | None = None, limits: LimitsConfig | None = None
    ) -> None:
        self._authenticator = authenticator
        self._limiter = limiter
        self._limits = limits or LimitsConfig()

    async def _principal(self, request: Request) -> Principal:
        principal = await self._authenticator.authenticate(bearer_token(request), request.headers.get("x-api-key"))
        wait = await self._limiter.acquire(principal.name) if self._limiter is not None else None
        if wait is not None:
            raise RateLimited(wait)
        return principal

    async def _session(self, request: Request) -> Session | Response:
        try:
            principal = await self._principal(request)
        except Unauthenticated as exc:
            return error_response(401, exc, {"www-authenticate": 'Bearer realm="partner-gateway"'})
        except RateLimited as exc:
            return error_response(429, exc, {"retry-after": str(exc.retry_after)})
        gateway: Gateway = request.state.gateway
        return gateway.session(principal)

    async def customers(self, request: Request) -> Response:
        """Every customer the principal may see, in the graph's order."""
        session = await self._session(request)
        if isinstance(session, Response):
            return session
        listing = session.customers(CustomerFilter())
        try:
            first = await listing.window(_PAGE, None)
            _raise_failures(first)
        except ProviderError as exc:
            return error_response(502, exc)

        async def rows() -> AsyncIterator[str]:
            yield "\ufeff" + _row(CUSTOMER_COLUMNS)
            window = first
            while True:
                for position, customer in window.items:
                    yield _row(_customer_cells(session, position.account_id, customer))
                if not window.has_next_page or not window.items:
                    return
                window = await listing.window(_PAGE, window.items[-1][0].cursor(listing.key))
                _raise_failures(window)  # cut off: a short export must not look whole

        return _csv(rows(), "customers.csv")

    async def consumption(self, request: Request) -> Response:
        """Each customer's consumption per month, product and charge mode over ``from`` to ``to``."""
        session = await self._session(request)
        if isinstance(session, Response):
            return session
        try:
            span = MonthRange.of(request.query_params.get("from"), request.query_params.get("to"))
            # Bounded as /graphql's `consumption` is: the same cost estimate (the range and the month before it, per
            # account) against [limits] max_cost, and the request's deadline for every upstream read.
            gateway: Gateway = request.state.gateway
            per_month = COSTS["Query.consumption"].calls
            estimated = per_month * (len(span.months) + 1) * len(gateway.account_ids())
            if estimated > self._limits.max_cost:
                return error_response(400, CostTooHigh(estimated, self._limits.max_cost))
            with deadline.started(self._limits.request_timeout_seconds):
                found = await session.consumption(span)
            if found.failures:
                raise found.failures[0].error
        except InvalidInput as exc:
            return error_response(400, exc)
        except ProviderError as exc:
            return error_response(502, exc)
        months = set(span.months)
        lines = [(a, line) for a, line in found.lines if line.month in months]

        async def rows() -> AsyncIterator[str]:
            yield "\ufeff" + _row(CONSUMPTION_COLUMNS)
            for account_id, line in lines:
                provider = session.account(account_id).provider
                yield _row(
                    [
                        *(safe_cell(v) for v in (account_id, provider, line.customer_id, line.month)),
                        *(safe_cell(v) for v in (line.product_code, line.product_name)),
                        line.charge_mode.value,
                        line.source.value,
                        line.amount.currency,
                        str(line.amount.amount),
                    ]
                )

        return _csv(rows(), "consumption.csv")


def _raise_failures(window: Window[Customer]) -> None:
    if window.failures:
        raise window.failures[0].error


def _customer_cells(session: Session, account_id: str, customer: Customer) -> list[str]:
    values: list[object] = [
        account_id,
        customer.provider,
        customer.native_id,
        customer.name,
        customer.account_type.value,
        customer.kind.value,
        customer.status.value,
        customer.owner,
        session.shown_email(customer.email),
        session.shown_phone(customer.phone),
        customer.associated_at.isoformat() if isinstance(customer.associated_at, datetime) else None,
    ]
    return [safe_cell(value) for value in values]


def _csv(rows: AsyncIterator[str], name: str) -> StreamingResponse:
    return StreamingResponse(
        rows,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"},
    )
