"""What a session reads: lists across partner accounts, one object by id, and what hangs off an object.

Every answer is already narrowed to what the principal may see: a sales key gets its own customers and
what hangs off them (vouchers, orders, funds, notes, projects), nothing of resellers or of the partner's
own money; a missing object and one the principal may not see look alike (None, or an empty list).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from gateway import projects as domain
from gateway.errors import NotFound, ProviderError
from gateway.filters import CustomerFilter, OrderFilter, ResellerFilter, VoucherFilter
from gateway.models import (
    Balance,
    BillFile,
    CatalogueEntry,
    CatalogueKind,
    CommissionableProduct,
    CreditRecord,
    CreditRecordKind,
    Customer,
    Funds,
    IncentivePolicy,
    LedgerEntry,
    Money,
    NewCustomerTag,
    Note,
    Order,
    Page,
    PartnerAccount,
    PriceQuote,
    PriceRequest,
    QuotaMovement,
    Region,
    RegionLevel,
    RenewalRate,
    Reseller,
    Voucher,
    VoucherApplication,
    VoucherQuota,
    VoucherRecord,
    VoucherTemplate,
)
from gateway.pagination import AccountFailure, MergedList, list_key
from gateway.provider import Capability, Provider
from gateway.records import AuditEntry, AuditFilter, ProjectFilter
from gateway.session._base import SessionBase

__all__ = ["ProviderInfo", "Reads"]

Item = TypeVar("Item", Voucher, Order)


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    """One configured provider: its plug-in name, display title and supported operations."""

    provider: str
    title: str
    operations: tuple[Capability, ...]


class Reads(SessionBase):
    # -- partners and reference data ----------------------------------------------------------------------

    def partners(self, provider: str | None = None) -> list[PartnerAccount]:
        """The configured partner accounts, in configuration order (of one provider, if given)."""
        return [a for a in self.gateway.accounts if provider is None or a.provider == provider]

    def partner(self, account_id: str) -> PartnerAccount | None:
        try:
            return self.account(account_id)
        except NotFound:
            return None

    def capabilities(self, account_id: str) -> tuple[Capability, ...]:
        supported = self.gateway.provider(account_id).capabilities
        return tuple(c for c in Capability if c in supported)

    def providers(self) -> list[ProviderInfo]:
        """Each configured provider once, in configuration order, with what it supports."""
        seen: dict[str, ProviderInfo] = {}
        for account in self.gateway.accounts:
            if account.provider not in seen:
                title = self.gateway.title(account.provider)
                seen[account.provider] = ProviderInfo(account.provider, title, self.capabilities(account.id))
        return list(seen.values())

    async def partner_balances(self, account_id: str) -> tuple[Balance, ...]:
        self._not_for_sales("the partner's balances")
        return await self._balances.load(account_id)

    async def regions(self, provider: str, level: RegionLevel, parent_code: str | None) -> tuple[Region, ...]:
        return await self.gateway.regions(provider, level, parent_code)

    async def quote_price(self, account_id: str, request: PriceRequest) -> PriceQuote:
        return await self.gateway.quote_price(account_id, request)

    async def catalogue(self, provider: str, kind: CatalogueKind, parent_code: str | None) -> Sequence[CatalogueEntry]:
        """A code table of one provider, read through its first account (whose stack caches it)."""
        return await self.gateway.catalogue(provider, kind, parent_code)

    async def incentive_policies(
        self, account_id: str, month: str, service_type: str | None
    ) -> Sequence[IncentivePolicy]:
        self._not_for_sales("incentive policies")
        provider = self._capable(account_id, Capability.INCENTIVE_POLICIES, "incentive policies")
        return await provider.incentive_policies(month, service_type)

    async def new_customer_tag(self, account_id: str, customer_id: str) -> NewCustomerTag | None:
        """A customer's new-customer tag (batched per account and request); None when not the principal's."""
        if not await self._in_scope(account_id, customer_id):
            return None
        return await self._new_tags.load((account_id, customer_id))

    def voucher_records(self, account_id: str, customer_id: str | None = None) -> MergedList[VoucherRecord]:
        """The log of vouchers issued and reclaimed (not for sales keys)."""
        self._not_for_sales("the voucher log")
        provider = self._capable(account_id, Capability.LIST_VOUCHER_RECORDS, "the voucher issue and reclaim log")
        return MergedList(
            list_key("voucher-records", account_id, customer_id),
            [account_id],
            lambda _, o, n: provider.list_voucher_records(o, n, customer_id=customer_id),
        )

    def commissionable_products(self, account_id: str) -> MergedList[CommissionableProduct]:
        self._not_for_sales("commissions")
        provider = self._capable(account_id, Capability.COMMISSIONS, "commissionable products")
        return MergedList(
            list_key("commissionable", account_id),
            [account_id],
            lambda _, o, n: provider.list_commissionable_products(o, n),
        )

    async def renewal_rates(self, account_id: str, quarter: str) -> Sequence[RenewalRate]:
        self._not_for_sales("commissions")
        provider = self._capable(account_id, Capability.COMMISSIONS, "renewal rates")
        return await provider.renewal_rates(quarter)

    async def bill_files(self, account_id: str, month: str) -> Sequence[BillFile]:
        self._not_for_sales("the partner's bills")
        provider = self._capable(account_id, Capability.BILL_FILES, "the partner's bill files")
        return await provider.bill_files(month)

    def own_vouchers(self, account_id: str) -> MergedList[Voucher]:
        """The vouchers the partner account itself holds (not for sales keys)."""
        self._not_for_sales("the partner's own vouchers")
        provider = self._capable(account_id, Capability.OWN_VOUCHERS, "the partner's own vouchers")
        return MergedList(
            list_key("own-vouchers", account_id), [account_id], lambda _, o, n: provider.list_own_vouchers(o, n)
        )

    # -- customers and what hangs off them ----------------------------------------------------------------

    def customers(self, where: CustomerFilter) -> MergedList[Customer]:
        """The customers ``where`` matches, across accounts (a sales key: its own only)."""
        return self._customer_list(where)

    async def customer_funds(self, account_id: str, customer_id: str) -> Funds | None:
        if not await self._in_scope(account_id, customer_id):
            return None
        return await self._customer_funds.load((account_id, customer_id))

    async def credit_line(self, account_id: str, customer_id: str) -> Money | None:
        self._capable(account_id, Capability.SET_CREDIT_LINE, "credit lines")
        funds = await self.customer_funds(account_id, customer_id)
        return funds.credit_line if funds else None

    async def customer_vouchers(self, account_id: str, customer_id: str) -> Sequence[Voucher]:
        if not await self._in_scope(account_id, customer_id):
            return ()
        return await self._customer_vouchers.load((account_id, customer_id)) or ()

    def notes(self, account_id: str, customer_id: str) -> MergedList[Note]:
        provider = self._capable(account_id, Capability.LIST_NOTES, "customer notes")

        async def fetch(_: str, offset: int, limit: int) -> Page[Note]:
            if not await self._in_scope(account_id, customer_id):
                return Page((), 0)
            return await provider.list_notes(customer_id, offset, limit)

        return MergedList(list_key("notes", account_id, customer_id), [account_id], fetch)

    def credit_history(self, account_id: str, customer_id: str, kind: CreditRecordKind) -> MergedList[CreditRecord]:
        """One of a credit customer's histories (Aliyun), only for a customer the principal may see."""
        provider = self._capable(account_id, Capability.CREDIT_HISTORY, "credit histories")

        async def fetch(_: str, offset: int, limit: int) -> Page[CreditRecord]:
            if not await self._in_scope(account_id, customer_id):
                return Page((), 0)
            return await provider.credit_history(customer_id, kind, offset, limit)

        return MergedList(list_key("credit", account_id, customer_id, kind.value), [account_id], fetch)

    async def invitation_customer(self, account_id: str, invitation_id: str) -> Customer | None:
        """The customer row of an open invitation, if the principal may see it."""
        return await self._find_customer(account_id, lambda c: c.invitation_id == invitation_id.strip())

    # -- vouchers and orders --------------------------------------------------------------------------------

    async def vouchers(self, where: VoucherFilter) -> MergedList[Voucher]:
        ids = self.gateway.account_ids(where.provider, where.partner_ids)
        predicate, failed = await self._narrowed(ids, where.matches if where.filtering else None, where.customer_id)
        fetch = self._fetcher(
            Capability.LIST_VOUCHERS,
            lambda p, o, n: p.list_vouchers(o, n, customer_id=where.customer_id),
            "vouchers",
            where.customer_id,
        )
        return MergedList(list_key("vouchers", where), ids, fetch, predicate, failed=failed)

    async def orders(self, where: OrderFilter) -> MergedList[Order]:
        ids = self.gateway.account_ids(where.provider, where.partner_ids)
        predicate, failed = await self._narrowed(ids, where.matches if where.filtering else None, where.customer_id)

        def list_orders(p: Provider, offset: int, limit: int) -> Awaitable[Page[Order]]:
            return p.list_orders(offset, limit, customer_id=where.customer_id, since=where.since, until=where.until)

        fetch = self._fetcher(
            Capability.LIST_ORDERS, list_orders, "orders", where.customer_id, where.since, where.until
        )
        return MergedList(list_key("orders", where), ids, fetch, predicate, failed=failed)

    async def voucher(self, account_id: str, native_id: str) -> Voucher | None:
        found = await self._vouchers.load((account_id, native_id))
        return found if found is not None and await self._in_scope(account_id, found.customer_id) else None

    async def vouchers_by_id(self, account_id: str, native_ids: Sequence[str]) -> list[Voucher]:
        """The vouchers with these ids that exist and the principal may see, in order."""
        found = await asyncio.gather(*(self.voucher(account_id, native_id) for native_id in native_ids))
        return [v for v in found if v is not None]

    async def order(self, account_id: str, native_id: str) -> Order | None:
        found = await self._orders.load((account_id, native_id))
        return found if found is not None and await self._in_scope(account_id, found.customer_id) else None

    async def _narrowed(
        self, account_ids: Sequence[str], predicate: Callable[[Item], bool] | None, customer_id: str | None
    ) -> tuple[Callable[[Item], bool] | None, list[AccountFailure]]:
        """Narrow ``predicate`` so a sales principal sees only items of its own customers.

        An account whose customers cannot be read cannot be narrowed: it is reported as failed."""
        if not self._scoped:
            return predicate, []

        async def mine_in(account_id: str) -> set[str]:
            if customer_id is not None:  # one customer's items: one lookup says whether it is the principal's
                return {customer_id} if await self._in_scope(account_id, customer_id) else set()
            return set(await self._owned_customers(account_id))

        results = await asyncio.gather(*(mine_in(a) for a in account_ids), return_exceptions=True)
        owned: set[tuple[str, str]] = set()
        failed: list[AccountFailure] = []
        for account_id, result in zip(account_ids, results, strict=True):
            if isinstance(result, ProviderError):
                failed.append(AccountFailure(account_id, result))
            elif isinstance(result, BaseException):
                raise result
            else:
                owned |= {(account_id, native_id) for native_id in result}

        def mine(item: Item) -> bool:
            return (item.partner_id, item.customer_id or "") in owned and (predicate is None or predicate(item))

        return mine, failed

    # -- resellers and the partner's own records ------------------------------------------------------------

    def resellers(self, where: ResellerFilter) -> MergedList[Reseller]:
        self._not_for_sales("resellers")
        ids = self.gateway.account_ids(where.provider, where.partner_ids)
        fetch = self._fetcher(Capability.LIST_RESELLERS, lambda p, o, n: p.list_resellers(o, n), "resellers")
        return MergedList(list_key("resellers", where), ids, fetch, where.matches if where.filtering else None)

    async def reseller(self, account_id: str, native_id: str) -> Reseller | None:
        if self._scoped:
            return None
        return await self._resellers.load((account_id, native_id))

    async def reseller_funds(self, account_id: str, reseller_id: str) -> Funds | None:
        self._not_for_sales("resellers")
        return await self._reseller_funds.load((account_id, reseller_id))

    def reseller_customers(self, account_id: str, reseller_id: str) -> MergedList[Customer]:
        self._not_for_sales("resellers")
        provider = self._capable(account_id, Capability.LIST_RESELLERS, "resellers' customers")

        async def fetch(_: str, offset: int, limit: int) -> Page[Customer]:
            return await provider.list_reseller_customers(reseller_id, offset, limit)

        return MergedList(list_key("reseller-customers", account_id, reseller_id), [account_id], fetch)

    def voucher_quotas(self, account_id: str, reseller_id: str | None = None) -> MergedList[VoucherQuota]:
        """The partner's own voucher quotas, or those granted to one of its resellers."""
        self._not_for_sales("the partner's voucher quotas")
        provider = self._capable(account_id, Capability.LIST_VOUCHER_QUOTAS, "voucher quotas")

        async def fetch(_: str, offset: int, limit: int) -> Page[VoucherQuota]:
            return await provider.list_voucher_quotas(offset, limit, reseller_id=reseller_id)

        return MergedList(list_key("quotas", account_id, reseller_id), [account_id], fetch)

    def voucher_templates(self, account_id: str) -> MergedList[VoucherTemplate]:
        """The partner's voucher templates (not for sales keys)."""
        self._not_for_sales("voucher templates")
        provider = self._capable(account_id, Capability.LIST_VOUCHER_TEMPLATES, "voucher templates")
        return MergedList(
            list_key("templates", account_id), [account_id], lambda _, o, n: provider.list_voucher_templates(o, n)
        )

    async def voucher_template_products(self, account_id: str) -> Sequence[str]:
        self._not_for_sales("voucher templates")
        provider = self._capable(account_id, Capability.LIST_VOUCHER_TEMPLATES, "voucher templates")
        return await provider.voucher_template_products()

    def voucher_applications(self, account_id: str) -> MergedList[VoucherApplication]:
        """Tier-2 resellers' voucher applications to this account (not for sales keys)."""
        self._not_for_sales("voucher applications")
        provider = self._capable(account_id, Capability.LIST_VOUCHER_APPLICATIONS, "tier-2 voucher applications")
        return MergedList(
            list_key("applications", account_id), [account_id], lambda _, o, n: provider.list_voucher_applications(o, n)
        )

    async def voucher_application(self, account_id: str, native_id: str) -> VoucherApplication | None:
        self._not_for_sales("voucher applications")
        provider = self._capable(account_id, Capability.LIST_VOUCHER_APPLICATIONS, "tier-2 voucher applications")
        return await provider.get_voucher_application(native_id)

    async def quota_reseller(self, account_id: str, quota_id: str) -> Reseller | None:
        """The reseller a voucher quota was granted to, found among the resellers' quotas."""
        self._not_for_sales("resellers")
        for reseller in await self._scan(self.resellers(ResellerFilter(partner_ids=(account_id,)))):
            quotas = await self._scan(
                self.voucher_quotas(account_id, reseller.native_id), lambda q: q.native_id == quota_id
            )
            if quotas and quotas[-1].native_id == quota_id:
                return reseller
        return None

    def ledger(self, account_id: str, reseller_id: str | None = None) -> MergedList[LedgerEntry]:
        """The partner's allocations and reclaims of funds, or those with one of its resellers."""
        self._not_for_sales("the partner's ledger")
        provider = self._capable(account_id, Capability.LIST_LEDGER, "a ledger")

        async def fetch(_: str, offset: int, limit: int) -> Page[LedgerEntry]:
            if reseller_id is None:  # the whole ledger: the call as it was before the filter existed
                return await provider.list_ledger(offset, limit)
            return await provider.list_ledger(offset, limit, reseller_id=reseller_id)

        key = list_key("ledger", account_id) if reseller_id is None else list_key("ledger", account_id, reseller_id)
        return MergedList(key, [account_id], fetch)

    def quota_movements(self, account_id: str, reseller_id: str | None = None) -> MergedList[QuotaMovement]:
        """Grants and reclaims of voucher quota to the partner's resellers, or to one of them."""
        self._not_for_sales("the partner's voucher-quota records")
        provider = self._capable(account_id, Capability.LIST_QUOTA_MOVEMENTS, "voucher-quota records")

        async def fetch(_: str, offset: int, limit: int) -> Page[QuotaMovement]:
            return await provider.list_quota_movements(offset, limit, reseller_id=reseller_id)

        return MergedList(list_key("quota-movements", account_id, reseller_id), [account_id], fetch)

    # -- projects and the audit trail (the gateway's own) ----------------------------------------------------

    def projects(self, where: ProjectFilter) -> MergedList[domain.Project]:
        """Deal registrations, newest first (a sales key: its own only)."""
        scoped = self.principal.scoped_owner
        narrowed: ProjectFilter | None = where
        if scoped is not None:
            narrowed = replace(where, owner=scoped) if where.owner in (None, scoped) else None
        store = self.gateway.store

        async def fetch(_: str, offset: int, limit: int) -> Page[domain.Project]:
            return Page((), 0) if narrowed is None else await store.list_projects(narrowed, offset, limit)

        return MergedList(list_key("projects", narrowed), ["store"], fetch)

    async def project(self, project_id: str) -> domain.Project | None:
        """A project by its number (as text); None if there is none or it is not the principal's."""
        found = await self.gateway.store.get_project(int(project_id)) if project_id.isdigit() else None
        return found if found is not None and self.sees(found.owner) else None

    async def project_history(self, project: domain.Project) -> list[domain.ProjectEvent]:
        if not self.sees(project.owner):
            return []
        return await self.gateway.store.project_events(project.id)

    def audit_log(self, where: AuditFilter) -> MergedList[AuditEntry]:
        """Every mutation attempt, newest first (admins only)."""
        self._admins_only("read the audit trail")
        store = self.gateway.store

        async def fetch(_: str, offset: int, limit: int) -> Page[AuditEntry]:
            return await store.list_audit(where, offset, limit)

        return MergedList(list_key("audit", where), ["store"], fetch)
