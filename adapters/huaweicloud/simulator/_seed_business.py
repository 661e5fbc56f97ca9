"""Deterministic seed of everything but the customers: balances, quotas, vouchers, orders, resources, records.

Money history is built forward in time (a top-up, then allocations), so each record's balance after the
change is what the running balance really was. Dates count back from ``anchor`` (the simulator clock
when the app is built, at midnight): the same seed on the same day gives the same data.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from adapters.huaweicloud._roles import PartnerRole

from ._promotions import EXPIRY_RECLAIM, ISSUE, MANUAL_RECLAIM, coupon_record, seed_own_coupons
from ._reference import REGIONS, SERVICES
from ._state import ALLOCATABLE, Coupon, PartnerState, Quota, SimulatorState, SubCustomer, timestamp

__all__ = ["seed_business", "seed_reseller_quotas"]

_CENT = Decimal("0.01")
#: account_type -> (amount, designated) by role (H.4.9): 1 cash, 2 credit, 5 bonus, 8 allocatable.
_BALANCES = {
    PartnerRole.TIER1_DISTRIBUTOR: {
        1: ("52000.00", "0"),
        2: ("0", "0"),
        5: ("1200.50", "0"),
        8: ("1000000.00", "20000.00"),
    },
    PartnerRole.TIER2_RESELLER: {1: ("3000.00", "0"), 8: ("50000.00", "0")},
    PartnerRole.SOLUTION_PROVIDER: {1: ("8000.00", "0"), 8: ("200000.00", "0")},
}
_LIMIT_INFOS = [
    {
        "limit_key": "CLOUD_SERVICE_TYPE",
        "limit_values": [{"value1": "hws.service.type.ec2"}, {"value1": "hws.service.type.ebs"}],
    }
]


def _cents(rng: random.Random, low: int, high: int) -> Decimal:
    return (Decimal(rng.randrange(low * 100, high * 100)) * _CENT).quantize(_CENT)


def _parse(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def seed_business(seed: int, partner: PartnerState, anchor: datetime) -> None:
    """Fill ``partner``'s money, quotas, vouchers, orders and resources (its customers already exist)."""
    rng = random.Random(f"business/{seed}/{partner.account.domain_id}")  # noqa: S311 (test data)
    role = partner.account.role
    for account_type, (value, designated) in _BALANCES.get(role, _BALANCES[PartnerRole.TIER1_DISTRIBUTOR]).items():
        partner.balances[account_type] = Decimal(value)
        partner.designated[account_type] = Decimal(designated)
    if role is PartnerRole.TIER1_DISTRIBUTOR:
        partner.credit_limit = Decimal("100000.00")
    resale = [c for c in partner.customers if c.is_resale]
    _seed_funds(rng, partner, resale, anchor)
    if role is not PartnerRole.TIER2_RESELLER:
        _seed_quotas(rng, partner, anchor)
    seed_coupons(rng, partner, resale, anchor)
    _seed_orders(rng, partner, anchor)
    _seed_resources(rng, partner, resale, anchor)
    seed_own_coupons(partner, anchor)


def _seed_funds(rng: random.Random, partner: PartnerState, resale: list[SubCustomer], anchor: datetime) -> None:
    funded = [c for c in resale if rng.random() < 0.8]
    for customer in funded:
        customer.amount = _cents(rng, 100, 20000)
        if rng.random() < 0.2:
            customer.debt_amount = _cents(rng, 1, 500)
    final = partner.balances[ALLOCATABLE]
    running = final + sum((c.amount for c in funded), Decimal(0))
    start = anchor - timedelta(days=300)
    times = sorted(start + timedelta(seconds=rng.randrange(0, 290 * 86400)) for _ in funded)
    partner.change_records.append(
        (
            "BALANCE_TYPE_DEBIT",
            _change(
                f"AC{partner.account.domain_id[:6]}000",
                "SOURCE_OPERAIION_RECHARGE",
                start - timedelta(days=1),
                running,
                running,
                "1",
                None,
                None,
            ),
        )
    )
    for index, (customer, moment) in enumerate(zip(funded, times, strict=True)):
        running -= customer.amount
        trans_id = f"TR{moment:%y%m%d%H%M%S}{index:06d}"
        name = customer.customer or customer.account_name
        partner.adjust_records.append(
            {
                "customer_id": customer.customer_id,
                "customer_name": name,
                "operation_type": "SOURCE_OPERATION_BEADJUST",
                "amount": f"{customer.amount:.2f}",
                "currency": "CNY",
                "apply_scene": "1",
                "operation_time": timestamp(moment),
                "measure_id": 1,
                "trans_id": trans_id,
                "memo": None,
            }
        )
        partner.change_records.append(
            (
                "BALANCE_TYPE_DEBIT",
                _change(
                    f"AC{trans_id[2:]}",
                    "SOURCE_OPERATION_BEADJUST",
                    moment,
                    customer.amount,
                    running,
                    "2",
                    customer.customer_id,
                    name,
                    trans_id,
                ),
            )
        )
    credit_at = start + timedelta(days=3)
    partner.change_records.append(
        (
            "BALANCE_TYPE_CREDIT",
            _change(
                f"AC{partner.account.domain_id[:6]}001",
                "SOURCE_OPERAIION_ADJUST_CREDIT",
                credit_at,
                partner.credit_limit,
                partner.credit_limit,
                "1",
                None,
                None,
            ),
        )
    )
    partner.change_records.sort(key=lambda kind_record: kind_record[1]["trade_time"])


