"""Deterministic business data on top of the seeded accounts: filings, credit, coupon templates and
coupons, orders (with ProjectIds), T2 partner details and their orders, notes, credit-control histories and
export tasks, T2 coupon applications; and the countries."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from adapters.aliyun.simulator._exports import QUOTA_SCENE, REVERSED_DEDUCTION_SCENE, export_file_name
from adapters.aliyun.simulator._records import (
    Coupon,
    CouponTemplate,
    CustomerFiling,
    ExportTask,
    Note,
    Order,
    OrderStatus,
    PolicyChange,
    PurchaseControl,
    QuotaChange,
    ReversedDeduction,
    SubPartner,
    Tier2CouponApplication,
    WriteOffChange,
)
from adapters.aliyun.simulator._state import EndAccount, PartnerState

__all__ = ["COUNTRIES", "FOREIGN_ACCOUNTS", "seed_business"]

#: ListCountries ``Data[]`` (A.4.2): ISO 3166-1 alpha-2 codes the simulator accepts as ``Nation``.
COUNTRIES = (
    "CN", "HK", "MO", "TW", "SG", "MY", "ID", "TH", "VN", "PH", "JP", "KR", "IN", "AU", "NZ",
    "AE", "SA", "TR", "GB", "DE", "FR", "NL", "ES", "IT", "US", "CA", "MX", "BR",
)  # fmt: skip

#: Aliyun accounts that belong to a partner outside the simulator: inviting or registering them fails.
FOREIGN_ACCOUNTS = {
    "taken01@example.cn": 1_200_000_000_000_001,
    "taken02@example.cn": 1_200_000_000_000_002,
    "taken03@example.cn": 1_200_000_000_000_003,
}

_PRODUCTS = (
    ("ecs", "云服务器 ECS"),
    ("rds", "云数据库 RDS"),
    ("oss", "对象存储 OSS"),
    ("slb", "负载均衡 SLB"),
    ("cdn", "CDN"),
    ("polardb", "云原生数据库 PolarDB"),
)
_ORDER_TYPES = ("BUY", "BUY", "RENEW", "RENEW", "UPGRADE", "DOWNGRADE", "REFUND", "OTHERS")
_PROVINCES = (("浙江省", "杭州市", "西湖区"), ("上海市", "上海市", "浦东新区"), ("广东省", "深圳市", "南山区"))
_CHINA = timezone(timedelta(hours=8))
_NOTES = ("电话回访, 客户关注续费折扣", "上门拜访, 讨论迁云方案", "客户咨询发票流程", "季度业务复盘")


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def _order(rng: random.Random, order_id: int, account: EndAccount, now: datetime, **extra: object) -> Order:
    created = now - timedelta(days=rng.randrange(1, 360), seconds=rng.randrange(86_400))
    status = rng.choice(
        (OrderStatus.PAID, OrderStatus.PAID, OrderStatus.PAID, OrderStatus.UNPAID, OrderStatus.CANCELLED)
    )
    code, name = rng.choice(_PRODUCTS)
    price = _money(rng, 50, 20_000)
    discount = (price * Decimal(rng.choice((0, 5, 10, 15))) / 100).quantize(Decimal("0.01"))
    return Order(
        order_id=order_id,
        customer_uid=account.uid,
        customer_account=account.aliyun_id,
        customer_manager=account.customer_bd,
        status=status,
        order_type=rng.choice(_ORDER_TYPES),
        pay_type=rng.choice((1, 2)),
        product_code=code,
        product_name=name,
        price=price,
        discount=discount,
        coupon_deduction=Decimal(rng.choice((0, 0, 50, 100))).quantize(Decimal("0.01")),
        created_at=created,
        paid_at=created + timedelta(minutes=rng.randrange(1, 600)) if status == OrderStatus.PAID else None,
        project_id=rng.randrange(10**9, 10**10) if rng.random() < 0.3 else None,
        classification=rng.choice(("KA", "SMB", "NEW")),
        order_source=rng.choice(("1", "2")),
        **extra,  # type: ignore[arg-type]
    )


def _renewals(rng: random.Random, ids: Iterator[int], account: EndAccount, now: datetime) -> list[Order]:
    """A monthly renewal paid in each of the 13 months before ``now``'s (China time) and in its month so far:
    a year of consumption (paid orders) and a month-on-month comparison for every customer."""
    code, name = rng.choice(_PRODUCTS)
    base, local, orders = _money(rng, 200, 6_000), now.astimezone(_CHINA), []
    for back in range(13, -1, -1):
        year, month = divmod(local.year * 12 + local.month - 1 - back, 12)
        paid = datetime(year, month + 1, 1, tzinfo=_CHINA) + timedelta(minutes=rng.randrange(60, 27 * 1440))
        price = (base * Decimal(rng.randrange(90, 111)) / 100).quantize(Decimal("0.01"))
        if paid < now:
            order = Order(next(ids), account.uid, account.aliyun_id, account.customer_bd, OrderStatus.PAID, "RENEW", 1,
                          code, name, price, Decimal("0.00"), Decimal("0.00"), paid - timedelta(minutes=30), paid,
                          None, "SMB", "1")  # fmt: skip
            orders.append(order)
    return orders


def seed_business(rng: random.Random, state: PartnerState, now: datetime, epoch: datetime) -> None:
    """Fill ``state`` (accounts and invitations already seeded). Orders and coupons are dated back from
    ``now`` (so order windows and validity make sense whenever the simulator starts), the rest from ``epoch``."""
    ids = iter(range(rng.randrange(10**15, 2 * 10**15), 10**17, 7))
    state.uid = rng.randrange(10**15, 2**53 - 1)
    state.login = f"partner{rng.randrange(1000):03d}@aliyun.com"
    customers = [a for a in state.accounts if a.user_type in (1, 2)]
    for account in state.accounts:
        account.credit_line = _money(rng, 1_000, 50_000).quantize(Decimal("1"))
        account.consumed = (account.credit_line * Decimal(rng.randrange(0, 60)) / 100).quantize(Decimal("0.01"))
        account.outstanding = account.delay_amount
        account.shutdown_policy = rng.choice(("1", "2", "3"))
        trade = "Individual" if account.user_type == 1 else rng.choice(("Internet", "Retail", "Manufacturing"))
        state.filings.append(
            CustomerFiling(account.cid, account.nickname, "Partner", trade, "", account.register_country_code, epoch)
        )
    for invitation in state.invitations:
        invitation.cid = rng.randrange(10**11, 10**12)
        invitation.created_at = invitation.sent_at
        invitation.credit_line = _money(rng, 500, 5_000).quantize(Decimal("1"))
        trade = "Internet" if invitation.sub_account_type == 2 else "Individual"
        state.filings.append(CustomerFiling(invitation.cid, invitation.nickname, "Partner", trade, "", "CN", epoch))
    state.templates = [
        CouponTemplate(next(ids), f"新客代金券 {amount} 元", Decimal(amount), days, created_at=epoch)
        for amount, days in (("100.00", 90), ("500.00", 180), ("1000.00", 365))
    ]
    for index, account in enumerate(customers[:12]):
        template = state.templates[index % len(state.templates)]
        published = now - timedelta(days=rng.randrange(1, 200))
        expires = published + timedelta(days=template.valid_days)
        status = "EXPIRED" if expires < now else rng.choice(("AVAILABLE", "AVAILABLE", "EXHAUSTED", "ABANDONED"))
        used = template.amount if status == "EXHAUSTED" else _money(rng, 0, int(template.amount) // 2)
        state.coupons.append(
            Coupon(
                next(ids),
                template.template_id,
                account.uid,
                account.aliyun_id,
                None,
                template.amount,
                template.amount - used,
                status,
                published,
                expires,
            )
        )
    state.orders = [_order(rng, next(ids), rng.choice(customers), now) for _ in range(60)] if customers else []
    for t2 in state.accounts_of_type(3):
        province, city, district = rng.choice(_PROVINCES)
        state.sub_partners.append(
            SubPartner(
                f"P{rng.randrange(10**9, 10**10)}",
                t2.nickname,
                t2.uid,
                t2.aliyun_id,
                t2.customer_bd,
                "1",
                "已签约",
                t2.associated_at,
                province,
                city,
                district,
                f"{district}{rng.randrange(1, 999)}号",
            )
        )
        for _ in range(4):
            order = _order(rng, next(ids), t2, now, sub_partner_uid=t2.uid, sub_partner_name=t2.nickname)
            state.sub_partner_orders.append(order)
    for account in customers[:8]:
        for _ in range(rng.randrange(1, 4)):
            created = epoch - timedelta(days=rng.randrange(1, 120), seconds=rng.randrange(86_400))
            state.notes.append(
                Note(
                    next(ids),
                    account.uid,
                    account.nickname,
                    account.nickname[:2],
                    account.mobile,
                    rng.choice(_NOTES),
                    int(created.timestamp() * 1000),
                    state.uid,
                    state.login,
                    created,
                )
            )
    _seed_credit_history(rng, state, epoch)
    _seed_tier2_applications(rng, state, now, ids)
    for account in customers:  # last, so the data seeded above stays as it was
        state.orders += _renewals(rng, ids, account, now)


def _moments(rng: random.Random, start: datetime, end: datetime, count: int) -> list[datetime]:
    span = max(int((end - start).total_seconds()), count)
    return sorted(start + timedelta(seconds=rng.randrange(span)) for _ in range(count))


def _seed_credit_history(rng: random.Random, state: PartnerState, epoch: datetime) -> None:
    """Per account, change logs that end where the account stands (credit line, purchase control, shutdown
    policy, automatic write-off) and write-offs adding up to less than its consumed credit (A.7); then a few
    finished exports and a failed one."""
    log, me = state.credit_history, state.uid
    for account in state.accounts:
        start, source = account.associated_at, rng.choice(("ACPN", "API"))
        lines = [_money(rng, 1_000, 50_000).quantize(Decimal("1")) for _ in range(rng.randrange(4))]
        lines.append(account.credit_line)
        for index, at in enumerate(_moments(rng, start, epoch, len(lines))):
            before = lines[index - 1] if index else Decimal(0)
            kind = "quota_amount_adjust" if index else "quota_create"
            log.quota.append(QuotaChange(account.uid, kind, before, lines[index], source, me, at))
        bans = ["ban", "cancelBan"] + (["ban"] if account.new_buy_status == "ban" else [])
        for changed, at in zip(bans, _moments(rng, start, epoch, len(bans)), strict=True):
            log.purchase.append(PurchaseControl(account.uid, changed, source, me, at))
        policies = [account.shutdown_policy]
        for _ in range(rng.randrange(1, 3)):
            policies.insert(0, rng.choice([p for p in "123" if p != policies[0]]))
        for index, at in enumerate(_moments(rng, start, epoch, len(policies) - 1)):
            log.policy.append(PolicyChange(account.uid, policies[index], policies[index + 1], source, me, at))
        amount = rng.randrange(1, 50) * 100
        settings = [(True, amount)] if rng.random() < 0.4 else [(True, amount), (False, None)]
        for (enabled, limit), at in zip(settings, _moments(rng, start, epoch, len(settings)), strict=True):
            log.write_off.append(WriteOffChange(account.uid, enabled, limit, source, me, at))
        account.auto_write_off, account.auto_write_off_amount = settings[-1]
        if account.consumed > 0:  # each write-off turned outstanding balance into consumed credit (A.4.15)
            for at in _moments(rng, start, epoch, rng.randrange(1, 4)):
                offset = (account.consumed * rng.randrange(1, 20) / 100).quantize(Decimal("0.01"))
                log.deductions.append(ReversedDeduction(account.uid, max(offset, Decimal("0.01")), source, me, at))
    for index, account in enumerate(state.accounts[:4]):
        created = epoch - timedelta(days=rng.randrange(1, 60))
        first, last = (created - timedelta(days=365)).strftime("%Y-%m-%d"), created.strftime("%Y-%m-%d")
        scene = REVERSED_DEDUCTION_SCENE if index % 2 else QUOTA_SCENE
        task_id = rng.randrange(10**15, 2**53)
        name = export_file_name(scene, account.uid, first, last, task_id)
        rows = sum(1 for r in (log.deductions if index % 2 else log.quota) if r.uid == account.uid)
        log.exports.append(ExportTask(task_id, scene, account.uid, name, rows, created, 1, failed=index == 2))


def _seed_tier2_applications(rng: random.Random, state: PartnerState, now: datetime, ids: Iterator[int]) -> None:
    # Drawn last, so that adding them changed none of the data above.
    for partner in state.sub_partners:
        partner.coupon_quota = Decimal(rng.choice((20_000, 50_000, 80_000))).quantize(Decimal("0.01"))
        for index, status in enumerate(("PENDING", "PENDING", rng.choice(("APPROVED", "REJECTED")))):
            applied = now - timedelta(days=rng.randrange(1, 60) + 60 * (index == 2), seconds=rng.randrange(86_400))
            receipts = [
                (rng.randrange(10**15, 2**53 - 1), Decimal(rng.choice((100, 200, 500, 1000))).quantize(Decimal("0.01")))
                for _ in range(rng.randrange(1, 4))
            ]
            state.tier2_applications.append(
                Tier2CouponApplication(
                    sheet_id=f"AS{next(ids)}",
                    t2_uid=partner.master_uid,
                    t2_name=partner.company_name,
                    applied_at=applied,
                    reason=rng.choice(("新客户首单优惠", "续费挽留", "大促活动")),
                    order_type=rng.choice(("BUY", "RENEW")),
                    applicable_products=rng.choice(("ALL", "ecs,rds", "oss")),
                    valid_until=(applied + timedelta(days=90)).strftime("%Y-%m-%d"),
                    receipts=receipts,
                    status=status,
                    comments="" if status == "PENDING" else "已处理",
                    processed_at=None if status == "PENDING" else applied + timedelta(days=2),
                )
            )
