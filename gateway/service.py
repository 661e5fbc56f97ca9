"""The gateway's long-lived part: the configured partner accounts' providers, the store and the operation
runner. Reference data (regions, price quotes) is cached below, in each account's transport stack
(``gateway.upstream.flight``): per account, shared by the replicas, and dropped by the account's writes.

``Gateway`` lives as long as the app; a ``gateway.session.Session`` serves one request for one
principal (``Gateway.session``) and is the only door the GraphQL layer goes through. The HTTP app and
the session call this; it knows nothing of GraphQL.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gateway.auth import Principal
from gateway.config_tables import ProgramConfig
from gateway.errors import GatewayError, NotFound, ProviderUnavailable, UnsupportedByProvider
from gateway.models import (
    CatalogueEntry,
    CatalogueKind,
    PartnerAccount,
    PriceQuote,
    PriceRequest,
    Region,
    RegionLevel,
)
from gateway.operations import Operations
from gateway.provider import Capability, Provider
from gateway.session import Session
from gateway.store import OperationRecord, Store
from gateway.writes import CreateCustomer, Intent, Receipt

__all__ = ["AccountHealth", "Gateway", "Session"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AccountHealth:
    account_id: str
    provider: str
    error: GatewayError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class Gateway:
    """The configured partner accounts' providers, in configuration order."""

    def __init__(
        self,
        providers: Iterable[Provider],
        *,
        store: Store,
        titles: Mapping[str, str] | None = None,
        ping_seconds: float = 5.0,
        settle: timedelta = timedelta(seconds=120),
        attempt: timedelta = timedelta(seconds=60),
        program: ProgramConfig | None = None,
    ) -> None:
        self._providers: dict[str, Provider] = {p.account.id: p for p in providers}
        self.store = store
        self.operations = Operations(store, self.provider, settle=settle, attempt=attempt, on_applied=self._applied)
        self._titles = dict(titles or {})
        self._ping_seconds = ping_seconds
        self.program = program or ProgramConfig()
        """``[program]``: the policy figures of program standing (``gateway.program``)."""

    async def _applied(self, record: OperationRecord, intent: Intent, receipt: Receipt) -> None:
        """What a principal creates carries the owner it was given from the first moment: a customer created
        or invited with an owner gets it as the gateway's assignment, on the row it lists under, whenever
        the write is first known applied (its reply, a retry, the sweep or a restart)."""
        if not isinstance(intent, CreateCustomer) or not intent.owner:
            return
        listed = receipt.listed_id
        if not listed:
            log.warning("operation %s: the new customer's id is unknown; no owner recorded", record.id)
            return
        started = time.monotonic()
        await self.store.assign(record.account_id, listed, intent.owner, record.principal, datetime.now(UTC))
        data = {"accountId": record.account_id, "customerId": listed, "owner": intent.owner}
        await self.operations.audit(
            None,
            "assignCustomer",
            record.account_id,
            data,
            "SUCCEEDED",
            started,
            operation_id=record.id,
            actor=record.principal,
        )

    async def regions(self, provider: str, level: RegionLevel, parent_code: str | None) -> tuple[Region, ...]:
        """Reference regions of one provider, read through its first account (whose stack caches them)."""
        account_id = self._first_account(provider, Capability.LIST_REGIONS, "regions")
        return await self.provider(account_id).list_regions(level, parent_code)

    async def quote_price(self, account_id: str, request: PriceRequest) -> PriceQuote:
        """A price inquiry (its answer is cached for a few minutes by the account's stack)."""
        provider = self.provider(account_id)
        if Capability.QUOTE_PRICE not in provider.capabilities:
            raise UnsupportedByProvider(provider.account.provider, "price inquiries")
        return await provider.quote_price(request)

    async def catalogue(
        self, provider: str, kind: CatalogueKind, parent_code: str | None
    ) -> tuple[CatalogueEntry, ...]:
        """A code table of one provider, read through its first account (whose stack caches it)."""
        account_id = self._first_account(provider, Capability.CATALOGUE, "the product catalogue")
        return await self.provider(account_id).catalogue(kind, parent_code)

    def _first_account(self, provider: str, capability: Capability, what: str) -> str:
        for account_id, p in self._providers.items():
            if p.account.provider == provider:
                if capability not in p.capabilities:
                    raise UnsupportedByProvider(provider, what)
                return account_id
        raise NotFound(f"no partner account of provider {provider!r} is configured")

    def title(self, provider: str) -> str:
        """The provider's display name (e.g. "Huawei Cloud"), or its plug-in name."""
        return self._titles.get(provider, provider)

    @property
    def accounts(self) -> list[PartnerAccount]:
        return [p.account for p in self._providers.values()]

    def provider(self, account_id: str) -> Provider:
        try:
            return self._providers[account_id]
        except KeyError:
            raise NotFound(f"no partner account {account_id!r} is configured") from None

    def account_ids(self, provider: str | None = None, partner_ids: Sequence[str] | None = None) -> list[str]:
        """Configured accounts, in order, narrowed to one provider and/or some accounts."""
        return [
            account_id
            for account_id, p in self._providers.items()
            if (provider is None or p.account.provider == provider)
            and (partner_ids is None or account_id in partner_ids)
        ]

    def session(self, principal: Principal) -> Session:
        return Session(self, principal)

    async def health(self) -> list[AccountHealth]:
        """Ping every partner account's upstream concurrently, each within ``ping_seconds``."""
        return list(await asyncio.gather(*(self._ping(p) for p in self._providers.values())))

    async def _ping(self, provider: Provider) -> AccountHealth:
        account = provider.account
        error: GatewayError | None = None
        try:
            async with asyncio.timeout(self._ping_seconds):
                await provider.ping()
        except GatewayError as exc:
            error = exc
        except TimeoutError:
            error = ProviderUnavailable(
                f"no answer within {self._ping_seconds:g} s", provider=account.provider, partner_id=account.id
            )
        except Exception:
            log.exception("ping of partner account %s failed unexpectedly", account.id)
            error = GatewayError("unexpected failure (see the gateway log)")
        return AccountHealth(account.id, account.provider, error)