def _change(
    change_id: str,
    detail: str,
    moment: datetime,
    amount: Decimal,
    after: Decimal,
    kind: str,
    customer_id: str | None,
    name: str | None,
    trade_id: str | None = None,
) -> dict[str, object]:
    return {
        "account_change_id": change_id,
        "trade_detail_type": detail,
        "trade_time": timestamp(moment),
        "trade_id": trade_id or change_id,
        "change_amount": f"{amount:.2f}",
        "balance_after_change": f"{after:.2f}",
        "type": kind,
        "customer_id": customer_id,
        "account_name": name,
    }


def _seed_quotas(rng: random.Random, partner: PartnerState, anchor: datetime) -> None:
    for index, (value, status) in enumerate((("100000.00", 0), ("20000.00", 0), ("5000.00", 3))):
        created = anchor - timedelta(days=200 - index * 30)
        expires = anchor + timedelta(days=165 + index * 30) if status == 0 else anchor - timedelta(days=5)
        partner.quotas.append(
            Quota(
                quota_id=f"Q{rng.getrandbits(64):016x}",
                owner_domain_id=partner.account.domain_id,
                quota_value=Decimal(value),
                balance=Decimal(value),
                quota_status=status,
                create_time=timestamp(created),
                last_update_time=timestamp(created),
                effective_time=timestamp(created),
                expire_time=timestamp(expires),
                limit_infos=list(_LIMIT_INFOS),
            )
        )


def seed_coupons(rng: random.Random, partner: PartnerState, resale: list[SubCustomer], anchor: datetime) -> None:
    quota = next((q for q in partner.quotas if q.quota_status == 0), None)
    if quota is None:
        return
    for index, customer in enumerate(resale[:8]):
        status = (2, 2, 3, 4, 5, 2, 1, 3)[index]
        face = Decimal((500, 1000, 200, 300, 800, 1500, 600, 100)[index]).quantize(_CENT)
        created = anchor - timedelta(days=120 - index * 9)
        expires = created + timedelta(days=90 if status == 4 else 365)
        balance = {3: Decimal("0.00"), 5: Decimal("0.00")}.get(
            status, face if status != 2 else face - _cents(rng, 0, 50)
        )
        if status != 5:  # a reclaimed voucher gave its (unused) balance back to the quota
            quota.balance -= face
        coupon = Coupon(
            coupon_id=f"CP{rng.getrandbits(64):016x}",
            customer_id=customer.customer_id,
            quota_id=quota.quota_id,
            face_value=face,
            balance=balance,
            status=status,
            create_time=timestamp(created),
            effective_time=timestamp(created),
            expire_time=timestamp(expires),
            cloud_service_types=["hws.service.type.ec2"],
        )
        partner.coupons.append(coupon)
        _coupon_records(partner, coupon, created, expires)


def _coupon_records(partner: PartnerState, coupon: Coupon, created: datetime, expires: datetime) -> None:
    """The issue record of a seeded voucher (H.6.4), and its reclaim: by hand (status 5), on expiry (4)."""
    log = [(ISSUE, created, coupon.face_value)]
    if coupon.status == 5:
        log.append((MANUAL_RECLAIM, created + timedelta(days=30), coupon.face_value))
    elif coupon.status == 4:
        log.append((EXPIRY_RECLAIM, expires, coupon.balance))
    for index, (kind, moment, value) in enumerate(log):
        coupon_record(
            partner,
            record_id=f"CR{coupon.coupon_id[2:]}{index}",
            kind=kind,
            moment=timestamp(moment),
            customer_id=coupon.customer_id,
            quota_id=coupon.quota_id,
            coupon=coupon,
            amount=value,
        )


