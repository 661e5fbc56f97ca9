"""A provider plug-in held in memory: implements the port (gateway.provider), for gateway-level tests."""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import TypeVar

import httpx

from gateway.errors import ProviderError, ProviderUnavailable, Reason, UnsupportedByProvider
from gateway.models import (
    AccountType,
    Balance,
    BalanceKind,
    BillFile,
    CatalogueEntry,
    CatalogueKind,
    ChargeMode,
    CommissionableProduct,
    ConsumptionLine,
    ConsumptionSource,
    CreditRecord,
    CreditRecordKind,
    Customer,
    CustomerStatus,
    Funds,
    IncentivePolicy,
    LedgerEntry,
    Money,
    NewCustomerTag,
    Note,
    Order,
    OrderStatus,
    OrderType,
    Page,
    PartnerAccount,
    PriceQuote,
    PriceRequest,
    ProgramFacts,
    QuotaMovement,
    QuotaMovementKind,
    Region,
    RegionLevel,
    RenewalRate,
    Reseller,
    Voucher,
    VoucherApplication,
    VoucherQuota,
    VoucherRecord,
    VoucherStatus,
    VoucherTemplate,
    month_of,
)
from gateway.provider import ASGIApp, Capability, Credentials, DemoUpstream, SettingSpec
from gateway.retry import RetryPolicy
from gateway.writes import Intent, Receipt, ReclaimFunds, TransferFunds

T = TypeVar("T")

OWNERS = ("wang", "li", "zhao")
#: The fake cloud's partner program: its money moves for RESALE customers, in CNY.
FAKE_PROGRAM = ProgramFacts(
    roles={"distributor": "a fake distributor", "reseller": "a fake distributor's tier-2"},
    currencies=frozenset({"CNY"}),
    money_account_types=frozenset({AccountType.RESALE}),
    rebate_roles=frozenset({"distributor"}),
    no_incentive_roles=frozenset({"reseller"}),
    upgrade_roles=frozenset({"reseller"}),
    reseller_role="reseller",
)
ALL_CAPABILITIES = frozenset(Capability) - {Capability.LIST_NOTES, Capability.SET_CREDIT_LINE}


CHINA = timezone(timedelta(hours=8))
FAKE_PRODUCTS = (("ecs", "Fake compute"), ("rds", "Fake database"), ("oss", "Fake storage"))


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def make_customers(account_id: str, count: int, provider: str = "fake") -> list[Customer]:
    return [
        Customer(
            provider=provider,
            partner_id=account_id,
            native_id=f"{account_id}-{n}",
            name=f"Customer {n}",
            owner=OWNERS[n % len(OWNERS)],
            status=CustomerStatus.FROZEN if n % 5 == 4 else CustomerStatus.ASSOCIATED,
            account_type=AccountType.RESALE if n % 2 == 0 else AccountType.ADVISORY,
            email=f"c{n}@example.com",
            phone=f"1380000{n:04d}",
        )
        for n in range(count)
    ]


