"""Commission data: GetCommissionableProducts (2022-12-16, A.7.11), GetCommissionDetailFileList,
GetIntlCommissionDetailFileList and GetRenewalRateList (2025-02-27, A.8.2-A.8.4).

Every figure is deterministic per partner (drawn from its UID, itself seeded) and per period, so the same
question gets the same answer. Value sets the SDK leaves open are the simulator's own:

* GetCommissionableProducts: ``EligibleForCommission`` / ``EligibleForDiscount`` / ``SevenCoreProducts`` are
  ``Y`` or ``N``; ``Status`` (and ``ListShowStatusList``) ``ONLINE`` or ``OFFLINE``; months ``yyyy-MM``;
  ``FiscalYear`` ``yyyy`` (Aliyun's fiscal year: FY2025 runs from April 2024 to March 2025);
  ``CommodityCodeList`` / ``PipCodeList`` comma-separated.
* GetRenewalRateList: ``FiscalYearAndQuarter`` is ``yyyyQn`` (fiscal, Q1 = April-June); rates are
  fractions (renewed amount / amount due, 4 decimals); amounts CNY. One row, the partner's own PID.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta, timezone
from decimal import Decimal
from typing import Any

from adapters.aliyun.simulator._bills import file_url, oss_push, oss_target, past_month, push_stage
from adapters.aliyun.simulator._call import Call, optional_int, paged, required_str
from adapters.aliyun.simulator._responses import BusinessError, Num, envelope
from adapters.aliyun.simulator._templates import PRODUCT_CODES

__all__ = [
    "COMMISSION_POLICIES",
    "GetCommissionDetailFileList",
    "GetCommissionableProducts",
    "GetIntlCommissionDetailFileList",
    "GetRenewalRateList",
]

_CHINA = timezone(timedelta(hours=8))
#: Commission policies a partner's monthly files are split by: (code, name).
COMMISSION_POLICIES = (
    ("DISTRIBUTION", "分销返佣政策"),
    ("NEW_CUSTOMER", "新客激励政策"),
    ("RENEWAL", "续费激励政策"),
    ("CHANNEL", "渠道拓展激励政策"),
)
_CORE = frozenset({"ecs", "rds", "oss", "slb", "cdn", "polardb", "kvstore"})
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_CENT = Decimal("0.01")
_RATE = Decimal("0.0001")


def _rng(call: Call, *what: object) -> random.Random:
    return random.Random(":".join(map(str, (call.partner.uid, *what))))  # noqa: S311 - simulated data


def _month(call: Call, name: str) -> str:
    raw = call.text(name)
    if raw and not _MONTH.match(raw):
        raise BusinessError(f"InvalidParameter.{name}", f"{name} must be yyyy-MM.")
    return raw


def _shift(year: int, month: int, by: int) -> str:
    index = year * 12 + month - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _catalogue(call: Call) -> list[dict[str, Any]]:
    now = call.state.now().astimezone(_CHINA)
    fiscal_start = now.year if now.month >= 4 else now.year - 1  # April of the current fiscal year
    rng = _rng(call, "commissionable", fiscal_start)
    rows = []
    for code, name, _ in PRODUCT_CODES:
        for suffix, kind in (("prepay", "包年包月"), ("postpay", "按量付费")):
            start = _shift(fiscal_start, 4, rng.choice((-12, 0, 0, 3)))
            online = rng.random() < 0.85
            rows.append(
                {
                    "CommodityCode": f"{code}_{suffix}_public_cn",
                    "CommodityName": f"{name} ({kind})",
                    "ProductCode": code,
                    "ProductName": name,
                    "EligibleForCommission": "Y" if rng.random() < 0.8 else "N",
                    "EligibleForDiscount": "Y" if rng.random() < 0.6 else "N",
                    "SevenCoreProducts": "Y" if code in _CORE else "N",
                    "Status": "ONLINE" if online else "OFFLINE",
                    "ActualStartMonth": start,
                    "EndMonth": _shift(fiscal_start + 1, 3, 0) if online else _shift(now.year, now.month, -1),
                    "ProductCampaign": f"FY{fiscal_start + 1} 核心产品激励" if code in _CORE else "",
                }
            )
    return rows


def GetCommissionableProducts(call: Call) -> dict[str, Any]:
    """A.7.11: the products (commodities) that earn commission or discount, filtered and paged."""
    page = optional_int(call, "PageNo", low=1) or 1
    size = optional_int(call, "PageSize", low=1, high=100) or 20
    start, end = _month(call, "RealStartMonth"), _month(call, "RealEndMonth")
    fiscal = call.text("FiscalYear")
    if fiscal and not re.fullmatch(r"\d{4}", fiscal):
        raise BusinessError("InvalidParameter.FiscalYear", "FiscalYear must be yyyy.")
    statuses = {s.strip() for s in call.text("ListShowStatusList").split(",") if s.strip()}  # simple style
    commodities = {s.strip() for s in call.text("CommodityCodeList").split(",") if s.strip()}
    products = {s.strip() for s in call.text("PipCodeList").split(",") if s.strip()}
    rows = [
        row
        for row in _catalogue(call)
        if (not statuses or row["Status"] in statuses)
        and (not commodities or row["CommodityCode"] in commodities)
        and (not products or row["ProductCode"] in products)
        and (not start or row["ActualStartMonth"] >= start)
        and (not end or row["EndMonth"] <= end)
        and (not fiscal or (row["ActualStartMonth"] <= f"{fiscal}-03" and row["EndMonth"] >= f"{int(fiscal) - 1}-04"))
    ]
    return envelope(
        "GetCommissionableProducts", PageNo=page, PageSize=size, Total=len(rows), Data=paged(rows, page, size)
    )


def _policy_files(call: Call, month: str) -> list[tuple[str, str]]:
    rng = _rng(call, "commission", month)
    count = 3 if call.partner.is_distributor else 2
    policies = sorted(rng.sample(COMMISSION_POLICIES, count))
    return [(f"{call.partner.uid}_Commission_{code}_{month}.csv", name) for code, name in policies]


_CHINA_STATUS = {1: "Processing", 2: "Processing", 3: "Succeeded"}
_INTL_STATUS = {1: "init", 2: "processing", 3: "succeeded"}


def GetCommissionDetailFileList(call: Call) -> dict[str, Any]:
    """A.8.2: push the month's commission files (one per policy) to OSS and list them. Every field is
    optional: ``BillMonth`` defaults to the last finished month; without OSS parameters the latest push
    of that month is listed (none: an empty ``FileList``)."""
    raw = call.text("BillMonth")
    if not raw:
        now = call.state.now().astimezone(_CHINA)
        raw = _shift(now.year, now.month, -1).replace("-", "")
    month = past_month(call, raw)
    push = oss_push(
        call, "GetCommissionDetailFileList", month, oss_target(call, required=False), _policy_files(call, month)
    )
    files = []
    if push is not None:
        stage = push_stage(push, call.state.now())
        files = [
            {
                "FileName": name,
                "FileType": "csv",
                "CommissionPolicyName": policy,
                "BucketSyncStatus": _CHINA_STATUS[stage],
                "FileUrl": file_url(push, name) if stage == 3 else "",
            }
            for name, policy in push.files
        ]
    data = {"BillMonth": month, "PartnerUid": str(call.partner.uid), "FileList": files}
    return envelope("GetCommissionDetailFileList", Data=data)


def GetIntlCommissionDetailFileList(call: Call) -> dict[str, Any]:
    """A.8.3: the international twin of A.8.2; every OSS parameter is required, statuses are lower case."""
    month = past_month(call, required_str(call, "BillMonth"))
    target = oss_target(call, required=True)
    push = oss_push(call, "GetIntlCommissionDetailFileList", month, target, _policy_files(call, month))
    assert push is not None  # a target always gives a push
    stage = push_stage(push, call.state.now())
    files = [
        {"FileName": name, "CommissionPolicyName": policy, "BucketSyncStatus": _INTL_STATUS[stage]}
        for name, policy in push.files
    ]
    data = {"BillMonth": month, "PartnerUid": str(call.partner.uid), "FileList": files}
    return envelope("GetIntlCommissionDetailFileList", Data=data)


def _quarter(call: Call) -> str:
    raw = required_str(call, "FiscalYearAndQuarter")
    match = re.fullmatch(r"(\d{4})Q([1-4])", raw)
    if not match:
        raise BusinessError("InvalidParameter.FiscalYearAndQuarter", "FiscalYearAndQuarter must be yyyyQn.")
    fiscal, quarter = int(match[1]), int(match[2])
    first = _shift(fiscal - 1, 4, 3 * (quarter - 1))  # FY2025 Q1 starts in April 2024
    now = call.state.now().astimezone(_CHINA)
    if first > f"{now.year:04d}-{now.month:02d}":
        raise BusinessError("InvalidParameter.FiscalYearAndQuarter", "That quarter has not started.")
    return raw


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def _ratio(renewed: Decimal, due: Decimal) -> Num:
    return Num((renewed / due).quantize(_RATE) if due else Decimal("0.0000"))


def GetRenewalRateList(call: Call) -> dict[str, Any]:
    """A.8.4: the partner's renewal figures for one fiscal quarter; rates are renewed / due. A reseller has
    no sub-partner acquisition (zeros)."""
    fyq = _quarter(call)
    rng = _rng(call, "renewal", fyq)
    cust_due = _amount(rng, 50_000, 500_000)
    cust_renewed = (cust_due * Decimal(rng.randrange(5500, 9500)) / 10_000).quantize(_CENT)
    sub_due = _amount(rng, 20_000, 200_000) if call.partner.is_distributor else Decimal("0.00")
    sub_renewed = (sub_due * Decimal(rng.randrange(5000, 9000)) / 10_000).quantize(_CENT)
    cust_other, sub_other = _amount(rng, 10_000, 100_000), _amount(rng, 0, 50_000) if sub_due else Decimal("0.00")
    bonus = Decimal(rng.randrange(0, 300)) / 10_000  # special approvals add renewed amount
    sp_cust_renewed = min(cust_due, (cust_renewed * (1 + bonus)).quantize(_CENT))
    sp_sub_renewed = min(sub_due, (sub_renewed * (1 + bonus)).quantize(_CENT))
    due, renewed = cust_due + sub_due, cust_renewed + sub_renewed
    row = {
        "FiscalYearAndQuarter": fyq,
        "MasterPid": f"P{call.partner.uid % 10**10:010d}",
        "MasterPidName": call.partner.partner.name,
        "FinalCustomerRenewalAmountDue": Num(cust_due),
        "FinalCustomerRenewedAmount": Num(cust_renewed),
        "FinalCustomerRenewalRate": _ratio(cust_renewed, cust_due),
        "CustomerAdjustedRenewalAmountDue": Num((cust_due * Decimal("0.98")).quantize(_CENT)),
        "CustomerOtherBillAmount": Num(cust_other),
        "FinalSubPartnerRenewalAmountDue": Num(sub_due),
        "FinalSubPartnerRenewedAmount": Num(sub_renewed),
        "FinalSubPartnerRenewalRate": _ratio(sub_renewed, sub_due),
        "SubPartnerAdjustedRenewalAmountDue": Num((sub_due * Decimal("0.98")).quantize(_CENT)),
        "SubPartnerOtherBillAmount": Num(sub_other),
        "FinalRenewalAmountDue": Num(due),
        "FinalRenewedAmount": Num(renewed),
        "FinalRenewalRate": _ratio(renewed, due),
        "FinalOtherBillAmount": Num(cust_other + sub_other),
        "SpecialCustomerRenewalAmountDue": Num(cust_due),
        "SpecialCustomerRenewedAmount": Num(sp_cust_renewed),
        "SpecialCustomerRenewRatio": _ratio(sp_cust_renewed, cust_due),
        "SpecialSubPartnerRenewalAmountDue": Num(sub_due),
        "SpecialSubPartnerRenewedAmount": Num(sp_sub_renewed),
        "SpecialSubPartnerRenewRatio": _ratio(sp_sub_renewed, sub_due),
        "SpecialFinalRenewalAmountDue": Num(due),
        "SpecialFinalRenewedAmount": Num(sp_cust_renewed + sp_sub_renewed),
        "SpecialFinalRenewRatio": _ratio(sp_cust_renewed + sp_sub_renewed, due),
    }
    return envelope("GetRenewalRateList", Data=[row])
