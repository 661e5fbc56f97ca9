"""The partner's own bills: GetDailyBill, GetMonthlyBill, SubscriptionBill, CancelSubscriptionBill
(2022-12-16, A.7.14, A.7.15, A.7.27, A.7.2) and GetBillDetailFileList (2025-02-27, A.8.1), with the
download route for the bill links and the OSS pushes A.8.1-A.8.3 share.

Aliyun does not publish the columns of its partner bill files, so the files this simulator serves have
**the simulator's own layout** (``CSV_HEADER``), not Aliyun's: one row per paid order of the partner's
customers (``BillOwner`` 1) or of its T2 partners (``BillOwner`` 2) in the day or month. The links are
served by the simulator itself (``FILES_PREFIX``) and work for ``LINK_VALIDITY`` of business time.

OSS pushes (A.8.1-A.8.3) only record where the files go: the OSS AccessKey secret and STS token are
checked for presence and then dropped, never kept, echoed or logged. A push is pending (``Status`` 1)
for ``PUSH_PENDING``, processing (2) until ``PUSH_DONE``, then completed (3), by the simulator's clock.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from adapters.aliyun.simulator._call import Call, optional_int, required_int, required_str
from adapters.aliyun.simulator._records import BillFile, BillSubscription, Order, OrderStatus, OssPush
from adapters.aliyun.simulator._responses import BusinessError, envelope
from adapters.aliyun.simulator._state import SimulatorState

__all__ = [
    "CSV_HEADER",
    "FILES_PREFIX",
    "LINK_VALIDITY",
    "PUSH_DONE",
    "PUSH_PENDING",
    "CancelSubscriptionBill",
    "GetBillDetailFileList",
    "GetDailyBill",
    "GetMonthlyBill",
    "SubscriptionBill",
    "download",
    "oss_push",
    "oss_target",
    "past_month",
    "push_stage",
]

FILES_PREFIX = "/_simulator/bill-files/"
LINK_VALIDITY = timedelta(hours=1)
PUSH_PENDING = timedelta(minutes=1)
PUSH_DONE = timedelta(minutes=5)
#: The simulator's own file layout (Aliyun's is not published with the SDK).
CSV_HEADER = (
    "OrderId", "PaidTime", "CustomerUid", "CustomerAccount", "SubPartnerUid", "ProductCode", "ProductName",
    "OrderType", "Price", "Discount", "CouponDeduction", "AmountDue", "Currency",
)  # fmt: skip
DAILY_TYPES = frozenset({"DailyInstanceBillV2", "DailyOrder", "DailyBill", "DailyInstanceBill"})
MONTHLY_TYPES = frozenset(
    (
        "MonthlyInvoice",
        "MonthRefundInvoice",
        "MonthlyInstanceAddAdjustBill",
        "MonthlyInstanceRefundBill",
        "MonthlyAddAdjustInvoce",
        "MonthlyRefundAdjustInvoce",
        "MonthlyInstanceConsumeV2",
        "MarginReportV2",
        "MonthlySummary",
    )
)
SUBSCRIBE_TYPES = frozenset(
    {
        "PartnerBillingItemDetailForBillingPeriod",
        "PartnerBillingItemDetailMonthly",
        "PartnerInstanceDetailForBillingPeriod",
        "PartnerInstanceDetailMonthly",
    }
)
#: SubscriptionBill: at most six months, the current one included (A.7.27).
SUBSCRIBE_MONTHS = 6
_CHINA = timezone(timedelta(hours=8))
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")


def _china(moment: datetime) -> datetime:
    return moment.astimezone(_CHINA)


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _owner(call: Call) -> str:
    owner = required_str(call, "BillOwner")
    if owner not in ("1", "2"):
        raise BusinessError("3048", "Bill Owner can only be 1 or 2.")
    return owner


def _link(call: Call, owner: str, bill_type: str, period: str, *, refunds_only: bool = False) -> str:
    token = secrets.token_urlsafe(18)
    expires = call.state.now() + LINK_VALIDITY
    call.state.bill_files[token] = BillFile(
        call.partner.partner.access_key_id, owner, bill_type, period, refunds_only, expires
    )
    suffix = "_refund" if refunds_only else ""
    return f"{call.base_url}{FILES_PREFIX}{token}/{bill_type}_{period}{suffix}.csv"


def _paid(orders: list[Order], period: str) -> list[Order]:
    return [
        o
        for o in orders
        if o.status == OrderStatus.PAID and o.paid_at is not None and _china(o.paid_at).isoformat().startswith(period)
    ]


def GetDailyBill(call: Call) -> dict[str, Any]:
    """A.7.14: a CSV link for one day (``yyyy-MM-dd``, China time, not in the future)."""
    owner = _owner(call)
    bill_type = required_str(call, "BillType")
    if bill_type not in DAILY_TYPES:
        raise BusinessError("3050", "Bill Type can only be DailyOrder, DailyBill or DailyInstanceBill.")
    day = required_str(call, "Date")
    try:
        valid = bool(_DAY.match(day)) and datetime.fromisoformat(day).date() <= _china(call.state.now()).date()
    except ValueError:
        valid = False
    if not valid:
        raise BusinessError("3049", "Incorrect format of Spending Time.")
    data = {
        "BillOwner": owner,
        "BillType": bill_type,
        "SpendingTime": day,
        "BillLinkCSV": _link(call, owner, bill_type, day),
        "BillLinkXLSX": "",  # the simulator serves CSV only
    }
    return envelope("GetDailyBill", Data=data)


def GetMonthlyBill(call: Call) -> dict[str, Any]:
    """A.7.15: a CSV link for one month (``yyyy-MM``, not in the future), and one of its refunds if any.
    The SDK's code list belongs to SetAccountInfo (A.6.6): the simulator answers GetDailyBill's codes."""
    owner = _owner(call)
    bill_type = required_str(call, "BillType")
    if bill_type not in MONTHLY_TYPES:
        raise BusinessError("3050", "Bill Type is not a monthly bill type.")
    month = required_str(call, "Month")
    match = _MONTH.match(month)
    now = _china(call.state.now())
    if (
        not match
        or not 1 <= int(match[2]) <= 12
        or _month_index(int(match[1]), int(match[2])) > _month_index(now.year, now.month)
    ):
        raise BusinessError("3049", "Incorrect format of Spending Time.")
    orders = call.partner.orders if owner == "1" else call.partner.sub_partner_orders
    refunds = any(o.order_type == "REFUND" for o in _paid(orders, month))
    data = {
        "BillOwner": owner,
        "BillType": bill_type,
        "SpendingTime": month,
        "BillLinkCSV": _link(call, owner, bill_type, month),
        "BillLinkXLSX": "",
        "InvoiceLink": "",  # no invoice documents in the simulator
        "RefundInvoiceFlag": refunds,
        "RefundInvoiceLink": _link(call, owner, bill_type, month, refunds_only=True) if refunds else "",
    }
    return envelope("GetMonthlyBill", Data=data)


def _subscribe_type(call: Call) -> str:
    kind = required_str(call, "SubscribeType")
    if kind not in SUBSCRIBE_TYPES:
        raise BusinessError("InvalidParameter.SubscribeType", "SubscribeType is not a partner bill type.")
    return kind


def SubscriptionBill(call: Call) -> dict[str, Any]:
    """A.7.27: subscribe one bill type to an OSS bucket, from ``BeginBillingCycle`` (at most six months
    back, the current month included); one subscription per type."""
    kind = _subscribe_type(call)
    cycle = required_str(call, "BeginBillingCycle")
    bill_format = required_str(call, "BillFormat")
    bucket = required_str(call, "SubscribeBucket")
    owner = required_int(call, "BucketOwnerId")
    segment = optional_int(call, "SubscribeSegmentSize", low=1)
    now = _china(call.state.now())
    match = _MONTH.match(cycle)
    back = _month_index(now.year, now.month) - _month_index(int(match[1]), int(match[2])) if match else -1
    if not match or not 1 <= int(match[2]) <= 12 or not 0 <= back < SUBSCRIBE_MONTHS:
        raise BusinessError(
            "InvalidParameter.BeginBillingCycle", "BeginBillingCycle must be yyyy-MM within the last six months."
        )
    if bill_format not in ("csv", "parquet"):
        raise BusinessError("InvalidParameter.BillFormat", "BillFormat must be csv or parquet.")
    if not _BUCKET.match(bucket):
        raise BusinessError("InvalidParameter.SubscribeBucket", "SubscribeBucket is not an OSS bucket name.")
    if owner != call.partner.uid and owner not in {p.master_uid for p in call.partner.sub_partners}:
        raise BusinessError(
            "InvalidParameter.BucketOwnerId", "BucketOwnerId must be the partner's UID or one of its T2 partners'."
        )
    if any(s.subscribe_type == kind for s in call.partner.bill_subscriptions):
        raise BusinessError("SubscriptionExists", f"{kind} is subscribed already; cancel it first.")
    call.partner.bill_subscriptions.append(
        BillSubscription(kind, cycle, bill_format, owner, bucket, segment, call.state.now())
    )
    call.applied()
    return envelope("SubscriptionBill", Data=True)


def CancelSubscriptionBill(call: Call) -> dict[str, Any]:
    """A.7.2: end the subscription of one bill type."""
    kind = _subscribe_type(call)
    found = next((s for s in call.partner.bill_subscriptions if s.subscribe_type == kind), None)
    if found is None:
        raise BusinessError("InvalidSubscribeType.NotFound", f"{kind} is not subscribed.")
    call.partner.bill_subscriptions.remove(found)
    call.applied()
    return envelope("CancelSubscriptionBill", Data=True)


# -- OSS pushes (A.8.1-A.8.3) --------------------------------------------------------------------------

_OSS = ("OssAccessKeyId", "OssAccessKeySecret", "OssBucketName", "OssEndpoint", "OssRegion")


def oss_target(call: Call, *, required: bool) -> tuple[str, str, str] | None:
    """(bucket, endpoint, region) to push to, or None when no OSS parameter came. Secrets are only
    checked for presence; errors name the parameters, never their values."""
    if required:
        for name in (*_OSS, "OssSecurityToken"):
            required_str(call, name)
    elif not any(call.text(name) for name in (*_OSS, "OssSecurityToken")):
        return None
    missing = [name for name in _OSS if not call.text(name)]
    if missing:
        raise BusinessError("InvalidParameter.Oss", f"Pushing to OSS needs {', '.join(missing)} as well.")
    bucket = call.text("OssBucketName")
    if not _BUCKET.match(bucket):
        raise BusinessError("InvalidParameter.OssBucketName", "OssBucketName is not an OSS bucket name.")
    return bucket, call.text("OssEndpoint"), call.text("OssRegion")


def past_month(call: Call, raw: str) -> str:
    """A finished billing month as ``yyyyMM`` (Aliyun's API metadata gives ``202502``, pattern digits)."""
    now = _china(call.state.now())
    if not re.fullmatch(r"\d{6}", raw) or not 1 <= int(raw[4:]) <= 12:
        raise BusinessError("InvalidParameter.BillMonth", "BillMonth must be yyyyMM.")
    if _month_index(int(raw[:4]), int(raw[4:])) >= _month_index(now.year, now.month):
        raise BusinessError("InvalidParameter.BillMonth", "The bill of that month is not issued yet.")
    return raw


def oss_push(
    call: Call, kind: str, month: str, target: tuple[str, str, str] | None, files: list[tuple[str, str]]
) -> OssPush | None:
    """The push of ``kind`` for ``month`` to ``target``, started now if new (the same call again finds it);
    without a target, the latest push of that month, if any."""
    pushes = [p for p in call.partner.oss_pushes if p.kind == kind and p.month == month]
    if target is None:
        return max(pushes, key=lambda p: p.started_at, default=None)
    bucket, endpoint, region = target
    found = next((p for p in pushes if (p.bucket, p.endpoint) == (bucket, endpoint)), None)
    if found is None:
        found = OssPush(kind, month, bucket, endpoint, region, call.state.now(), files)
        call.partner.oss_pushes.append(found)
        call.applied()
    return found


def push_stage(push: OssPush, now: datetime) -> int:
    """1 pending, 2 processing, 3 completed (A.8.1 ``Status``), by the time since the push started."""
    elapsed = now - push.started_at
    return 1 if elapsed < PUSH_PENDING else 2 if elapsed < PUSH_DONE else 3


def file_url(push: OssPush, name: str) -> str:
    return f"https://{push.bucket}.{push.endpoint}/{name}"


def GetBillDetailFileList(call: Call) -> dict[str, Any]:
    """A.8.1: push the month's bill-detail files (customer acquisition; channel expansion when the partner
    has T2 partners) to the partner's OSS, and list them with their push ``Status``."""
    month = past_month(call, required_str(call, "BillMonth"))
    types = ["CustomerAcquisition"] + (["ChannelExpansion"] if call.partner.sub_partners else [])
    files = [(f"{call.partner.uid}_BillDetail_{kind}_{month}.csv", kind) for kind in types]
    push = oss_push(call, "GetBillDetailFileList", month, oss_target(call, required=False), files)
    rows = []
    if push is not None:
        stage = push_stage(push, call.state.now())
        rows = [
            {
                "BillMonth": month,
                "FileName": name,
                "Type": kind,
                "Status": str(stage),
                "FileUrl": file_url(push, name) if stage == 3 else "",
            }
            for name, kind in push.files
        ]
    return {"Code": "200", "Message": "Success", "Msg": "Success", "Success": True, "Data": rows}


# -- the bill files -------------------------------------------------------------------------------------


def _xml_error(status: int, code: str, message: str) -> Response:
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return Response(body, status_code=status, media_type="application/xml")


def download(state: SimulatorState, request: Request) -> Response:
    """``GET /_simulator/bill-files/<token>/<name>.csv``: the bill a GetDailyBill / GetMonthlyBill link names,
    in the simulator's own layout (``CSV_HEADER``). Unknown links: 404; expired ones: 403 (OSS style)."""
    token = request.url.path.removeprefix(FILES_PREFIX).split("/", 1)[0]
    with state.lock:
        file = state.bill_files.get(token)
        if request.method != "GET" or file is None:
            return _xml_error(404, "NoSuchKey", "The specified key does not exist.")
        if state.now() >= file.expires_at:
            return _xml_error(403, "AccessDenied", "Request has expired.")
        partner = state.partners[file.access_key_id]
        orders = _paid(partner.orders if file.owner == "1" else partner.sub_partner_orders, file.period)
    if file.refunds_only:
        orders = [o for o in orders if o.order_type == "REFUND"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for o in sorted(orders, key=lambda o: o.paid_at or o.created_at):
        writer.writerow(
            [
                o.order_id,
                _china(o.paid_at or o.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                o.customer_uid,
                o.customer_account,
                o.sub_partner_uid or "",
                o.product_code,
                o.product_name,
                o.order_type,
                o.price,
                o.discount,
                o.coupon_deduction,
                o.amount_due,
                "CNY",
            ]
        )
    return Response(out.getvalue().encode("utf-8"), media_type="text/csv; charset=utf-8")
