"""``HuaweiCloudProvider``: the ``gateway.provider.Provider`` for one Huawei Cloud partner account."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from gateway.errors import ConfigError, InvalidInput, ProviderError, UnsupportedByProvider
from gateway.models import (
    Balance,
    BillFile,
    CatalogueEntry,
    CatalogueKind,
    CommissionableProduct,
    ConsumptionLine,
    CreditRecord,
    CreditRecordKind,
    Customer,
    Funds,
    IncentivePolicy,
    LedgerEntry,
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
from gateway.provider import Capability, Credentials, Provider
from gateway.retry import DEFAULT_POLICY, RetryPolicy
from gateway.writes import Intent, Receipt

from ._client import BssClient
from ._consumption import ConsumptionReader
from ._mapping import PROVIDER, customer_from_wire
from ._mapping_catalog import (
    order_from_wire,
    price_quote_from_wire,
    price_request_to_wire,
    quota_from_wire,
    region_from_wire,
    reseller_from_wire,
    voucher_from_wire,
)
from ._mapping_money import (
    balance_from_wire,
    funds_from_wire,
    ledger_entry_from_adjust_record,
    quota_movement_from_record,
    reseller_funds_from_balances,
)
from ._paging import ORDER_WINDOW, Pager, Wire, order_window
from ._promotions import Promotions, period_quote_from_wire, period_request_to_wire
from ._reconcile import Reconciler
from ._roles import PartnerRole
from ._signing import SdkHmacAuth
from ._writes import DEFAULT_XACCOUNT_TYPE, Writer

T = TypeVar("T")

__all__ = ["DEFAULT_PAGE_SIZE", "FUNDS_BATCH", "MAX_PAGE_SIZE", "ORDER_WINDOW", "HuaweiCloudProvider"]

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100  # largest ``limit`` we send to a list operation; the simulator enforces it too
REGION_PAGE_SIZE = 1000  # the geo lists allow up to 1000 (H.4.22-24)
_REGION_CODE = re.compile(r"[0-9A-Za-z_-]{1,32}")  # checked before any call: codes are short ASCII
FUNDS_BATCH = 100  # customers per list_customers_balances_detail call
LOOKUP_CALLS = 5  # get_customers: up to this many ids, one filtered call each; more, one scan of the list

_READS = frozenset(
    {
        Capability.LIST_CUSTOMERS,
        Capability.CUSTOMER_FUNDS,
        Capability.PARTNER_BALANCES,
        Capability.LIST_RESELLERS,
        Capability.RESELLER_FUNDS,
        Capability.LIST_VOUCHERS,
        Capability.LIST_VOUCHER_QUOTAS,
        Capability.LIST_ORDERS,
        Capability.LIST_LEDGER,
        Capability.LIST_QUOTA_MOVEMENTS,
        Capability.LIST_REGIONS,
        Capability.QUOTE_PRICE,
        Capability.QUOTE_SUBSCRIPTION_PRICE,
        Capability.CONSUMPTION,
        Capability.LIST_VOUCHER_RECORDS,
        Capability.OWN_VOUCHERS,
        Capability.NEW_CUSTOMER_TAGS,
        Capability.INCENTIVE_POLICIES,
        Capability.CATALOGUE,
    }
)
# Writes Huawei has an API for (X.3); each capability covers the reverse write too (reclaims).
_WRITES = frozenset(
    {
        Capability.CREATE_CUSTOMER,
        Capability.SEND_VERIFICATION_CODE,
        Capability.TRANSFER_FUNDS,
        Capability.ALLOCATE_RESELLER_FUNDS,
        Capability.GRANT_VOUCHER_QUOTA,
        Capability.ISSUE_VOUCHER,
        Capability.RECLAIM_VOUCHER,
    }
)
# Tier-1-only APIs (DOMAIN.md): a tier-2 reseller's AK/SK is refused (CBC.0151).
_TIER1_ONLY = frozenset(
    {
        Capability.LIST_RESELLERS,
        Capability.RESELLER_FUNDS,
        Capability.ALLOCATE_RESELLER_FUNDS,
        Capability.GRANT_VOUCHER_QUOTA,
        Capability.LIST_QUOTA_MOVEMENTS,
    }
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _wire_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class HuaweiCloudProvider:
    """Huawei Cloud BSS v2 for one partner account: calls the upstream, maps, translates errors.

    The ``httpx.AsyncClient`` belongs to the app (``base_url`` = the account's endpoint); this class
    signs each request itself and never creates a client. Huawei has no invitations and no customer
    notes (CONTRACTS.md X.3): those methods raise ``UnsupportedByProvider``, as does ``list_resellers``
    for a tier-2 account (tier-1-only API, DOMAIN.md).

    Composed like the Aliyun provider: the signed ``BssClient`` (``_client``) and one ``Pager``
    (``_paging``) are given to the reads here, to the ``Writer`` (``_writes``) and to the ``Reconciler``
    (``_reconcile``).
    """

    def __init__(
        self,
        account: PartnerAccount,
        credentials: Credentials,
        http: httpx.AsyncClient,
        *,
        clock: Callable[[], datetime] | None = None,
        retry_policy: RetryPolicy = DEFAULT_POLICY,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self._account = account
        domain_id = account.settings.get("domain_id")
        if not isinstance(domain_id, str) or not domain_id:
            # Always configured: without it the SDK would go and ask IAM (CONTRACTS.md H.1).
            raise ConfigError(f"accounts.{account.id}.settings.domain_id", "a Huawei Cloud domain_id is required")
        pages = Pager(account.id, _page_size(account))
        for name in ("access_key", "secret_key"):
            if name not in credentials:
                raise ConfigError(f"accounts.{account.id}.credentials.{name}", "missing")
        self._clock = clock or _utc_now
        auth = SdkHmacAuth(credentials["access_key"].reveal(), credentials["secret_key"], domain_id, clock=clock)
        self._client = BssClient(http, auth, partner_id=account.id, retry_policy=retry_policy, sleep=sleep)
        self._pages = pages
        self._writer = Writer(self._client, pages, xaccount_type=_xaccount_type(account))
        self._reconciler = Reconciler(self._client, pages, clock=self._clock)
        self._bills = ConsumptionReader(self._client, pages, domain_id, self._clock)
        self._promotions = Promotions(self._client, pages, partner_id=account.id)

    @property
    def account(self) -> PartnerAccount:
        return self._account

    @property
    def client(self) -> BssClient:
        """Every BSS operation, raw (tests and tools; the gateway uses the methods of the seam)."""
        return self._client

    @property
    def capabilities(self) -> frozenset[Capability]:
        if self._account.role == PartnerRole.TIER2_RESELLER:
            return (_READS | _WRITES) - _TIER1_ONLY
        return _READS | _WRITES

    async def ping(self) -> None:
        await self._client.list_sub_customers({"offset": 0, "limit": 1})

    async def list_customers(self, offset: int, limit: int) -> Page[Customer]:
        """list_sub_customers by 0-based record offset (X.1); the total is ``count`` (H.5 item 3)."""

        async def fetch(position: int, size: int) -> Wire:
            return await self._client.list_sub_customers({"offset": position, "limit": size})

        def item(info: Wire) -> Customer:
            return customer_from_wire(info, partner_id=self._account.id)

        return await self._pages.window("list_sub_customers", offset, limit, fetch, ("count", "customer_infos"), item)

    async def get_customers(self, native_ids: Sequence[str]) -> Mapping[str, Customer]:
        """By list_sub_customers' ``customer_id`` filter, one call per id (few ids) or a scan (many)."""
        wanted = list(dict.fromkeys(native_ids))
        if len(wanted) > LOOKUP_CALLS:
            found = await self._scan(self.list_customers)
            return {c.native_id: c for c in found if c.native_id in wanted}

        async def one(customer_id: str) -> list[Wire]:
            data = await self._client.list_sub_customers({"customer_id": customer_id, "offset": 0, "limit": 1})
            return self._pages.entries("list_sub_customers", data, "customer_infos")

        customers = (customer_from_wire(info, partner_id=self._account.id) for info in await _each(wanted, one))
        return {customer.native_id: customer for customer in customers}

    async def list_reseller_customers(self, reseller_id: str, offset: int, limit: int) -> Page[Customer]:
        """list_sub_customers with ``indirect_partner_id`` (H.4.2): a tier-2's customers, tier-1 only."""

        async def fetch(position: int, size: int) -> Wire:
            body = {"indirect_partner_id": reseller_id, "offset": position, "limit": size}
            return await self._client.list_sub_customers(body)

        def item(info: Wire) -> Customer:
            return customer_from_wire(info, partner_id=self._account.id)

        return await self._pages.window("list_sub_customers", offset, limit, fetch, ("count", "customer_infos"), item)

    async def customer_funds(self, customer_ids: Sequence[str]) -> Mapping[str, Funds | ProviderError]:
        """One list_customers_balances_detail call per ``FUNDS_BATCH`` ids (H.4.6), all at once; advisory
        customers are absent from the answer, so from the result. The ids of a call that failed map to its
        error; the other calls' ids stand. A batch's answer is cached for ``[upstream] funds_cache_seconds``
        until the account's next write (``gateway.upstream.flight``)."""
        wanted = list(dict.fromkeys(customer_ids))
        batches = [wanted[start : start + FUNDS_BATCH] for start in range(0, len(wanted), FUNDS_BATCH)]

        async def one(batch: list[str]) -> dict[str, Funds | ProviderError]:
            try:
                data = await self._client.list_customers_balances_detail(
                    {"customer_infos": [{"customer_id": customer_id} for customer_id in batch]}
                )
                entries = self._pages.entries("list_customers_balances_detail", data, "customer_balances")
            except ProviderError as error:
                return dict.fromkeys(batch, error)
            return {found.owner_id: found for found in map(funds_from_wire, entries)}

        funds: dict[str, Funds | ProviderError] = {}
        for answer in await asyncio.gather(*(one(batch) for batch in batches)):
            funds.update(answer)
        return funds

    async def partner_balances(self) -> tuple[Balance, ...]:
        data = await self._client.list_partner_balances()
        entries = self._pages.entries("list_partner_balances", data, "account_balances")
        return tuple(balance_from_wire(entry) for entry in entries)

    async def list_resellers(self, offset: int, limit: int) -> Page[Reseller]:
        """list_indirect_partners (H.4.10), tier-1 only; total ``count``."""
        if self._account.role == PartnerRole.TIER2_RESELLER:
            raise UnsupportedByProvider(PROVIDER, "listing resellers with a tier-2 reseller's account")

        async def fetch(position: int, size: int) -> Wire:
            return await self._client.list_indirect_partners({"offset": position, "limit": size})

        def item(entry: Wire) -> Reseller:
            return reseller_from_wire(entry, partner_id=self._account.id)

        keys = ("count", "indirect_partners")
        return await self._pages.window("list_indirect_partners", offset, limit, fetch, keys, item)

    async def get_resellers(self, native_ids: Sequence[str]) -> Mapping[str, Reseller]:
        """list_indirect_partners filtered by ``indirect_partner_id``, one call per id, all at once."""

        async def one(reseller_id: str) -> list[Wire]:
            data = await self._client.list_indirect_partners(
                {"indirect_partner_id": reseller_id, "offset": 0, "limit": 1}
            )
            return self._pages.entries("list_indirect_partners", data, "indirect_partners")

        found = await _each(list(dict.fromkeys(native_ids)), one)
        resellers = (reseller_from_wire(entry, partner_id=self._account.id) for entry in found)
        return {reseller.native_id: reseller for reseller in resellers}

    async def reseller_funds(self, reseller_ids: Sequence[str]) -> Mapping[str, Funds | ProviderError]:
        """Each tier-2's allocatable balance, by list_partner_balances with ``indirect_partner_id`` (H.4.9).

        Huawei has no batch call for this: one call per reseller, all at once (the account's limits bound what
        goes out together); a reseller whose call failed maps to its error. All its accounts are in ``extra``.
        """
        wanted = list(dict.fromkeys(reseller_ids))

        async def one(reseller_id: str) -> Funds | ProviderError:
            try:
                data = await self._client.list_partner_balances({"indirect_partner_id": reseller_id})
                entries = self._pages.entries("list_partner_balances", data, "account_balances")
            except ProviderError as error:
                return error
            return reseller_funds_from_balances(reseller_id, [balance_from_wire(entry) for entry in entries])

        return dict(zip(wanted, await asyncio.gather(*(one(i) for i in wanted)), strict=True))

    async def list_vouchers(self, offset: int, limit: int, *, customer_id: str | None = None) -> Page[Voucher]:
        """list_issued_partner_coupons (H.4.19). ``customer_id`` is sent only when given: an empty one
        would filter everything out upstream."""

        async def fetch(position: int, size: int) -> Wire:
            query: dict[str, Any] = {"offset": position, "limit": size}
            if customer_id is not None:
                query["customer_id"] = customer_id
            return await self._client.list_issued_partner_coupons(query)

        def item(entry: Wire) -> Voucher:
            return voucher_from_wire(entry, partner_id=self._account.id)

        keys = ("total_count", "user_coupons")
        return await self._pages.window("list_issued_partner_coupons", offset, limit, fetch, keys, item)

    async def get_vouchers(self, native_ids: Sequence[str]) -> Mapping[str, Voucher]:
        """list_issued_partner_coupons by ``coupon_id``, one call per id (H.4.19)."""
        vouchers: dict[str, Voucher] = {}
        for coupon_id in dict.fromkeys(native_ids):
            if not coupon_id:
                continue  # "" is not supported as a coupon_id filter (H.4.19)
            data = await self._client.list_issued_partner_coupons({"coupon_id": coupon_id, "offset": 0, "limit": 1})
            for entry in self._pages.entries("list_issued_partner_coupons", data, "user_coupons"):
                voucher = voucher_from_wire(entry, partner_id=self._account.id)
                vouchers[voucher.native_id] = voucher
        return vouchers

    async def list_voucher_quotas(
        self, offset: int, limit: int, *, reseller_id: str | None = None
    ) -> Page[VoucherQuota]:
        """The partner's own quotas (list_quota_coupons, H.4.26) or, with ``reseller_id``, those it granted
        to that tier-2 (list_issued_coupon_quotas, H.4.15)."""

        async def fetch(position: int, size: int) -> Wire:
            if reseller_id is None:
                return await self._client.list_quota_coupons({"offset": position, "limit": size})
            query = {"indirect_partner_id": reseller_id, "offset": position, "limit": size}
            return await self._client.list_issued_coupon_quotas(query)

        def item(entry: Wire) -> VoucherQuota:
            return quota_from_wire(entry, partner_id=self._account.id)

        name = "list_quota_coupons" if reseller_id is None else "list_issued_coupon_quotas"
        return await self._pages.window(name, offset, limit, fetch, ("total_count", "quotas"), item)

    async def list_orders(
        self,
        offset: int,
        limit: int,
        *,
        customer_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Page[Order]:
        """list_customer_orders (H.4.20) created in ``[since, until)``; see ``ORDER_WINDOW`` for defaults."""
        begin, end = order_window(since, until, self._clock())
        filters: dict[str, Any] = {"create_time_begin": _wire_time(begin), "create_time_end": _wire_time(end)}
        if customer_id is not None:
            filters["customer_id"] = customer_id

        async def fetch(position: int, size: int) -> Wire:
            return await self._client.list_customer_orders({**filters, "offset": position, "limit": size})

        def item(entry: Wire) -> Order:
            return order_from_wire(entry, partner_id=self._account.id)

        keys = ("total_count", "order_infos")
        return await self._pages.window("list_customer_orders", offset, limit, fetch, keys, item)

    async def get_orders(self, native_ids: Sequence[str]) -> Mapping[str, Order]:
        """list_customer_orders by ``order_id`` (any age: no time window is sent), one call per id, all at once."""

        async def one(order_id: str) -> list[Wire]:
            data = await self._client.list_customer_orders({"order_id": order_id, "offset": 0, "limit": 1})
            return self._pages.entries("list_customer_orders", data, "order_infos")

        found = await _each([i for i in dict.fromkeys(native_ids) if i], one)
        orders = (order_from_wire(entry, partner_id=self._account.id) for entry in found)
        return {order.native_id: order for order in orders}

    async def list_notes(self, customer_id: str, offset: int, limit: int) -> Page[Note]:
        raise UnsupportedByProvider(PROVIDER, "customer notes")  # no CRM notes (X.3)

    async def list_ledger(self, offset: int, limit: int, *, reseller_id: str | None = None) -> Page[LedgerEntry]:
        """list_partner_adjust_records (H.4.27): allocations and reclaims, newest first. A reseller's are
        the partner's records with that tier-2 as ``customer_id`` ("a customer or T2"); ``indirect_partner_id``
        would instead read the tier-2's own records (its allocations to its customers)."""
        filters = {"customer_id": reseller_id} if reseller_id is not None else {}

        async def fetch(position: int, size: int) -> Wire:
            return await self._client.list_partner_adjust_records({**filters, "offset": position, "limit": size})

        keys = ("total_count", "records")
        return await self._pages.window(
            "list_partner_adjust_records", offset, limit, fetch, keys, ledger_entry_from_adjust_record
        )

    async def list_quota_movements(
        self, offset: int, limit: int, *, reseller_id: str | None = None
    ) -> Page[QuotaMovement]:
        """list_coupon_quotas_records (H.4.16), tier-1 only: grants (10) and reclaims (11), newest first.
        ``indirect_partner_id`` is sent only when given (empty means every tier-2 anyway)."""
        if self._account.role == PartnerRole.TIER2_RESELLER:
            raise UnsupportedByProvider(PROVIDER, "voucher-quota records with a tier-2 reseller's account")
        filters = {"indirect_partner_id": reseller_id} if reseller_id is not None else {}

        async def fetch(position: int, size: int) -> Wire:
            return await self._client.list_coupon_quotas_records({**filters, "offset": position, "limit": size})

        keys = ("total_count", "records")
        return await self._pages.window(
            "list_coupon_quotas_records", offset, limit, fetch, keys, quota_movement_from_record
        )

    async def list_regions(self, level: RegionLevel, parent_code: str | None = None) -> tuple[Region, ...]:
        """Provinces, a province's cities or a city's counties (H.4.22-24); Huawei has no country list here."""
        if level is RegionLevel.COUNTRY:
            raise UnsupportedByProvider(PROVIDER, "the country list")
        if level is not RegionLevel.PROVINCE and not parent_code:
            raise InvalidInput(f"{level.value.lower()} regions need the parent region's code", field="parentCode")
        if parent_code is not None and level is not RegionLevel.PROVINCE and not _REGION_CODE.fullmatch(parent_code):
            raise InvalidInput("a region code is 1 to 32 ASCII letters, digits, '-' or '_'", field="parentCode")
        operations = {
            RegionLevel.PROVINCE: ("list_provinces", self._client.list_provinces, None, "provinces"),
            RegionLevel.CITY: ("list_cities", self._client.list_cities, "province_code", "cities"),
            RegionLevel.COUNTY: ("list_counties", self._client.list_counties, "city_code", "counties"),
        }
        name, call, parent_key, items_key = operations[level]
        parent = parent_code if level is not RegionLevel.PROVINCE else None
        regions: list[Region] = []
        while True:
            query: dict[str, Any] = {"offset": len(regions), "limit": REGION_PAGE_SIZE}
            if parent_key is not None:
                query[parent_key] = parent_code
            total, entries = self._pages.page(name, await call(query), "count", items_key)
            regions.extend(region_from_wire(entry, level, parent) for entry in entries)
            if not entries or len(regions) >= total:
                return tuple(regions)

    async def consumption(
        self,
        month: str,
        *,
        customer_id: str | None = None,
        reseller_id: str | None = None,
        itemised: bool = False,
    ) -> tuple[ConsumptionLine, ...]:
        """Bill lines (H.6.1 summed per customer, product and charge mode; H.6.2 itemised): see ``_consumption``."""
        return await self._bills.read(month, customer_id=customer_id, reseller_id=reseller_id, itemised=itemised)

    async def credit_history(
        self, customer_id: str, kind: CreditRecordKind, offset: int, limit: int
    ) -> Page[CreditRecord]:
        raise UnsupportedByProvider(PROVIDER, "credit histories")

    async def list_voucher_templates(self, offset: int, limit: int) -> Page[VoucherTemplate]:
        raise UnsupportedByProvider(PROVIDER, "voucher templates")

    async def voucher_template_products(self) -> tuple[str, ...]:
        raise UnsupportedByProvider(PROVIDER, "voucher templates")

    async def list_voucher_applications(self, offset: int, limit: int) -> Page[VoucherApplication]:
        raise UnsupportedByProvider(PROVIDER, "tier-2 voucher applications")

    async def get_voucher_application(self, native_id: str) -> VoucherApplication | None:
        raise UnsupportedByProvider(PROVIDER, "tier-2 voucher applications")

    async def list_voucher_records(
        self, offset: int, limit: int, *, customer_id: str | None = None
    ) -> Page[VoucherRecord]:
        """list_partner_coupons_record (H.6.4): vouchers issued and reclaimed, with their results."""
        return await self._promotions.voucher_records(offset, limit, customer_id)

    async def list_own_vouchers(self, offset: int, limit: int) -> Page[Voucher]:
        """list_sub_customer_coupons (H.6.5): the partner's own coupons, despite the name."""
        return await self._promotions.own_vouchers(offset, limit)

    async def new_customer_tags(self, customer_ids: Sequence[str]) -> Mapping[str, NewCustomerTag]:
        """list_sub_customer_new_tag (H.6.6), in batches."""
        return await self._promotions.new_customer_tags(customer_ids)

    async def incentive_policies(self, month: str, service_type: str | None = None) -> tuple[IncentivePolicy, ...]:
        """list_incentive_discount_policies (H.6.7) as of the end of ``month`` (UTC+8)."""
        return await self._promotions.incentive_policies(month, service_type)

    async def catalogue(self, kind: CatalogueKind, parent_code: str | None = None) -> tuple[CatalogueEntry, ...]:
        """The H.6.9 code tables."""
        return await self._promotions.catalogue(kind, parent_code)

    async def list_commissionable_products(self, offset: int, limit: int) -> Page[CommissionableProduct]:
        raise UnsupportedByProvider(PROVIDER, "commissionable products")

    async def renewal_rates(self, quarter: str) -> tuple[RenewalRate, ...]:
        raise UnsupportedByProvider(PROVIDER, "renewal rates")

    async def bill_files(self, month: str) -> tuple[BillFile, ...]:
        raise UnsupportedByProvider(PROVIDER, "the partner's bill files")

    async def quote_price(self, request: PriceRequest) -> PriceQuote:
        """list_on_demand_resource_ratings (H.4.21), or list_rate_on_period_detail (H.6.8) when the items name a
        subscription period: a price inquiry, retried like a read."""
        if not request.items:
            raise InvalidInput("a price inquiry needs at least one item", field="items")
        periods = {item.period is not None for item in request.items}
        if periods == {True, False}:
            raise InvalidInput("a price inquiry is pay-per-use or by subscription, not both", field="items")
        if periods == {True}:
            return period_quote_from_wire(
                await self._client.list_rate_on_period_detail(period_request_to_wire(request))
            )
        data = await self._client.list_on_demand_resource_ratings(price_request_to_wire(request))
        return price_quote_from_wire(data)

    async def execute(self, intent: Intent) -> Receipt:
        """Apply one write, once (see ``_writes``)."""
        return await self._writer.execute(intent)

    async def find_applied(self, intent: Intent, since: datetime, exclude: frozenset[str]) -> Receipt | None:
        """Look for a write's effect in the upstream's records (see ``_reconcile``)."""
        return await self._reconciler.find_applied(intent, since, exclude)

    async def _scan(self, page: Callable[[int, int], Awaitable[Page[T]]]) -> list[T]:
        found: list[T] = []
        offset = 0
        while True:
            window = await page(offset, self._pages.page_size)
            found.extend(window.items)
            offset += len(window.items)
            if not window.items or offset >= window.total:
                return found


def _xaccount_type(account: PartnerAccount) -> str:
    value = account.settings.get("xaccount_type", DEFAULT_XACCOUNT_TYPE)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"accounts.{account.id}.settings.xaccount_type", "must be a non-empty string")
    return value


def _page_size(account: PartnerAccount) -> int:
    value = account.settings.get("page_size", DEFAULT_PAGE_SIZE)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
        raise ConfigError(f"accounts.{account.id}.settings.page_size", f"must be an integer from 1 to {MAX_PAGE_SIZE}")
    return value


if TYPE_CHECKING:

    def _is_a_provider(provider: HuaweiCloudProvider) -> Provider:
        return provider  # mypy (strict) checks the class against the Provider protocol here


async def _each(ids: Sequence[str], one: Callable[[str], Awaitable[list[Wire]]]) -> list[Wire]:
    """The entries of one call per id, all at once (no batch form; the account's limits bound what goes out
    together), in the ids' order."""
    return [entry for entries in await asyncio.gather(*(one(i) for i in ids)) for entry in entries]
