"""Customers' consumption history: the fee records every bill operation reads (CONTRACTS.md H.6.1-H.6.3).

Deterministic from the seed and generated lazily, one customer-month at a time (LRU caches keep the
recent ones): each customer owns one to four resources (a product of the H.6.9 catalogue in a region,
pay-per-use or yearly/monthly) and is charged for them every month from its association on, for the last
18 months; some months are quiet, some subscriptions are partly refunded (negative, ``bill_type`` 1). A
record is visible once the simulator clock has passed its ``trade_time``, so nothing is billed in the
future and the current month grows as the clock moves. ``add_consumption`` charges a customer now.

Billing months are UTC+8 (Huawei's bills); ``trade_time`` is UTC. Amounts are in cents, so sums are exact.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ._products import PRODUCTS, REGION_NAMES, Product
from ._reference import REGIONS
from ._state import PartnerState, SimulatorState, SubCustomer, timestamp

__all__ = [
    "DETAIL_TYPES",
    "PAY_PER_USE",
    "REGIONS",
    "SUBSCRIPTION",
    "WINDOW_MONTHS",
    "ZERO",
    "FeeRecord",
    "add_consumption",
    "fee_records",
    "month_of",
    "month_start",
    "months_between",
]

CHINA = timedelta(hours=8)  # billing months are UTC+8
WINDOW_MONTHS = 18  # H.6.2: records of the last 18 months (this one and the 17 before it)
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
SUBSCRIPTION, PAY_PER_USE = 1, 3  # charging_mode (H.6.2) / charge_mode (H.6.1, a string there)
NEW, RENEWAL, REFUND, USAGE = 1, 2, 4, 5  # bill_detail_type (H.6.2)
_REFUNDS = frozenset({REFUND, 20, 24})  # refund bill_detail_types: bill_type 1 (unsubscribe) in H.6.1
DETAIL_TYPES = frozenset({1, 2, 3, 4, 5, 8, 9, 14, 16, 18, 20, 23, 24, 25, 103})
_QUIET = 0.12  # chance that a customer consumes nothing in a month


def month_start(month: str) -> datetime:
    """The UTC instant a ``YYYY-MM`` billing month (UTC+8) begins."""
    year, number = int(month[:4]), int(month[5:7])
    return datetime(year, number, 1, tzinfo=UTC) - CHINA


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def month_of(moment: datetime) -> str:
    return (moment.astimezone(UTC) + CHINA).strftime("%Y-%m")


def months_between(earlier: str, later: str) -> int:
    return (int(later[:4]) - int(earlier[:4])) * 12 + int(later[5:7]) - int(earlier[5:7])


@dataclass(frozen=True, slots=True)
class FeeRecord:
    """One fee record (H.6.2): a charge (or, negative, a refund) of one resource of one customer."""

    record_id: str
    customer_id: str
    partner_id: str  # the partner (tier-1 or tier-2 domain id) the customer is associated with
    association_type: str
    trade_time: datetime
    product: Product
    region: str
    charging_mode: int
    bill_detail_type: int
    usage_amount: Decimal
    official_amount: Decimal  # negative on refunds
    discount_amount: Decimal
    coupon_amount: Decimal
    debt_amount: Decimal
    resource_id: str
    trade_id: str
    account_manager_id: str | None

    @property
    def bill_cycle(self) -> str:
        return month_of(self.trade_time)

    @property
    def day(self) -> date:
        """The UTC+8 date of the charge (what ``bill_date_begin``/``_end`` compare)."""
        return (self.trade_time + CHINA).date()

    @property
    def payment_amount(self) -> Decimal:
        return self.official_amount - self.discount_amount

    @property
    def cash_amount(self) -> Decimal:
        return self.payment_amount - self.coupon_amount - self.debt_amount

    @property
    def bill_type(self) -> str:
        """H.6.1's ``bill_type``: ``1`` unsubscribe (refund) or ``0`` consumption."""
        return "1" if self.bill_detail_type in _REFUNDS else "0"

    def to_wire(self) -> dict[str, Any]:
        product = self.product
        subscription = self.charging_mode == SUBSCRIPTION
        return {
            "bill_cycle": self.bill_cycle,
            "customer_id": self.customer_id,
            "association_type": self.association_type,
            "service_type_code": product.service_type,
            "resource_type_code": product.resource_type,
            "service_type_name": product.service_name,
            "resource_type_name": product.resource_name,
            "charging_mode": self.charging_mode,
            "trade_time": timestamp(self.trade_time),
            "trade_id": self.trade_id,
            "id": self.record_id,
            "bill_detail_type": self.bill_detail_type,
            "resource_id": self.resource_id,
            "resource_name": f"{product.spec.split('.')[0]}-{self.resource_id[:6]}",
            "product_spec_desc": f"{product.service_name} | {product.spec}",
            "region_code": self.region,
            "region_name": REGION_NAMES[self.region],
            "product_id": product.product_id,
            "product_name": f"{product.resource_name} {product.spec}",
            "resource_tag": None,
            "consume_time": timestamp(self.trade_time),
            "usage_type": product.usage_type,
            "usage_amount": self.usage_amount,
            "usage_measure_id": product.usage_measure_id,
            "free_resource_usage": ZERO,
            "free_resource_measure_id": product.usage_measure_id,
            "ri_usage": ZERO,
            "ri_usage_measure_id": product.usage_measure_id,
            "official_amount": self.official_amount,
            "official_discount_amount": self.discount_amount,
            "payment_amount": self.payment_amount,
            "cash_amount": self.cash_amount,
            "credit_amount": ZERO,
            "coupon_amount": self.coupon_amount,
            "flexipurchase_coupon_amount": ZERO,
            "stored_value_card_amount": ZERO,
            "debt_amount": self.debt_amount,
            "writeoff_amount": ZERO,
            "period_type": 20 if subscription else 25,  # month / hour
            "account_manager_id": self.account_manager_id,
            "partner_id": self.partner_id,
            "period_num": Decimal(1) if subscription else None,
            "enterprise_project_id": "0",
            "order_type": (4 if self.bill_detail_type == REFUND else self.bill_detail_type) if subscription else None,
            "payment_type": None,
        }


