"""``AliyunProvider``: one Aliyun partner account behind the ``gateway.provider.Provider`` seam."""

from __future__ import annotations

from typing import Any

import httpx

from adapters.aliyun import _errors
from adapters.aliyun._client import AgencyClient
from adapters.aliyun._mapping import CUSTOMER_USER_TYPES, customer_from_account_info
from adapters.aliyun._signing import Acs3Signer
from gateway.errors import ConfigError, InvalidInput, ProviderProtocolError
from gateway.models import Customer, Page, PartnerAccount
from gateway.provider import Capability, Credentials

__all__ = ["MAX_PAGE_SIZE", "AliyunProvider"]

#: GetAccountInfo ``PageSize`` is at most 20 (A.4.3).
MAX_PAGE_SIZE = 20


class AliyunProvider:
    """One partner account at the Alibaba Cloud Agency API.

    Customers are GetAccountInfo's ``UserType`` 1 (end users) followed by ``UserType`` 2
    (enterprises), each in the upstream's own order; T2 partners (``UserType`` 3) are not customers.
    """

    def __init__(self, account: PartnerAccount, credentials: Credentials, http: httpx.AsyncClient) -> None:
        self._account = account
        self._page_size = _page_size(account)
        missing = [name for name in ("access_key_id", "access_key_secret") if name not in credentials]
        if missing:
            raise ConfigError(f"accounts.{account.id}.credentials", f"missing {', '.join(missing)}")
        signer = Acs3Signer(credentials["access_key_id"].reveal(), credentials["access_key_secret"])
        self._client = AgencyClient(http, signer, partner_id=account.id)

    @property
    def account(self) -> PartnerAccount:
        return self._account

    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset({Capability.LIST_CUSTOMERS})

    async def ping(self) -> None:
        await self._client.get_account_info(current_page=1, page_size=1, user_type=1)

    async def list_customers(self, offset: int, limit: int) -> Page[Customer]:
        if offset < 0:
            raise InvalidInput("offset must not be negative", field="offset")
        if limit < 0:
            raise InvalidInput("limit must not be negative", field="limit")
        end = offset + limit
        items: list[Customer] = []
        base = 0  # where the current UserType starts in the concatenated list
        for user_type in CUSTOMER_USER_TYPES:
            total, rows = await self._read_range(user_type, max(offset - base, 0), max(end - base, 0))
            items.extend(
                customer_from_account_info(
                    row, user_type=user_type, provider=_errors.PROVIDER, partner_id=self._account.id
                )
                for row in rows
            )
            base += total
        return Page(items=tuple(items), total=base)

    async def _read_range(self, user_type: int, lo: int, hi: int) -> tuple[int, list[dict[str, Any]]]:
        """Rows ``lo`` to ``hi`` of one UserType's list, and that list's total, fetching only the
        GetAccountInfo pages that hold them (one cheap page when the range is empty)."""
        if hi <= lo:
            total, _ = await self._page(user_type, 1, 1)
            return total, []
        size = self._page_size
        first = lo // size + 1
        total, rows = await self._page(user_type, first, size)
        last = (min(hi, total) - 1) // size + 1
        pages = [rows]
        for number in range(first + 1, last + 1):
            total, rows = await self._page(user_type, number, size)
            pages.append(rows)
            if len(rows) < size:  # the list shrank while we read it
                break
        start = (first - 1) * size
        flat = [row for page in pages for row in page]
        return total, flat[max(lo - start, 0) : max(min(hi, total) - start, 0)]

    async def _page(self, user_type: int, number: int, size: int) -> tuple[int, list[dict[str, Any]]]:
        # PageInfo.Total is read as the number of matching accounts; the SDK's doc ("page volume in
        # total", A.4.3) is ambiguous and the simulator implements this reading.
        body = await self._client.get_account_info(current_page=number, page_size=size, user_type=user_type)
        try:
            total = int(body["PageInfo"]["Total"])
            listing = body.get("AccountInfoList") or {}
            rows = listing.get("AccountInfo") or []
            if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
                raise TypeError("AccountInfo is not a list of objects")
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ProviderProtocolError(
                f"Aliyun GetAccountInfo answer has no readable PageInfo/AccountInfoList: {exc}",
                provider=_errors.PROVIDER,
                partner_id=self._account.id,
                request_id=str(body.get("RequestId")) if body.get("RequestId") else None,
            ) from exc
        return total, rows


def _page_size(account: PartnerAccount) -> int:
    value = account.settings.get("page_size", MAX_PAGE_SIZE)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
        raise ConfigError(f"accounts.{account.id}.page_size", f"must be an integer from 1 to {MAX_PAGE_SIZE}")
    return value
