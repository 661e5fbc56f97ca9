"""The session's state and the access decisions every read and write shares.

One request, one principal: the per-request batch loaders (``gateway.batching``), the gateway's own
customer assignments, and what a sales principal may see. ``_scope`` is the one place that says
whether a customer is the principal's; ``_capable`` is the one capability gate.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from gateway.auth import Principal, Role
from gateway.batching import Batcher, Memo
from gateway.errors import Forbidden, GatewayError, NotFound, UnsupportedByProvider
from gateway.filters import CustomerFilter
from gateway.masking import mask_email, mask_phone
from gateway.models import Balance, Customer, Funds, NewCustomerTag, Order, Page, PartnerAccount, Reseller, Voucher
from gateway.pagination import MergedList, list_key
from gateway.provider import Capability, Provider

if TYPE_CHECKING:
    from gateway.service import Gateway

__all__ = ["Key", "SessionBase"]

T = TypeVar("T")
V = TypeVar("V")
#: ``(account_id, native_id)``: an object of one partner account.
Key = tuple[str, str]
BatchCall = Callable[[Provider, list[str]], Awaitable[Mapping[str, V | GatewayError]]]

SCAN_PAGE = 100
VOUCHER_SCAN_PAGE = 100


class SessionBase:
    """State and access rules of one request's session (see ``gateway.session.Session``)."""

    def __init__(self, gateway: Gateway, principal: Principal) -> None:
        self.gateway = gateway
        self.principal = principal
        self._assigned: dict[str, asyncio.Future[Mapping[str, str]]] = {}
        self._owned: dict[str, asyncio.Future[dict[str, Customer]]] = {}
        self._seen: set[Key] = set()
        """Customers this session has handed out as the principal's: nested reads need no lookup."""
        """Invitation id -> the id its customer row lists under (found by a scan, kept for the request)."""
        self._customers: Batcher[Key, Customer | None] = Batcher(
            self._by_account(Capability.LIST_CUSTOMERS, "customers", self._get_customers)
        )
        self._resellers: Batcher[Key, Reseller | None] = Batcher(
            self._by_account(Capability.LIST_RESELLERS, "resellers", lambda p, ids: p.get_resellers(ids))
        )
        self._vouchers: Batcher[Key, Voucher | None] = Batcher(
            self._by_account(Capability.LIST_VOUCHERS, "vouchers", lambda p, ids: p.get_vouchers(ids))
        )
        self._orders: Batcher[Key, Order | None] = Batcher(
            self._by_account(Capability.LIST_ORDERS, "orders", lambda p, ids: p.get_orders(ids))
        )
        self._customer_funds: Batcher[Key, Funds | None] = Batcher(
            self._by_account(Capability.CUSTOMER_FUNDS, "customer funds", lambda p, ids: p.customer_funds(ids))
        )
        self._reseller_funds: Batcher[Key, Funds | None] = Batcher(
            self._by_account(Capability.RESELLER_FUNDS, "reseller funds", lambda p, ids: p.reseller_funds(ids))
        )
        self._customer_vouchers: Batcher[Key, Sequence[Voucher] | None] = Batcher(
            self._by_account(Capability.LIST_VOUCHERS, "vouchers", _vouchers_by_customer)
        )
        self._balances: Batcher[str, tuple[Balance, ...]] = Batcher(self._partner_balances)
        self._new_tags: Batcher[Key, NewCustomerTag | None] = Batcher(
            self._by_account(Capability.NEW_CUSTOMER_TAGS, "new-customer tags", _new_tags)
        )
        self._lists: Memo[tuple[object, ...], Page[Any]] = Memo()
        """Pages of the upstream lists this request read: the same page of the same list is read once."""

    # -- access -------------------------------------------------------------------------------------------

    def sees(self, owner: str | None) -> bool:
        """Whether the principal may see what belongs to ``owner`` (a sales key: only its own)."""
        return self.principal.sees_owner(owner)

    def shown_email(self, email: str | None) -> str | None:
        """A contact e-mail as this principal may see it: in full, or masked (finance keys)."""
        return email if self.principal.sees_contact_details else mask_email(email)

    def shown_phone(self, phone: str | None) -> str | None:
        return phone if self.principal.sees_contact_details else mask_phone(phone)

    @property
    def _scoped(self) -> bool:
        return self.principal.scoped_owner is not None

    def _not_for_sales(self, what: str) -> None:
        if self._scoped:
            raise Forbidden(f"sales keys see customers, not {what}")

    def _admins_only(self, what: str) -> None:
        if self.principal.role is not Role.ADMIN:
            raise Forbidden(f"only admin keys {what}")

    def _capable(self, account_id: str, capability: Capability, what: str) -> Provider:
        """The account's provider, if it supports ``capability``: the one capability gate."""
        provider = self.gateway.provider(account_id)
        if capability not in provider.capabilities:
            raise UnsupportedByProvider(provider.account.provider, what)
        return provider

    def account(self, account_id: str) -> PartnerAccount:
        """A configured partner account (``NOT_FOUND`` for any other id)."""
        return self.gateway.provider(account_id).account

    async def _in_scope(self, account_id: str, customer_id: str | None) -> bool:
        """Whether a customer (and what hangs off it) is the principal's to see."""
        if not self._scoped:
            return True
        if customer_id is None:
            return False
        if (account_id, customer_id) in self._seen:
            return True
        return await self.customer(account_id, customer_id) is not None

    def _remember(self, account_id: str, customers: Iterable[Customer]) -> None:
        self._seen.update((account_id, c.native_id) for c in customers if self.sees(c.owner))

    async def customer(self, account_id: str, native_id: str) -> Customer | None:
        """One customer, with the gateway's assignment applied; None if missing or not the principal's."""
        found = await self._customers.load((account_id, native_id))
        if found is None or not self.sees(found.owner):
            return None
        self._seen.add((account_id, native_id))
        return found

    # -- the gateway's assignments (客户分配) ------------------------------------------------------------

    async def _assign_owners(self, account_id: str, customers: Iterable[Customer]) -> list[Customer]:
        """The customers with the gateway's own assignments applied over the upstream's owner."""
        if account_id not in self._assigned:
            self._assigned[account_id] = asyncio.ensure_future(self.gateway.store.assignments(account_id))
        owners = await self._assigned[account_id]
        return [replace(c, owner=owners[c.native_id]) if c.native_id in owners else c for c in customers]

    async def _get_customers(self, provider: Provider, ids: list[str]) -> Mapping[str, Customer]:
        found = await provider.get_customers(ids)
        return {c.native_id: c for c in await self._assign_owners(provider.account.id, found.values())}

    def _invalidate(self) -> None:
        """Forget what this request has read: after a write, what is read is read anew."""
        for batcher in (
            self._customers,
            self._resellers,
            self._vouchers,
            self._orders,
            self._customer_funds,
            self._reseller_funds,
            self._customer_vouchers,
            self._balances,
            self._new_tags,
        ):
            batcher.clear()
        self._lists.clear()
        self._assigned.clear()
        self._owned.clear()
        self._seen.clear()

    # -- lists and scans ----------------------------------------------------------------------------------

    def _customer_list(self, where: CustomerFilter, *, scoped: bool = True) -> MergedList[Customer]:
        """The customers ``where`` matches; a sales principal's own only, unless ``scoped`` is false."""
        owner = self.principal.scoped_owner
        if owner is not None and scoped:
            where = where.scoped_to(owner)
        ids = self.gateway.account_ids(where.provider, where.partner_ids)

        async def list_customers(p: Provider, offset: int, limit: int) -> Page[Customer]:
            # The account's assignments are read from the store while the upstream reads the page, not after it.
            page, _ = await asyncio.gather(
                p.list_customers(offset, limit), self._assign_owners(p.account.id, ()), return_exceptions=True
            )
            if isinstance(page, BaseException):
                raise page
            items = await self._assign_owners(p.account.id, page.items)
            self._remember(p.account.id, items)
            return Page(tuple(items), page.total)

        fetch = self._fetcher(Capability.LIST_CUSTOMERS, list_customers, "customers")
        return MergedList(list_key("customers", where), ids, fetch, where.matches if where.filtering else None)

    async def _scan(self, listing: MergedList[T], until: Callable[[T], bool] | None = None) -> list[T]:
        """Every item of a list (or up to the first ``until`` matches); a failed account raises."""
        items: list[T] = []
        after = None
        while True:
            window = await listing.window(SCAN_PAGE, after)
            if window.failures:
                raise window.failures[0].error
            for _, item in window.items:
                items.append(item)
                if until is not None and until(item):
                    return items
            if not window.has_next_page:
                return items
            after = window.items[-1][0].cursor(listing.key)

    async def _find_customer(
        self, account_id: str, match: Callable[[Customer], bool], *, scoped: bool = True
    ) -> Customer | None:
        """The first customer of an account that ``match``es, by a scan of its list."""
        listing = self._customer_list(CustomerFilter(partner_ids=(account_id,)), scoped=scoped)
        found = await self._scan(listing, match)
        return found[-1] if found and match(found[-1]) else None

    async def _owned_customers(self, account_id: str) -> Mapping[str, Customer]:
        """For a sales principal: the account's customers it owns (scanned once per request)."""
        if account_id not in self._owned:
            listing = self._customer_list(CustomerFilter(partner_ids=(account_id,)))

            async def scan() -> dict[str, Customer]:
                return {c.native_id: c for c in await self._scan(listing)}

            self._owned[account_id] = asyncio.ensure_future(scan())
        return await self._owned[account_id]

    def _fetcher(
        self, capability: Capability, call: Callable[[Provider, int, int], Awaitable[Page[T]]], *what: object
    ) -> Callable[[str, int, int], Awaitable[Page[T]]]:
        """A list's fetch per account; ``what`` names the list and the arguments ``call`` passes on (not the
        filters the gateway applies to its items): the same page of it is read once in this request, however
        many lists of the request ask for it (twenty customers' ``partner { customers(first: 5) }``)."""

        async def fetch(account_id: str, offset: int, limit: int) -> Page[T]:
            provider = self.gateway.provider(account_id)
            if capability not in provider.capabilities:
                return Page((), 0)  # the provider has no such list: it contributes nothing
            page: Page[T] = await self._lists.get(
                (account_id, *what, offset, limit), lambda: call(provider, offset, limit)
            )
            return page

        return fetch

    # -- batch loads --------------------------------------------------------------------------------------

    def _by_account(
        self, capability: Capability, what: str, call: BatchCall[V]
    ) -> Callable[[Sequence[Key]], Awaitable[list[V | BaseException | None]]]:
        """A batch load split by account: one provider call per account, one account's failure fails only
        its keys, and one key's failure (a value that is an error) only that key."""

        async def load(keys: Sequence[Key]) -> list[V | BaseException | None]:
            grouped: dict[str, list[str]] = defaultdict(list)
            for account_id, native_id in keys:
                if native_id not in grouped[account_id]:
                    grouped[account_id].append(native_id)

            async def one(account_id: str) -> Mapping[str, V | GatewayError] | BaseException | None:
                try:
                    provider = self.gateway.provider(account_id)
                except NotFound:
                    return None  # no such partner account: nothing of it exists
                if capability not in provider.capabilities:
                    return UnsupportedByProvider(provider.account.provider, what)
                try:
                    return await call(provider, grouped[account_id])
                except GatewayError as exc:
                    return exc

            accounts = list(grouped)
            answers = dict(zip(accounts, await asyncio.gather(*(one(a) for a in accounts)), strict=True))
            results: list[V | BaseException | None] = []
            for account_id, native_id in keys:
                answer = answers[account_id]
                if answer is None or isinstance(answer, BaseException):
                    results.append(answer)
                else:
                    results.append(answer.get(native_id))
            return results

        return load

    async def _partner_balances(self, account_ids: Sequence[str]) -> list[tuple[Balance, ...] | BaseException]:
        async def one(account_id: str) -> tuple[Balance, ...] | BaseException:
            try:
                return await self._capable(
                    account_id, Capability.PARTNER_BALANCES, "partner balances"
                ).partner_balances()
            except GatewayError as exc:
                return exc

        return list(await asyncio.gather(*(one(a) for a in account_ids)))


async def _vouchers_by_customer(provider: Provider, customer_ids: list[str]) -> Mapping[str, Sequence[Voucher]]:
    """All of the account's vouchers, read once and grouped by customer (every asked id gets a list)."""
    wanted = set(customer_ids)
    grouped: dict[str, list[Voucher]] = {customer_id: [] for customer_id in customer_ids}
    offset = 0
    while True:
        page = await provider.list_vouchers(offset, VOUCHER_SCAN_PAGE)
        for voucher in page.items:
            if voucher.customer_id in wanted:
                grouped[voucher.customer_id].append(voucher)
        offset += len(page.items)
        if not page.items or offset >= page.total:
            return grouped


async def _new_tags(provider: Provider, ids: list[str]) -> Mapping[str, NewCustomerTag]:
    return await provider.new_customer_tags(ids)