@dataclass(frozen=True, slots=True)
class _Resource:
    product: Product
    region: str
    charging_mode: int
    resource_id: str
    day: int  # a subscription's renewal day of the month


@dataclass(frozen=True, slots=True)
class _Owner:
    """What a customer's history depends on (the cache key with the seed and the month)."""

    customer_id: str
    partner_id: str
    association_type: str
    account_manager: str | None


def _owner(partner: PartnerState, customer: SubCustomer) -> _Owner:
    manager = customer.account_managers[0] if customer.account_managers else None
    return _Owner(customer.customer_id, partner.account.domain_id, customer.association_type, manager)


_PRODUCTS = sorted(PRODUCTS.values(), key=lambda p: p.product_id)


@lru_cache(maxsize=256)
def _resources(seed: int, customer_id: str) -> tuple[_Resource, ...]:
    rng = random.Random(f"bills/{seed}/{customer_id}")  # noqa: S311 (test data)
    owned = []
    for _ in range(rng.randrange(1, 5)):
        product = rng.choice(_PRODUCTS)
        mode = SUBSCRIPTION if product.subscribable and rng.random() < 0.4 else PAY_PER_USE
        owned.append(
            _Resource(product, rng.choice(REGIONS), mode, f"{rng.getrandbits(128):032x}", rng.randrange(1, 29))
        )
    return tuple(owned)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT)


@lru_cache(maxsize=512)
def _generated(seed: int, owner: _Owner, month: str) -> tuple[FeeRecord, ...]:
    """Every record of one customer-month, whatever the clock (the caller drops those not yet due)."""
    rng = random.Random(f"bills/{seed}/{owner.customer_id}/{month}")  # noqa: S311 (test data)
    if rng.random() < _QUIET:
        return ()
    start = month_start(month)
    length = month_start(_next_month(month)) - start
    records: list[FeeRecord] = []

    def record(resource: _Resource, moment: datetime, kind: int, usage: Decimal, official: Decimal) -> None:
        discount = _cents(official * Decimal("0.05")) if owner.association_type == "2" and kind != REFUND else ZERO
        paid = official - discount
        coupon = _cents(paid * Decimal("0.2")) if kind != REFUND and rng.random() < 0.1 else ZERO
        debt = _cents(paid * Decimal("0.1")) if kind != REFUND and rng.random() < 0.05 else ZERO
        serial = f"{rng.getrandbits(64):016x}"
        records.append(
            FeeRecord(
                record_id=f"FR{month.replace('-', '')}{serial}",
                customer_id=owner.customer_id,
                partner_id=owner.partner_id,
                association_type=owner.association_type,
                trade_time=moment,
                product=resource.product,
                region=resource.region,
                charging_mode=resource.charging_mode,
                bill_detail_type=kind,
                usage_amount=usage,
                official_amount=official,
                discount_amount=discount,
                coupon_amount=coupon,
                debt_amount=debt,
                resource_id=resource.resource_id,
                trade_id=("CS" if resource.charging_mode == SUBSCRIPTION else "BT") + serial[:14].upper(),
                account_manager_id=owner.account_manager,
            )
        )

    for resource in _resources(seed, owner.customer_id):
        product = resource.product
        if resource.charging_mode == SUBSCRIPTION:
            moment = start + timedelta(days=resource.day - 1, seconds=rng.randrange(3600, 80000))
            record(resource, moment, RENEWAL, Decimal(1), product.monthly)
            if rng.random() < 0.08:  # unsubscribed part-way: the rest of the month comes back
                back = -_cents(product.monthly * Decimal(rng.randrange(10, 60)) / 100)
                refund_at = moment + timedelta(days=rng.randrange(1, 3), seconds=rng.randrange(60, 3600))
                record(resource, refund_at, REFUND, Decimal(-1), back)
            continue
        for third in range(3):  # pay-per-use: one settlement per third of the month
            moment = start + length * (third + 1) / 3 - timedelta(seconds=rng.randrange(60, 7200))
            hours = Decimal(rng.randrange(60, 241))
            usage = Decimal(rng.randrange(20, 800)) if product.usage_type == "upFlow" else hours * product.size
            official = _cents(product.unit_price * usage)
            if official > 0:
                record(resource, moment, USAGE, usage, official)
    records.sort(key=lambda r: (r.trade_time, r.record_id))
    return tuple(records)


