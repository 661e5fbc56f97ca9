"""``HuaweiCloudProvider``: the ``gateway.provider.Provider`` for one Huawei Cloud partner account."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from gateway.errors import ConfigError, InvalidInput, ProviderProtocolError
from gateway.models import Customer, Page, PartnerAccount
from gateway.provider import Capability, Credentials

from ._client import BssClient
from ._mapping import PROVIDER, customer_from_wire
from ._signing import SdkHmacAuth

__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "HuaweiCloudProvider"]

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100  # largest list_sub_customers ``limit`` we send; the simulator enforces it too


class HuaweiCloudProvider:
    """Huawei Cloud BSS v2 for one partner account: calls the upstream, maps, translates errors.

    The ``httpx.AsyncClient`` belongs to the app (``base_url`` = the account's endpoint); this class
    signs each request itself and never creates a client.
    """

    def __init__(
        self,
        account: PartnerAccount,
        credentials: Credentials,
        http: httpx.AsyncClient,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._account = account
        domain_id = account.settings.get("domain_id")
        if not isinstance(domain_id, str) or not domain_id:
            # Always configured: without it the SDK would go and ask IAM (CONTRACTS.md H.1).
            raise ConfigError(f"accounts.{account.id}.settings.domain_id", "a Huawei Cloud domain_id is required")
        self._page_size = _page_size(account)
        for name in ("access_key", "secret_key"):
            if name not in credentials:
                raise ConfigError(f"accounts.{account.id}.credentials.{name}", "missing")
        auth = SdkHmacAuth(credentials["access_key"].reveal(), credentials["secret_key"], domain_id, clock=clock)
        self._client = BssClient(http, auth, partner_id=account.id)

    @property
    def account(self) -> PartnerAccount:
        return self._account

    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset({Capability.LIST_CUSTOMERS})

    async def ping(self) -> None:
        await self._client.list_sub_customers({"offset": 0, "limit": 1})

    async def list_customers(self, offset: int, limit: int) -> Page[Customer]:
        """Customers ``offset`` to ``offset + limit``.

        list_sub_customers pages by 0-based *record* offset (CONTRACTS.md X.1), so the window maps
        straight onto upstream calls of at most ``page_size`` records each; the total is ``count``
        (not ``total_count``, H.5 item 3).
        """
        if offset < 0:
            raise InvalidInput("offset must not be negative", field="offset")
        if limit < 0:
            raise InvalidInput("limit must not be negative", field="limit")
        items: list[Customer] = []
        position, end = offset, offset + limit
        while True:
            want = min(self._page_size, end - position) or 1  # limit 0 still needs the total
            data = await self._client.list_sub_customers({"offset": position, "limit": want})
            total, infos = self._read_page(data)
            items.extend(customer_from_wire(info, partner_id=self._account.id) for info in infos)
            position += len(infos)
            if position >= end or position >= total or len(infos) < want:
                break
        return Page(items=tuple(items[:limit]), total=total)

    def _read_page(self, data: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
        total = data.get("count")
        infos = data.get("customer_infos", [])
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise self._protocol_error("'count' is missing or not a non-negative integer")
        if not isinstance(infos, list) or not all(isinstance(info, dict) for info in infos):
            raise self._protocol_error("'customer_infos' is not a list of objects")
        return total, infos

    def _protocol_error(self, problem: str) -> ProviderProtocolError:
        return ProviderProtocolError(
            f"Huawei Cloud list_sub_customers returned an unreadable answer: {problem}",
            provider=PROVIDER,
            partner_id=self._account.id,
        )


def _page_size(account: PartnerAccount) -> int:
    value = account.settings.get("page_size", DEFAULT_PAGE_SIZE)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
        raise ConfigError(f"accounts.{account.id}.settings.page_size", f"must be an integer from 1 to {MAX_PAGE_SIZE}")
    return value
