"""Deterministic seed data: the same seed int always gives the same customers for the same account."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from ._state import SimAccount, SubCustomer

__all__ = ["DEFAULT_CUSTOMERS", "SALESPEOPLE", "seed_customers"]

DEFAULT_CUSTOMERS = 36

#: The partner's salespeople; each customer has at most one as account manager (owner scoping later).
SALESPEOPLE = ("zhang_wei_sales", "li_na_sales", "wang_fang_sales", "chen_jie_sales")

_CITIES = ("北京", "上海", "深圳", "杭州", "成都", "武汉", "南京", "西安", "苏州", "广州")
_BRANDS = ("云帆", "星河", "华信", "博远", "嘉禾", "启明", "天工", "锦程", "瑞科", "汇智", "鼎新", "蓝海")
_TRADES = ("科技", "网络科技", "信息技术", "数据服务", "智能制造", "电子商务", "教育科技", "医疗科技")
_SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙")
_GIVEN = ("伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "婷", "强", "丽")
_PINYIN = ("yunfan", "xinghe", "huaxin", "boyuan", "jiahe", "qiming", "tiangong", "jincheng", "ruike")
_LABELS = ("重点客户", "教育行业", "政企", "KA", "渠道拓展")
_MAIL_DOMAINS = ("163.com", "qq.com", "126.com", "aliyun.com", "foxmail.com")
_EPOCH = datetime(2023, 6, 1, tzinfo=UTC)  # associations fall in the 700 days after this
_LEVELS = ("V0", "V1", "V2", "V3", "V4", "V5")

# Cycled so every value is present in any seed of 12+ customers (H.4.2 enumerations).
_CUSTOMER_TYPES = (1, 1, 0, 1, -1, 0)  # enterprise, individual, not yet set
_VERIFIED = {1: ("2", "2", "0", "1"), 0: ("2", "0", "1"), -1: ("-1",)}  # customer_type -> verified_status


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")  # UTC, H.4 shared notes


def seed_customers(seed: int, account: SimAccount, count: int = DEFAULT_CUSTOMERS) -> list[SubCustomer]:
    """``count`` customers of ``account``, oldest association first. Independent of the clock."""
    # A string seed is hashed deterministically (random.seed version 2), so each account differs.
    rng = random.Random(f"{seed}/{account.domain_id}")  # noqa: S311 (test data, not crypto)
    start = _EPOCH
    moments = sorted(start + timedelta(seconds=rng.randrange(0, 700 * 86400)) for _ in range(count))
    customers = []
    for index, moment in enumerate(moments):
        customer_type = _CUSTOMER_TYPES[index % len(_CUSTOMER_TYPES)]
        handle = f"{rng.choice(_PINYIN)}_{rng.randrange(10, 9999):04d}"
        if customer_type == 1:
            real_name: str | None = f"{rng.choice(_CITIES)}{rng.choice(_BRANDS)}{rng.choice(_TRADES)}有限公司"
            email: str | None = f"it@{handle.replace('_', '')}.com.cn"
        elif customer_type == 0:
            real_name = rng.choice(_SURNAMES) + "".join(rng.sample(_GIVEN, rng.choice((1, 2))))
            email = f"{handle}@{rng.choice(_MAIL_DOMAINS)}"
        else:
            real_name = None  # not verified yet: no real-name name
            email = None if index % 4 == 0 else f"{handle}@{rng.choice(_MAIL_DOMAINS)}"
        managers = [] if index % 9 == 8 else [rng.choice(SALESPEOPLE)]
        customers.append(
            SubCustomer(
                customer_id=f"{rng.getrandbits(128):032x}",
                account_name=f"{handle}_{index:02d}",
                customer=real_name,
                associated_on=_timestamp(moment),
                association_type="1" if index % 4 == 0 else "2",  # 1 advisory, 2 resale
                customer_type=customer_type,
                verified_status=rng.choice(_VERIFIED[customer_type]),
                is_frozen=2 if index % 17 == 5 else 1 if index % 7 == 3 else 0,
                customer_level=rng.choice(_LEVELS),
                telephone=f"13{rng.randrange(0, 10**9):09d}",
                country_code="0086",
                email=email,
                label=rng.choice(_LABELS) if index % 3 == 0 else None,
                xaccount_id=f"crm-{rng.randrange(10**7):07d}",
                xaccount_type="partner_crm",
                account_managers=managers,
            )
        )
    return customers
