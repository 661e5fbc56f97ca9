"""Order operations: GetCustomerOrders (2022-12-16, A.4.12), GetCustomerOrderList and
GetSubPartnerOrderList (2025-02-27, A.5.2, A.5.3). Status codes: ``_records.OrderStatus`` (A.6.1)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.aliyun.simulator._call import Call, optional_int, paged, require_distributor, required_int, required_str
from adapters.aliyun.simulator._records import Order
from adapters.aliyun.simulator._responses import BusinessError, Num, console_time

__all__ = ["MAX_WINDOW", "GetCustomerOrderList", "GetCustomerOrders", "GetSubPartnerOrderList"]

#: A.5.2: "each window is at most 6 months"; the simulator counts 6 months as 183 days.
MAX_WINDOW = timedelta(days=183)
MAX_PAGE_SIZE = 100
_CHINA = timezone(timedelta(hours=8))
_ORDER_TYPES = frozenset({"BUY", "UPGRADE", "DOWNGRADE", "RENEW", "REFUND", "OTHERS"})


def _date(call: Call, name: str, *, end: bool) -> datetime:
    raw = required_str(call, name)
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            moment = datetime.strptime(raw, fmt).replace(tzinfo=_CHINA)
        except ValueError:
            continue
        return moment + timedelta(days=1) if end and fmt == "%Y-%m-%d" else moment
    raise BusinessError("InvalidParameter." + name, f"{name} must be yyyy-MM-dd or yyyy-MM-dd HH:mm:ss.")


def _millis(call: Call, name: str) -> datetime | None:
    value = optional_int(call, name, low=0)
    return None if value is None else datetime.fromtimestamp(value / 1000, UTC)


def _amount(call: Call, name: str) -> Decimal | None:
    raw = call.text(name)
    if not raw:
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise BusinessError("InvalidParameter." + name, f"{name} is not a number.") from None


def _window(call: Call, after: str, before: str) -> tuple[datetime | None, datetime | None]:
    start, end = _millis(call, after), _millis(call, before)
    if (start is None) != (end is None):
        raise BusinessError("InvalidParameter.TimeRange", f"{after} and {before} must be given together.")
    if start is not None and end is not None and not timedelta(0) <= end - start <= MAX_WINDOW:
        raise BusinessError("InvalidParameter.TimeRange", "A time window must be ordered and at most 6 months.")
    return start, end


def _filters(call: Call) -> list[Callable[[Order], bool]]:
    """The filters GetCustomerOrderList and GetSubPartnerOrderList share (A.5.2, A.5.3)."""
    created = _window(call, "OrderCreateAfter", "OrderCreateBefore")
    paid = _window(call, "OrderPayAfter", "OrderPayBefore")
    if created[0] is None and paid[0] is None:
        raise BusinessError("InvalidParameter.TimeRange", "The order create and pay windows cannot both be empty.")
    raw_types = call.text("OrderTypeList")
    try:
        types = json.loads(raw_types) if raw_types else []  # one JSON string (A.2.2 "json" style)
    except ValueError:
        raise BusinessError("InvalidParameter.OrderTypeList", "OrderTypeList must be a JSON array.") from None
    if not isinstance(types, list) or not set(types) <= _ORDER_TYPES:
        raise BusinessError("InvalidParameter.OrderTypeList", "OrderTypeList has an unknown order type.")
    order_id, status, pay_type = (optional_int(call, n) for n in ("OrderId", "OrderStatus", "PayType"))
    project, low, high = (
        optional_int(call, "ProjectId"),
        _amount(call, "PayAmountAfter"),
        _amount(call, "PayAmountBefore"),
    )
    code, name = call.text("ProductCode"), call.text("ProductName")
    checks: list[Callable[[Order], bool]] = []
    if created[0] is not None:
        checks.append(lambda o: created[0] <= o.created_at < created[1])  # type: ignore[operator]
    if paid[0] is not None:
        checks.append(lambda o: o.paid_at is not None and paid[0] <= o.paid_at < paid[1])  # type: ignore[operator]
    exact: list[tuple[object, Callable[[Order], object]]] = [
        (order_id, lambda o: o.order_id),
        (status, lambda o: o.status),
        (pay_type, lambda o: o.pay_type),
        (project, lambda o: o.project_id),
        (code or None, lambda o: o.product_code),
    ]
    checks += [_equals(wanted, get) for wanted, get in exact if wanted is not None]
    if types:
        checks.append(lambda o: o.order_type in types)
    if name:
        checks.append(lambda o: name in o.product_name)
    if low is not None:
        checks.append(lambda o: o.amount_due >= low)
    if high is not None:
        checks.append(lambda o: o.amount_due <= high)
    return checks


def _equals(wanted: object, get: Callable[[Order], object]) -> Callable[[Order], bool]:
    return lambda order: get(order) == wanted


def _select(orders: list[Order], checks: list[Callable[[Order], bool]]) -> list[Order]:
    chosen = [order for order in orders if all(check(order) for check in checks)]
    return sorted(chosen, key=lambda order: order.created_at, reverse=True)


def _money(order: Order) -> dict[str, Any]:
    return {
        "Price": Num(order.price),
        "DiscountedPrice": Num(order.discounted_price),
        "AmountDiscount": Num(order.discount),
        "DeductedAmountByCoupons": Num(order.coupon_deduction),
        "AmountDue": Num(order.amount_due),
    }


def _common(order: Order) -> dict[str, Any]:
    return {
        "OrderId": order.order_id,
        "CustomerClassification": order.classification,
        "OrderStatus": order.status,
        "OrderType": order.order_type,
        "PayType": order.pay_type,
        **_money(order),
        "CreatedAt": console_time(order.created_at),
        "PaidAt": console_time(order.paid_at),
        "ProductCode": order.product_code,
        "ProductName": order.product_name,
        "ProjectId": order.project_id,
    }


def _paging(call: Call) -> tuple[int, int]:
    return required_int(call, "PageNo", low=1), required_int(call, "PageSize", low=1, high=MAX_PAGE_SIZE)


def GetCustomerOrderList(call: Call) -> dict[str, Any]:
    """A.5.2: customers' orders in a create and/or pay window (ms timestamps, each at most 6 months)."""
    page, size = _paging(call)
    checks = _filters(call)
    uid, account, manager = (
        optional_int(call, "CustomerUid"),
        call.text("CustomerAccount"),
        call.text("RamAccountForCustomerManager"),
    )
    if uid is not None:
        checks.append(lambda o: o.customer_uid == uid)
    if account:
        checks.append(lambda o: o.customer_account == account)
    if manager:
        checks.append(lambda o: o.customer_manager == manager)
    orders = _select(call.partner.orders, checks)
    rows = [
        {
            **_common(o),
            "CustomerUid": o.customer_uid,
            "CustomerAccount": o.customer_account,
            "RamAccountForCustomerManagers": [o.customer_manager],
        }
        for o in paged(orders, page, size)
    ]
    return {"Code": "200", "Success": True, "Message": "Success", "HttpStatusCode": 200, "AccessDeniedDetail": "",
            "PageNo": page, "PageSize": size, "Total": len(orders), "Data": rows}  # fmt: skip