@dataclass
class FakeProvider:
    account: PartnerAccount
    customers: Sequence[Customer]
    capabilities: frozenset[Capability] = ALL_CAPABILITIES
    short_pages: int | None = None
    """Return at most this many items per call, as some upstreams do."""
    fail_with: Exception | None = None
    calls: list[tuple[int, int]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    vouchers: list[Voucher] = field(default_factory=list)
    ledger: list[tuple[str, str, Decimal, datetime]] = field(default_factory=list)
    """Applied transfers: (transfer id, customer id, signed amount, when)."""
    next_write: str | None = None
    """'ambiguous' (apply, then lose the reply), 'drop' (lose it before applying), 'late' (the request
    goes out only after ``late_send`` seconds, as when refusals were retried, and lands ``late_land``
    seconds after its reply was given up on) or None."""
    late_send: float = 0.0
    late_land: float = 0.0
    landing: list[asyncio.Task[None]] = field(default_factory=list)
    records_unreadable: bool = False
    orders: list[Order] = field(default_factory=list)
    resellers: list[Reseller] = field(default_factory=list)
    funds_errors: dict[str, ProviderError] = field(default_factory=dict)
    """Customer or reseller ids whose funds read fails, with the error it fails with (the others stand)."""
    consumption_records: list[ConsumptionLine] = field(default_factory=list)
    """Itemised consumption (one line per record, with its day): every customer, every month from 13 before
    this one (UTC+8) to this one; every fourth customer is reseller ``r0``'s."""
    consumption_fails: ProviderError | None = None
    """Raised by ``consumption`` only (the account's other reads stand)."""

    def __post_init__(self) -> None:
        pid, prov = self.account.id, self.account.provider
        for n, customer in enumerate(self.customers):
            if n % 3 == 0:
                self.vouchers.append(
                    Voucher(
                        prov,
                        pid,
                        f"v-{customer.native_id}",
                        customer.native_id,
                        cny("100"),
                        cny("40"),
                        VoucherStatus.AVAILABLE,
                    )
                )
            self.orders.append(
                Order(
                    prov,
                    pid,
                    f"o-{customer.native_id}",
                    customer.native_id,
                    OrderStatus.COMPLETED,
                    OrderType.NEW,
                    amount_due=cny("99.90"),
                    created_at=datetime(2026, 1, 1, tzinfo=UTC),
                )
            )
        self.resellers = [Reseller(prov, pid, f"r{n}", f"Reseller {n}") for n in range(3)]
        today = datetime.now(UTC).astimezone(CHINA).date()
        for back in range(13, -1, -1):
            year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
            day = date(year, month + 1, 1)
            for n, customer in enumerate(self.customers):
                code, name = FAKE_PRODUCTS[n % len(FAKE_PRODUCTS)]
                self.consumption_records.append(
                    ConsumptionLine(
                        customer.native_id,
                        month_of(day),
                        code,
                        name,
                        ChargeMode.SUBSCRIPTION,
                        cny(f"{100 + n}.{back:02d}"),
                        ConsumptionSource.BILL,
                        day=day,
                        record_id=f"fee-{customer.native_id}-{month_of(day)}",
                        reseller_id="r0" if n % 4 == 0 else None,
                    )
                )

    def _call(self, name: str) -> None:
        self.counts[name] += 1
        if self.fail_with is not None:
            raise self.fail_with

    def _page(self, name: str, items: Sequence[T], offset: int, limit: int) -> Page[T]:
        self._call(name)
        if self.short_pages is not None:
            limit = min(limit, self.short_pages)
        return Page(tuple(items[offset : offset + limit]), len(items))

    async def ping(self) -> None:
        self._call("ping")

    async def list_customers(self, offset: int, limit: int) -> Page[Customer]:
        self.calls.append((offset, limit))
        return self._page("list_customers", self.customers, offset, limit)

    async def get_customers(self, native_ids: Sequence[str]) -> Mapping[str, Customer]:
        self._call("get_customers")
        return {c.native_id: c for c in self.customers if c.native_id in native_ids}

    async def list_reseller_customers(self, reseller_id: str, offset: int, limit: int) -> Page[Customer]:
        return self._page("list_reseller_customers", self.customers[:2], offset, limit)

    async def customer_funds(self, customer_ids: Sequence[str]) -> Mapping[str, Funds | ProviderError]:
        self._call("customer_funds")
        funds = {i: Funds(i, cny("500.00"), debt=cny("0")) for i in customer_ids if i.endswith(("0", "2", "4"))}
        return {**funds, **{i: e for i, e in self.funds_errors.items() if i in customer_ids}}

    async def partner_balances(self) -> tuple[Balance, ...]:
        self._call("partner_balances")
        return (Balance(BalanceKind.ALLOCATABLE, cny("100000.00")),)

    async def list_resellers(self, offset: int, limit: int) -> Page[Reseller]:
        return self._page("list_resellers", self.resellers, offset, limit)

    async def get_resellers(self, native_ids: Sequence[str]) -> Mapping[str, Reseller]:
        self._call("get_resellers")
        return {r.native_id: r for r in self.resellers if r.native_id in native_ids}

    async def reseller_funds(self, reseller_ids: Sequence[str]) -> Mapping[str, Funds | ProviderError]:
        self._call("reseller_funds")
        funds = {i: Funds(i, cny("7.00")) for i in reseller_ids}
        return {**funds, **{i: e for i, e in self.funds_errors.items() if i in reseller_ids}}

    async def list_vouchers(self, offset: int, limit: int, *, customer_id: str | None = None) -> Page[Voucher]:
        items = [v for v in self.vouchers if customer_id is None or v.customer_id == customer_id]
        return self._page("list_vouchers", items, offset, limit)

    async def get_vouchers(self, native_ids: Sequence[str]) -> Mapping[str, Voucher]:
        self._call("get_vouchers")
        return {v.native_id: v for v in self.vouchers if v.native_id in native_ids}

    async def list_voucher_quotas(
        self, offset: int, limit: int, *, reseller_id: str | None = None
    ) -> Page[VoucherQuota]:
        return self._page("list_voucher_quotas", [], offset, limit)

    async def list_orders(
        self,
        offset: int,
        limit: int,
        *,
        customer_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Page[Order]:
        items = [o for o in self.orders if customer_id is None or o.customer_id == customer_id]
        return self._page("list_orders", items, offset, limit)

    async def get_orders(self, native_ids: Sequence[str]) -> Mapping[str, Order]:
        self._call("get_orders")
        return {o.native_id: o for o in self.orders if o.native_id in native_ids}

    async def list_notes(self, customer_id: str, offset: int, limit: int) -> Page[Note]:
        raise UnsupportedByProvider(self.account.provider, "notes")

    async def list_ledger(self, offset: int, limit: int, *, reseller_id: str | None = None) -> Page[LedgerEntry]:
        return self._page("list_ledger", [], offset, limit)

    async def list_quota_movements(
        self, offset: int, limit: int, *, reseller_id: str | None = None
    ) -> Page[QuotaMovement]:
        """One grant to each reseller, newest (the last reseller's) first."""
        movements = [
            QuotaMovement(f"qm-{r.native_id}", QuotaMovementKind.GRANT, cny("30.00"), True, reseller_id=r.native_id)
            for r in reversed(self.resellers)
            if reseller_id is None or r.native_id == reseller_id
        ]
        return self._page("list_quota_movements", movements, offset, limit)

    async def list_regions(self, level: RegionLevel, parent_code: str | None = None) -> tuple[Region, ...]:
        self._call("list_regions")
        return (Region("11", "北京", level, parent_code),)

    async def consumption(
        self,
        month: str,
        *,
        customer_id: str | None = None,
        reseller_id: str | None = None,
        itemised: bool = False,
    ) -> tuple[ConsumptionLine, ...]:
        """The records of ``month`` (narrowed as asked); not itemised: summed per customer, product, charge
        mode and currency, as the seam says."""
        self._call("consumption")
        if self.consumption_fails is not None:
            raise self.consumption_fails
        lines = [
            line
            for line in self.consumption_records
            if line.month == month
            and (customer_id is None or line.customer_id == customer_id)
            and (reseller_id is None or line.reseller_id == reseller_id)
        ]
        if itemised:
            return tuple(lines)
        sums: dict[tuple[str, str, ChargeMode, str], ConsumptionLine] = {}
        for line in lines:
            key = (line.customer_id, line.product_code, line.charge_mode, line.amount.currency)
            before = sums[key].amount.amount if key in sums else Decimal(0)
            sums[key] = replace(
                line, amount=Money(before + line.amount.amount, line.amount.currency), day=None, record_id=None
            )
        return tuple(sums.values())

    async def credit_history(
        self, customer_id: str, kind: CreditRecordKind, offset: int, limit: int
    ) -> Page[CreditRecord]:
        raise UnsupportedByProvider(self.account.provider, "credit histories")

    async def list_voucher_templates(self, offset: int, limit: int) -> Page[VoucherTemplate]:
        raise UnsupportedByProvider(self.account.provider, "voucher templates")

    async def voucher_template_products(self) -> tuple[str, ...]:
        raise UnsupportedByProvider(self.account.provider, "voucher templates")

    async def list_voucher_applications(self, offset: int, limit: int) -> Page[VoucherApplication]:
        raise UnsupportedByProvider(self.account.provider, "tier-2 voucher applications")

    async def get_voucher_application(self, native_id: str) -> VoucherApplication | None:
        raise UnsupportedByProvider(self.account.provider, "tier-2 voucher applications")

    async def list_voucher_records(
        self, offset: int, limit: int, *, customer_id: str | None = None
    ) -> Page[VoucherRecord]:
        raise UnsupportedByProvider(self.account.provider, "the voucher issue and reclaim log")

    async def list_own_vouchers(self, offset: int, limit: int) -> Page[Voucher]:
        raise UnsupportedByProvider(self.account.provider, "the partner's own vouchers")

    async def new_customer_tags(self, customer_ids: Sequence[str]) -> Mapping[str, NewCustomerTag]:
        raise UnsupportedByProvider(self.account.provider, "new-customer tags")

    async def incentive_policies(self, month: str, service_type: str | None = None) -> tuple[IncentivePolicy, ...]:
        raise UnsupportedByProvider(self.account.provider, "incentive policies")

    async def catalogue(self, kind: CatalogueKind, parent_code: str | None = None) -> tuple[CatalogueEntry, ...]:
        raise UnsupportedByProvider(self.account.provider, "the product catalogue")

    async def list_commissionable_products(self, offset: int, limit: int) -> Page[CommissionableProduct]:
        raise UnsupportedByProvider(self.account.provider, "commissionable products")

    async def renewal_rates(self, quarter: str) -> tuple[RenewalRate, ...]:
        raise UnsupportedByProvider(self.account.provider, "renewal rates")

    async def bill_files(self, month: str) -> tuple[BillFile, ...]:
        raise UnsupportedByProvider(self.account.provider, "the partner's bill files")

    async def quote_price(self, request: PriceRequest) -> PriceQuote:
        self._call("quote_price")
        return PriceQuote(cny("10"), cny("1"), cny("9"))

    def balance(self, customer_id: str) -> Decimal:
        return sum((amount for _, c, amount, _ in self.ledger if c == customer_id), Decimal(0))

    async def execute(self, intent: Intent) -> Receipt:
        self._call("execute")
        if not isinstance(intent, TransferFunds | ReclaimFunds):
            raise UnsupportedByProvider(self.account.provider, intent.kind)
        mode, self.next_write = self.next_write, None
        if mode == "drop":
            raise ProviderUnavailable(
                "connection lost", provider="fake", partner_id=self.account.id, outcome_unknown=True
            )
        if mode == "late":
            await asyncio.sleep(self.late_send)
            self.landing.append(asyncio.ensure_future(self._land_later(intent)))
            raise ProviderUnavailable("read timeout", provider="fake", partner_id=self.account.id, outcome_unknown=True)
        sign = 1 if isinstance(intent, TransferFunds) else -1
        if sign < 0 and self.balance(intent.customer_id) < intent.amount.amount:
            raise ProviderError(
                "insufficient balance",
                provider="fake",
                partner_id=self.account.id,
                upstream_code="CBC.99006001",
                request_id="req-refused",
                reason=Reason.INSUFFICIENT_FUNDS,
            )
        transfer_id = f"t{len(self.ledger) + 1}"
        self.ledger.append((transfer_id, intent.customer_id, sign * intent.amount.amount, datetime.now(UTC)))
        if mode == "ambiguous":
            raise ProviderUnavailable("reply lost", provider="fake", partner_id=self.account.id, outcome_unknown=True)
        return Receipt((transfer_id,), request_id=f"req-{transfer_id}")

    async def _land_later(self, intent: Intent) -> None:
        await asyncio.sleep(self.late_land)
        assert isinstance(intent, TransferFunds)
        self.ledger.append((f"t{len(self.ledger) + 1}", intent.customer_id, intent.amount.amount, datetime.now(UTC)))

    async def find_applied(self, intent: Intent, since: datetime, exclude: frozenset[str]) -> Receipt | None:
        self._call("find_applied")
        if self.records_unreadable:
            raise ProviderUnavailable("records unavailable", provider="fake", partner_id=self.account.id)
        assert isinstance(intent, TransferFunds | ReclaimFunds)
        sign = 1 if isinstance(intent, TransferFunds) else -1
        for transfer_id, customer_id, amount, at in self.ledger:
            wanted = (customer_id, amount) == (intent.customer_id, sign * intent.amount.amount)
            if wanted and at >= since and transfer_id not in exclude:
                return Receipt((transfer_id,), request_id=f"req-{transfer_id}")
        return None


class FakePlugin:
    """Serves every account from ``data``: account id -> customer count (or an exception to raise)."""

    name = "fake"
    title = "Fake Cloud"
    program = FAKE_PROGRAM
    default_endpoint = "https://fake.invalid"
    credential_names = ("token",)
    settings = (SettingSpec("region", str, required=True), SettingSpec("page_size", int, minimum=1, maximum=100))

    def __init__(self, data: dict[str, int | Exception] | None = None) -> None:
        self.data = data or {}
        self.created: dict[str, FakeProvider] = {}

    def create(
        self,
        account: PartnerAccount,
        credentials: Credentials,
        http: httpx.AsyncClient,
        *,
        retry: RetryPolicy | None = None,
    ) -> FakeProvider:
        spec = self.data.get(account.id, 0)
        if isinstance(spec, Exception):
            provider = FakeProvider(account, make_customers(account.id, 3), fail_with=spec)
        else:
            provider = FakeProvider(account, make_customers(account.id, spec))
        if account.id in self.created:  # the upstream outlives a gateway restart
            provider.ledger = self.created[account.id].ledger
        self.created[account.id] = provider
        return provider

    def demo(self) -> DemoUpstream | None:
        return None

    def add_simulator_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=0)

    def simulator(self, options: argparse.Namespace) -> tuple[ASGIApp, list[str]]:
        raise NotImplementedError


def unavailable(account_id: str) -> ProviderError:
    return ProviderUnavailable(
        "upstream returned HTTP 503",
        provider="fake",
        partner_id=account_id,
        upstream_code="ServiceUnavailable",
        request_id="req-1",
    )
