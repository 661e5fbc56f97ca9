"""The gateway's application layer: the configured providers, and what is asked of them across accounts.

``Gateway`` lives as long as the app; a ``Session`` serves one request for one principal and applies
its access rules (a sales principal sees only its own customers and what hangs off them). The
GraphQL layer and the HTTP app call this; it knows nothing of either.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TypeVar

from gateway import rules
from gateway.auth import Principal
from gateway.cache import TTLCache
from gateway.errors import Forbidden, GatewayError, NotFound, ProviderError, ProviderUnavailable, UnsupportedByProvider
from gateway.filters import CustomerFilter, OrderFilter, ResellerFilter, VoucherFilter
from gateway.models import (
    Customer,
    CustomerStatus,
    Money,
    Order,
    Page,
    PartnerAccount,
    PriceQuote,
    PriceRequest,
    Region,
    RegionLevel,
    Reseller,
    Voucher,
)
from gateway.operations import Operations, Outcome
from gateway.pagination import AccountFailure, MergedList, list_key
from gateway.provider import Capability, Provider
from gateway.store import Store
from gateway.writes import CreateCustomer, Intent

__all__ = ["AccountHealth", "Gateway", "Session"]

log = logging.getLogger(__name__)

T = TypeVar("T")


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
    ) -> None:
        self._providers: dict[str, Provider] = {p.account.id: p for p in providers}
        self.store = store
        self.operations = Operations(store, self.provider, settle=settle)
        self._titles = dict(titles or {})
        self._regions: TTLCache[tuple[str, RegionLevel, str | None], tuple[Region, ...]] = TTLCache(ttl=86_400)
        self._quotes: TTLCache[tuple[str, PriceRequest], PriceQuote] = TTLCache(ttl=300)
        self._ping_seconds = ping_seconds

    async def regions(self, provider: str, level: RegionLevel, parent_code: str | None) -> tuple[Region, ...]:
        """Reference regions of one provider, cached for a day (they change with administrative reforms)."""
        account_id = self._first_account(provider, Capability.LIST_REGIONS, "regions")
        return await self._regions.get_or_load(
            (provider, level, parent_code),
            lambda: self.provider(account_id).list_regions(level, parent_code),
        )

    async def quote_price(self, account_id: str, request: PriceRequest) -> PriceQuote:
        """A price inquiry, cached for five minutes per account and request (prices change rarely)."""
        provider = self.provider(account_id)
        if Capability.QUOTE_PRICE not in provider.capabilities:
            raise UnsupportedByProvider(provider.account.provider, "price inquiries")
        return await self._quotes.get_or_load((account_id, request), lambda: provider.quote_price(request))

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


class Session:
    """One request's view of the gateway for one principal."""

    def __init__(self, gateway: Gateway, principal: Principal) -> None:
        self.gateway = gateway
        self.principal = principal
        self._owned: dict[str, asyncio.Future[frozenset[str]]] = {}
        self._assigned: dict[str, asyncio.Future[dict[str, str]]] = {}

    def visible(self, customer: Customer) -> bool:
        return self.principal.sees_owner(customer.owner)

    async def assigned(self, account_id: str, customers: Iterable[Customer]) -> list[Customer]:
        """The customers with the gateway's own assignments (客户分配) applied over the upstream's owner."""
        if account_id not in self._assigned:
            self._assigned[account_id] = asyncio.ensure_future(self.gateway.store.assignments(account_id))
        owners = await self._assigned[account_id]
        return [replace(c, owner=owners[c.native_id]) if c.native_id in owners else c for c in customers]

    def forget_assignments(self, account_id: str) -> None:
        self._assigned.pop(account_id, None)

    async def get_customers(self, account_id: str, native_ids: Sequence[str]) -> Mapping[str, Customer]:
        found = await self.gateway.provider(account_id).get_customers(native_ids)
        return {c.native_id: c for c in await self.assigned(account_id, found.values())}

    async def write(self, account_id: str, intent: Intent, key: str | None) -> Outcome:
        """Run a write with every rule checked first (``gateway.rules``) and safe retries (``gateway.operations``)."""
        provider = self.gateway.provider(account_id)
        account = provider.account
        if isinstance(intent, CreateCustomer) and self.principal.scoped_owner is not None:
            intent = replace(intent, owner=self.principal.scoped_owner)  # a salesperson files for themselves

        async def authorize() -> None:
            rules.check_principal(self.principal, intent)
            rules.check_role(account, intent)
            if rules.CAPABILITY_OF[intent.kind] not in provider.capabilities:
                raise UnsupportedByProvider(account.provider, intent.kind)
            customer_id = getattr(intent, "customer_id", None)
            if customer_id is not None:
                found = await self.get_customers(account_id, [customer_id])
                rules.check_customer(account, self.principal, intent, found.get(customer_id), customer_id)

        async def check() -> None:
            for name in ("amount", "face_value", "credit_line"):
                value = getattr(intent, name, None)
                if isinstance(value, Money):
                    rules.check_amount(account, value, name, allow_zero=name == "credit_line")
            if isinstance(intent, CreateCustomer) and rules.files_customers(account):
                rules.check_filing_limit(account, intent, await self._same_name_accounts(account_id, intent.name))

        return await self.gateway.operations.run(
            self.principal, account_id, intent, key, authorize=authorize, check=check
        )

    async def _same_name_accounts(self, account_id: str, name: str) -> int:
        """Accounts filed under ``name``, whoever owns them: registered customers and open invitations
        (an invitee is listed among the customers as ``INVITED``; a lapsed invitation does not count)."""
        listing = self.customers(CustomerFilter(partner_ids=(account_id,), search=name), scoped=False)
        named = [c for _, c in (await listing.window(100, None)).items if c.name == name]
        return sum(1 for c in named if c.status is not CustomerStatus.INVITATION_EXPIRED)

    def customers(self, where: CustomerFilter, *, scoped: bool = True) -> MergedList[Customer]:
        """The customers ``where`` matches; a sales principal's own only, unless ``scoped`` is false (rules)."""
        owner = self.principal.scoped_owner
        if owner is not None and scoped:
            where = where.scoped_to(owner)
        ids = self.gateway.account_ids(where.provider, where.partner_ids)

        async def list_customers(p: Provider, offset: int, limit: int) -> Page[Customer]:
            page = await p.list_customers(offset, limit)
            return Page(tuple(await self.assigned(p.account.id, page.items)), page.total)

        fetch = self._fetcher(Capability.LIST_CUSTOMERS, list_customers)
        return MergedList(list_key("customers", where), ids, fetch, where.matches if where.filtering else None)

    def resellers(self, where: ResellerFilter) -> MergedList[Reseller]:
        if self.principal.scoped_owner is not None:
            raise Forbidden("sales keys see customers, not resellers")
        ids = self.gateway.account_ids(where.provider, where.partner_ids)
        fetch = self._fetcher(Capability.LIST_RESELLERS, lambda p, o, n: p.list_resellers(o, n))
        return MergedList(list_key("resellers", where), ids, fetch, where.matches if where.filtering else None)

    async def vouchers(self, where: VoucherFilter) -> MergedList[Voucher]:
        ids = self.gateway.account_ids(where.provider, where.partner_ids)
        predicate, failed = await self._scoped(ids, where.matches if where.filtering else None, lambda v: v.customer_id)
        fetch = self._fetcher(
            Capability.LIST_VOUCHERS, lambda p, o, n: p.list_vouchers(o, n, customer_id=where.customer_id)
        )
        return MergedList(list_key("vouchers", where), ids, fetch, predicate, failed=failed)

    async def orders(self, where: OrderFilter) -> MergedList[Order]:
        ids = self.gateway.account_ids(where.provider, where.partner_ids)
        predicate, failed = await self._scoped(ids, where.matches if where.filtering else None, lambda o: o.customer_id)

        def list_orders(p: Provider, offset: int, limit: int) -> Awaitable[Page[Order]]:
            return p.list_orders(offset, limit, customer_id=where.customer_id, since=where.since, until=where.until)

        fetch = self._fetcher(Capability.LIST_ORDERS, list_orders)
        return MergedList(list_key("orders", where), ids, fetch, predicate, failed=failed)

    async def owned_customer_ids(self, account_id: str) -> frozenset[str]:
        """For a sales principal: the ids of the account's customers it owns (scanned once per request)."""
        if account_id not in self._owned:
            self._owned[account_id] = asyncio.ensure_future(self._scan_owned(account_id))
        return await self._owned[account_id]

    async def _scan_owned(self, account_id: str) -> frozenset[str]:
        owned = self.customers(CustomerFilter(partner_ids=(account_id,)))
        ids: set[str] = set()
        after = None
        while True:
            window = await owned.window(100, after)
            if window.failures:
                raise window.failures[0].error
            ids.update(item.native_id for _, item in window.items)
            if not window.has_next_page:
                return frozenset(ids)
            after = window.items[-1][0].cursor(owned.key)

    async def _scoped(
        self, account_ids: Sequence[str], predicate: Callable[[T], bool] | None, customer_of: Callable[[T], str | None]
    ) -> tuple[Callable[[T], bool] | None, list[AccountFailure]]:
        """Narrow ``predicate`` so a sales principal sees only items of its own customers.

        An account whose customers cannot be read cannot be scoped: it is reported as failed."""
        if self.principal.scoped_owner is None:
            return predicate, []
        results = await asyncio.gather(*(self.owned_customer_ids(a) for a in account_ids), return_exceptions=True)
        owned: set[str] = set()
        failed: list[AccountFailure] = []
        for account_id, result in zip(account_ids, results, strict=True):
            if isinstance(result, ProviderError):
                failed.append(AccountFailure(account_id, result))
            elif isinstance(result, BaseException):
                raise result
            else:
                owned |= result

        def mine(item: T) -> bool:
            return customer_of(item) in owned and (predicate is None or predicate(item))

        return mine, failed

    def _fetcher(
        self, capability: Capability, call: Callable[[Provider, int, int], Awaitable[Page[T]]]
    ) -> Callable[[str, int, int], Awaitable[Page[T]]]:
        async def fetch(account_id: str, offset: int, limit: int) -> Page[T]:
            provider = self.gateway.provider(account_id)
            if capability not in provider.capabilities:
                return Page((), 0)  # the provider has no such list: it contributes nothing
            return await call(provider, offset, limit)

        return fetch