def GetSubPartnerOrderList(call: Call) -> dict[str, Any]:
    """A.5.3: the T2 partners' orders (distributors only)."""
    require_distributor(call)
    page, size = _paging(call)
    checks = _filters(call)
    t2_uid, t2_name = optional_int(call, "SubPartnerUid"), call.text("SubPartnerName")
    if t2_uid is not None:
        checks.append(lambda o: o.sub_partner_uid == t2_uid)
    if t2_name:
        checks.append(lambda o: o.sub_partner_name is not None and t2_name in o.sub_partner_name)
    orders = _select(call.partner.sub_partner_orders, checks)
    rows = [
        {**_common(o), "SubPartnerUid": o.sub_partner_uid, "SubPartnerName": o.sub_partner_name}
        for o in paged(orders, page, size)
    ]
    return {"Code": "200", "Success": True, "Message": "Success", "PageNo": page, "PageSize": size,
            "Total": len(orders), "Data": rows}  # fmt: skip


def GetCustomerOrders(call: Call) -> dict[str, Any]:
    """A.4.12 (2022): ``StartDate``/``EndDate`` (yyyy-MM-dd, China time) on the order time
    (``TimeType`` 1) or the payment time (``TimeType`` 2): the SDK documents neither, simulator choice."""
    start, end = _date(call, "StartDate", end=False), _date(call, "EndDate", end=True)
    time_type = required_int(call, "TimeType", low=1, high=2)
    page, size = _paging(call)
    uid, order_id, status = (optional_int(call, n) for n in ("CustomerUid", "OrderId", "OrderStatus"))
    texts = {n: call.text(n) for n in ("CustomerAccount", "CustomerManager", "OrderType", "ProductType", "OrderSource")}

    def keep(o: Order) -> bool:
        moment = o.created_at if time_type == 1 else o.paid_at
        return (
            moment is not None
            and start <= moment < end
            and (uid is None or o.customer_uid == uid)
            and (order_id is None or o.order_id == order_id)
            and (status is None or o.status == status)
            and (not texts["CustomerAccount"] or o.customer_account == texts["CustomerAccount"])
            and (not texts["CustomerManager"] or o.customer_manager == texts["CustomerManager"])
            and (not texts["OrderType"] or o.order_type == texts["OrderType"])
            and (not texts["ProductType"] or o.product_code == texts["ProductType"])
            and (not texts["OrderSource"] or o.order_source == texts["OrderSource"])
        )

    orders = sorted(filter(keep, call.partner.orders), key=lambda o: o.created_at, reverse=True)
    rows = [
        {
            "OrderId": o.order_id,
            "CustomerNo": o.customer_uid,
            "CustomerAccount": o.customer_account,
            "CustomerManager": o.customer_manager,
            "OrderSource": o.order_source,
            "OrderStatus": o.status,
            "OrderType": o.order_type,
            "ProductType": o.product_code,
            "ProductDetail": o.product_name,
            "OriginalCost": Num(o.price),
            "PretaxCost": Num(o.amount_due),
            "PaymentMethod": "delegated" if o.pay_type == 2 else "self",
            "PaymentTime": console_time(o.paid_at),
            "TimeToOrder": console_time(o.created_at),
        }
        for o in paged(orders, page, size)
    ]
    return {"Code": "200", "Success": True, "Message": "Success", "Msg": "Success", "PageNo": page,
            "PageSize": size, "Total": len(orders), "Data": rows}  # fmt: skip
