"""Deterministic seed data: the same seed and AccessKeyId always give the same partner data.

Per partner: end users and enterprises (UserType 1/2) of both sub-account types (agency 1 /
consignment 2), a few T2 partners (UserType 3), and invitations (pending and expired) that
GetAccountInfo does not list. A quarter of the Uids are above 2**53 to prove ids stay exact.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from adapters.aliyun.simulator._seed_business import seed_business
from adapters.aliyun.simulator._state import (
    INVITATION_VALIDITY,
    EndAccount,
    Invitation,
    PartnerState,
    SimulatedPartner,
)

__all__ = ["SALESPEOPLE", "seed_partner"]

SALESPEOPLE = ("王芳", "李强", "张伟", "陈静")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "婷",
    "涛",
    "明",
    "超",
    "秀英",
    "海燕",
    "建华",
)
_CITIES = ("杭州", "上海", "北京", "深圳", "成都", "苏州", "南京", "武汉", "广州", "西安")
_CORES = ("云栖", "星海", "青禾", "锦程", "瀚宇", "博远", "智联", "恒信", "华越", "新元", "启明", "远航")
_TRADES = ("科技", "信息技术", "网络科技", "数据服务", "电子商务", "智能制造", "文化传媒", "物流")
_SUFFIXES = ("有限公司", "股份有限公司")
_PINYIN = ("wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun")
#: Associations happen before this instant, so account data does not depend on the wall clock.
_EPOCH = datetime(2025, 6, 30, 4, 0, tzinfo=UTC)
_MAX_SAFE_INTEGER = 2**53 - 1


def _uid(rng: random.Random, big: bool, used: set[int]) -> int:
    while True:
        # Real Uids are 16 digits; 16-digit values from 2**53 up lose precision as IEEE doubles.
        uid = rng.randrange(2**53 + 1, 10**16) if big else rng.randrange(10**15, _MAX_SAFE_INTEGER)
        if uid not in used:
            used.add(uid)
            return uid


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


def _company(rng: random.Random) -> str:
    return rng.choice(_CITIES) + rng.choice(_CORES) + rng.choice(_TRADES) + rng.choice(_SUFFIXES)


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def _account(rng: random.Random, index: int, user_type: int, used: set[int]) -> EndAccount:
    login = f"{rng.choice(_PINYIN)}{index:02d}{rng.randrange(1000):03d}"
    if user_type == 1:
        nickname = _person(rng)
    elif user_type == 2:
        nickname = _company(rng)
    else:
        nickname = rng.choice(_CITIES) + rng.choice(_CORES) + "云计算服务有限公司"
    delayed = rng.random() < 0.2
    return EndAccount(
        uid=_uid(rng, big=index % 4 == 1, used=used),
        cid=rng.randrange(10**11, 10**12),
        user_type=user_type,
        nickname=nickname,
        aliyun_id=f"{login}@aliyun.com",
        email=f"{login}@example.cn",
        mobile=_mobile(rng),
        sub_account_type=5 if user_type == 3 else (1 if rng.random() < 0.6 else 2),
        customer_account_type=rng.choice((1, 2)),
        enterprise_certified=1 if user_type != 1 else rng.choice((0, 1)),
        customer_bd=rng.choice(SALESPEOPLE),
        new_buy_status="ban" if rng.random() < 0.15 else "normal",
        delay_status="delayed" if delayed else "normal",
        delay_amount=Decimal(rng.randrange(1, 500_000)) / 100 if delayed else Decimal("0.00"),
        associated_at=_EPOCH - timedelta(days=rng.randrange(1, 900), seconds=rng.randrange(86_400)),
        register_country_code="CN" if rng.random() < 0.9 else rng.choice(("HK", "SG", "US")),
        remark=rng.choice(("", "", "重点客户", "季度复盘", "新签客户", "需要发票")),
    )


def seed_partner(partner: SimulatedPartner, seed: int, now: datetime) -> PartnerState:
    """Seed one partner. ``now`` only dates the invitations (so pending ones are still pending)."""
    rng = random.Random(f"{seed}:{partner.access_key_id}")  # noqa: S311 -- test data, not security
    used: set[int] = set()
    count = max(partner.customers, 0)
    # At least one of each kind, then roughly 55 % end users.
    user_types = [1, 2] + [1 if rng.random() < 0.55 else 2 for _ in range(max(count - 2, 0))]
    accounts = [_account(rng, index, user_type, used) for index, user_type in enumerate(user_types[:count])]
    accounts += [_account(rng, count + index, 3, used) for index in range(3)]
    invitations = []
    for index in range(7):
        sent = now - timedelta(hours=rng.randrange(1, 60) if index < 4 else rng.randrange(80, 400))
        login = f"invitee{index:02d}{rng.randrange(1000):03d}"
        invitations.append(
            Invitation(
                invite_id=rng.randrange(2**53 + 1, 2**62),
                email=f"{login}@example.cn",
                nickname=_company(rng) if index % 2 else _person(rng),
                sub_account_type=rng.choice((1, 2)),
                customer_bd=rng.choice(SALESPEOPLE),
                sent_at=sent,
                expires_at=sent + INVITATION_VALIDITY,  # invitation links last 72 hours (DOMAIN.md)
            )
        )
    state = PartnerState(partner=partner, accounts=accounts, invitations=invitations)
    # A second random source, so the accounts above do not change when business data is added.
    seed_business(random.Random(f"{seed}:{partner.access_key_id}:business"), state, now, _EPOCH)  # noqa: S311
    return state