def _seed_orders(rng: random.Random, partner: PartnerState, anchor: datetime) -> None:
    customers = [c for c in partner.customers if _parse(c.associated_on) < anchor]
    services = sorted(SERVICES)
    for index in range(min(40, len(customers) * 2)):
        customer = rng.choice(customers)
        earliest = max(_parse(customer.associated_on), anchor - timedelta(days=330))
        created = earliest + timedelta(seconds=rng.randrange(0, max(1, int((anchor - earliest).total_seconds()))))
        service = rng.choice(services)
        status = rng.choice((5, 5, 5, 6, 4, 1, 3))
        order_type = rng.choice((1, 1, 2, 3, 4))
        official = _cents(rng, 50, 30000)
        discount = (official * Decimal(rng.choice(("0", "0.05", "0.1", "0.15")))).quantize(_CENT)
        coupon = _cents(rng, 0, 50) if status == 5 and rng.random() < 0.3 else Decimal("0.00")
        after = official - discount
        paid = created + timedelta(minutes=rng.randrange(1, 600)) if status == 5 else None
        partner.orders.append(
            {
                "order_id": f"CS{created:%y%m%d%H%M}{rng.randrange(10**5):05d}",
                "customer_id": customer.customer_id,
                "service_type_code": service,
                "service_type_name": SERVICES[service],
                "source_type": rng.choice((1, 1, 2)),
                "status": status,
                "order_type": order_type,
                "amount_after_discount": official if order_type == 4 else after,
                "official_amount": official,
                "measure_id": 1,
                "create_time": timestamp(created),
                "payment_time": timestamp(paid) if paid else None,
                "currency": "CNY",
                "contract_id": None,
                "amount_info": {
                    "discounts": [{"discount_type": "607", "discount_amount": discount}] if discount else [],
                    "flexipurchase_coupon_amount": Decimal("0.00"),
                    "coupon_amount": coupon,
                    "stored_card_amount": Decimal("0.00"),
                    "commission_amount": None,
                    "consumed_amount": None,
                },
                "enterprise_projects": [{"id": "0", "name": "default"}],
                "agent_pay_info": {"paying_agent_id": partner.account.domain_id, "is_agent_pay": index % 5 == 0},
            }
        )
    partner.orders.sort(key=lambda o: o["create_time"])


def _seed_resources(rng: random.Random, partner: PartnerState, resale: list[SubCustomer], anchor: datetime) -> None:
    kinds = (
        ("hws.service.type.ec2", "hws.resource.type.vm", "云主机", "s6.small.1.linux", '{"vcpus":1,"ram":1024}'),
        ("hws.service.type.ebs", "hws.resource.type.volume", "云硬盘", "SSD", '{"specSize":40.0}'),
        ("hws.service.type.vpc", "hws.resource.type.bandwidth", "带宽", "19_bgp", '{"specSize":5.0}'),
    )
    for customer in resale:
        for _ in range(rng.randrange(0, 4)):
            service, resource_type, type_name, spec, info = rng.choice(kinds)
            region = rng.choice(REGIONS)
            effective = anchor - timedelta(days=rng.randrange(1, 300))
            partner.resources.append(
                {
                    "customer_id": customer.customer_id,
                    "region_code": region,
                    "availability_zone_code": f"{region}a",
                    "service_type_code": service,
                    "resource_type_code": resource_type,
                    "service_type_name": SERVICES[service],
                    "resource_type_name": type_name,
                    "resource_id": f"{rng.getrandbits(128):032x}",
                    "resource_name": f"{spec.split('.')[0]}-{rng.randrange(1000):03d}",
                    "effective_time": timestamp(effective),
                    "expire_time": timestamp(effective + timedelta(days=3650)),
                    "status": rng.choice((1, 1, 1, 2, 3)),
                    "resource_spec_code": spec,
                    "resource_info": info,
                    "product_spec_desc": f"{SERVICES[service]} | {spec}",
                }
            )


def seed_reseller_quotas(seed: int, state: SimulatorState, anchor: datetime) -> None:
    """Each tier-1 has granted 6000.00 of its first quota to each of its tier-2s (with the grant record),
    and each tier-2 has issued vouchers from it."""
    for partner in state.partners:
        parent = next((q for q in partner.quotas if q.quota_status == 0), None)
        for index, reseller in enumerate(state.children(partner)):
            if parent is None:
                continue
            value = Decimal("6000.00")
            quota = Quota(
                quota_id=f"Q{parent.quota_id[1:9]}{index:08x}",
                owner_domain_id=reseller.account.domain_id,
                quota_value=value,
                balance=value,
                quota_status=0,
                create_time=parent.create_time,
                last_update_time=parent.create_time,
                effective_time=parent.effective_time,
                expire_time=parent.expire_time,
                limit_infos=list(parent.limit_infos),
                parent_quota_id=parent.quota_id,
                indirect_partner_account_name=reseller.account.account_name,
                indirect_partner_name=reseller.account.name,
            )
            parent.balance -= value
            reseller.quotas.append(quota)
            partner.issued_quotas.append(quota)
            partner.quota_records.append(
                {
                    "id": f"QR{index:012d}",
                    "operator": partner.account.account_name or partner.account.name,
                    "operation_type": "10",
                    "quota_id": quota.quota_id,
                    "parent_quota_id": parent.quota_id,
                    "amount": value,
                    "operation_time": parent.create_time,
                    "result": "0",
                    "indirect_partner_id": reseller.account.domain_id,
                    "indirect_partner_account_name": reseller.account.account_name,
                    "indirect_partner_name": reseller.account.name,
                    "remark": None,
                }
            )
            rng = random.Random(f"coupons/{seed}/{reseller.account.domain_id}")  # noqa: S311 (test data)
            seed_coupons(rng, reseller, [c for c in reseller.customers if c.is_resale][:3], anchor)