def _associated(customer: SubCustomer) -> datetime:
    return datetime.strptime(customer.associated_on, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def fee_records(state: SimulatorState, partner: PartnerState, customer: SubCustomer, month: str) -> list[FeeRecord]:
    """``customer``'s records of one billing month that the clock has reached, oldest first."""
    now = state.clock()
    if month_start(month) > now or months_between(month, month_of(now)) >= WINDOW_MONTHS:
        return []  # the future, or older than the 18 months kept (H.6.2)
    since = _associated(customer)
    generated = _generated(state.seed, _owner(partner, customer), month)
    added = [f for f in partner.added_fees if f.customer_id == customer.customer_id and f.bill_cycle == month]
    due = [r for r in (*generated, *added) if since <= r.trade_time <= now]
    due.sort(key=lambda r: r.trade_time)
    return due


def add_consumption(
    state: SimulatorState,
    customer_id: str,
    amount: Decimal,
    *,
    service_type: str,
    resource_type: str | None = None,
    charge_mode: int = PAY_PER_USE,
    region: str = REGIONS[0],
) -> FeeRecord:
    """Charge ``customer_id`` ``amount`` now (negative: a refund) for a product of ``service_type``.

    The record shows at once in H.6.1 (resale customers), H.6.2 and H.6.3. Raises ``ValueError`` for an
    unknown customer, product, region or charge mode, or an amount that is zero or not in cents.
    """
    with state.lock:
        now = state.clock()
        found = [(p, c) for p in state.partners for c in p.customers if c.customer_id == customer_id and c.visible(now)]
        if not found:
            raise ValueError(f"no associated customer {customer_id!r}")
        partner, customer = found[0]
        product = next(
            (
                p
                for p in PRODUCTS.values()
                if p.service_type == service_type and resource_type in (None, p.resource_type)
            ),
            None,
        )
        if product is None:
            raise ValueError(f"no product of {service_type!r} {resource_type or ''}".strip())
        if region not in REGIONS:
            raise ValueError(f"unknown region {region!r}")
        if charge_mode not in (SUBSCRIPTION, PAY_PER_USE):
            raise ValueError("charge_mode must be 1 (yearly/monthly) or 3 (pay-per-use)")
        if not amount or amount != amount.quantize(CENT):
            raise ValueError("amount must be non-zero and in cents")
        refund = amount < 0
        usage = Decimal(1) if charge_mode == SUBSCRIPTION else (amount / product.unit_price).quantize(Decimal("0.0001"))
        record = FeeRecord(
            record_id=state.new_serial("FR"),
            customer_id=customer.customer_id,
            partner_id=partner.account.domain_id,
            association_type=customer.association_type,
            trade_time=now.astimezone(UTC).replace(microsecond=0),
            product=product,
            region=region,
            charging_mode=charge_mode,
            bill_detail_type=REFUND if refund else (NEW if charge_mode == SUBSCRIPTION else USAGE),
            usage_amount=-usage if refund else usage,
            official_amount=amount,
            discount_amount=ZERO,
            coupon_amount=ZERO,
            debt_amount=ZERO,
            resource_id=state.new_id(),
            trade_id=state.new_serial("CS" if charge_mode == SUBSCRIPTION else "BT"),
            account_manager_id=customer.account_managers[0] if customer.account_managers else None,
        )
        partner.added_fees.append(record)
        return record
