"""The simulator's ASGI app: API Gateway in front (routing, AK/SK verification), BSS handlers behind.

Requests are routed by the real method and path (``_operations.OPERATIONS``) to one handler per
operation, named after the SDK method. A POST handler gets the JSON body, a GET handler the query
string. Every reply carries ``X-Request-Id`` (CONTRACTS.md H.3). Handlers run under the state lock, so
concurrent requests never interleave a balance check and its debit.

Around it: fault injection (``adapters._simkit.faults``; ``app.faults`` is the plan) and the control
endpoints ``/_simulator/faults``, ``GET /_simulator/verification-codes?mobile_phone=...`` and
``POST /_simulator/consumption`` (charge a customer now, ``_history.add_consumption``); for change detection,
``POST /_simulator/payment`` (a customer's balance pays for usage, as a deduction would) and
``POST /_simulator/freeze`` (the cloud freezes or thaws a customer: ``is_frozen``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters._simkit.faults import Fault, FaultInjection, FaultPlan

from .. import _json
from .._operations import BY_ROUTE
from . import _bills, _catalog, _coupons, _customers, _funds, _history, _promotions
from ._auth import authenticate
from ._errors import ApiError, error_response, invalid
from ._faults import HuaweiFaultReplies, operation_of
from ._params import Query
from ._seed import DEFAULT_CUSTOMERS, seed_customers
from ._seed_business import seed_business, seed_reseller_quotas
from ._state import PartnerState, SimAccount, SimulatorState, SubCustomer

__all__ = [
    "CODES_PATH",
    "CONSUMPTION_PATH",
    "FREEZE_PATH",
    "HANDLERS",
    "PAYMENT_PATH",
    "Handler",
    "SimulatorApp",
    "create_app",
]

Handler = Callable[[SimulatorState, PartnerState, dict[str, Any]], dict[str, Any] | None]

#: SDK method name -> handler: every operation of CONTRACTS.md H.4 and H.6.
HANDLERS: Mapping[str, Handler] = {
    handler.__name__: handler
    for handler in (
        _customers.create_sub_customer,
        _customers.list_sub_customers,
        _customers.send_verification_message_code,
        _customers.check_user_identity,
        _customers.list_customer_on_demand_resources,
        _funds.list_customers_balances_detail,
        _funds.update_customer_account_amount,
        _funds.reclaim_to_partner_account,
        _funds.list_partner_balances,
        _funds.list_indirect_partners,
        _funds.update_indirect_partner_account,
        _funds.reclaim_indirect_partner_account,
        _funds.list_partner_account_change_records,
        _funds.list_partner_adjust_records,
        _coupons.list_quota_coupons,
        _coupons.update_coupon_quotas,
        _coupons.reclaim_coupon_quotas,
        _coupons.list_issued_coupon_quotas,
        _coupons.list_coupon_quotas_records,
        _coupons.create_partner_coupons,
        _coupons.reclaim_partner_coupons,
        _coupons.list_issued_partner_coupons,
        _catalog.list_customer_orders,
        _catalog.list_on_demand_resource_ratings,
        _catalog.list_provinces,
        _catalog.list_cities,
        _catalog.list_counties,
        _bills.list_subcustomer_monthly_bills,
        _bills.list_sub_customer_bill_detail,
        _bills.list_consume_sub_customers,
        _promotions.list_partner_coupons_record,
        _promotions.list_sub_customer_coupons,
        _promotions.list_sub_customer_new_tag,
        _promotions.list_incentive_discount_policies,
        _promotions.list_rate_on_period_detail,
        _catalog.list_service_types,
        _catalog.list_resource_types,
        _catalog.list_service_resources,
        _catalog.list_usage_types,
        _catalog.list_measure_units,
        _catalog.list_conversions,
    )
}

CODES_PATH = "/_simulator/verification-codes"
CONSUMPTION_PATH = "/_simulator/consumption"
PAYMENT_PATH = "/_simulator/payment"
FREEZE_PATH = "/_simulator/freeze"
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


class SimulatorApp(Starlette):
    """The BSS simulator: ``simulator`` is its state (also ``state.simulator``), ``faults`` its fault plan."""

    simulator: SimulatorState
    faults: FaultPlan


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _json_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        data = _json.loads(body)
    except ValueError:
        raise invalid("body", "must be a JSON object") from None
    if not isinstance(data, dict):
        raise invalid("body", "must be a JSON object")
    return data


def create_app(
    accounts: Sequence[SimAccount],
    *,
    seed: int = 0,
    clock: Callable[[], datetime] = _utc_now,
    customers_per_account: int = DEFAULT_CUSTOMERS,
    association_delay: timedelta = timedelta(seconds=2),
    faults: Iterable[Fault] = (),
) -> SimulatorApp:
    """A seeded simulator serving ``accounts``.

    ``association_delay``: how long a created customer takes to appear in list_sub_customers (by the
    simulator ``clock``). ``faults`` are added to the plan from the start.
    """
    partners = [PartnerState(account, seed_customers(seed, account, customers_per_account)) for account in accounts]
    state = SimulatorState(partners, clock, seed=seed, association_delay=association_delay)
    anchor = clock().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    for partner in partners:
        seed_business(seed, partner, anchor)
    seed_reseller_quotas(seed, state, anchor)

    async def endpoint(request: Request) -> Response:
        request_id = uuid.uuid4().hex
        body = await request.body()
        raw_path = request.scope.get("raw_path") or request.url.path.encode("utf-8")
        try:
            operation = BY_ROUTE.get((request.method, request.url.path))
            if operation is None:
                # https://support.huaweicloud.com/intl/en-us/usermanual-apig/apig-ug-180530090.html
                raise ApiError(
                    404,
                    "APIGW.0101",
                    "The API does not exist or has not been published in the environment",
                    gateway=True,
                )
            caller = authenticate(
                state,
                method=request.method,
                raw_path=raw_path.decode("latin-1").partition("?")[0],
                raw_query=request.scope.get("query_string", b"").decode("latin-1"),
                headers={name.lower(): value for name, value in request.headers.items()},
                body=body,
            )
            params = Query(request.query_params.multi_items()) if request.method == "GET" else _json_body(body)
            with state.lock:  # one operation at a time: no double spend under concurrency
                result = HANDLERS[operation.name](state, caller, params)
        except ApiError as error:
            return error_response(error, request_id)
        content = b"" if result is None else _json.dumps(result).encode("utf-8")  # empty body (H.4.3, H.4.18)
        return Response(content, media_type="application/json", headers={"X-Request-Id": request_id})

    async def verification_codes(request: Request) -> Response:
        phone = request.query_params.get("mobile_phone", "")
        code = state.verification_code(phone)
        if code is None:
            return JSONResponse({"error": f"no valid verification code for {phone!r}"}, status_code=404)
        expiry = state.code_expiry(phone)
        return JSONResponse(
            {"mobile_phone": phone, "verification_code": code, "expire_time": expiry.isoformat() if expiry else None}
        )

    async def consumption(request: Request) -> Response:
        try:
            order = _json.loads(await request.body())
            if not isinstance(order, dict):
                raise ValueError("the body must be a JSON object")
            record = _history.add_consumption(
                state,
                str(order["customer_id"]),
                Decimal(str(order["amount"])),
                service_type=str(order["cloud_service_type"]),
                resource_type=order.get("resource_type"),
                charge_mode=int(order.get("charge_mode", _history.PAY_PER_USE)),
                region=str(order.get("region", _history.REGIONS[0])),
            )
        except KeyError as missing:
            return JSONResponse({"error": f"missing {missing}"}, status_code=400)
        except (ValueError, TypeError, ArithmeticError) as refused:
            return JSONResponse({"error": str(refused)}, status_code=400)
        return Response(_json.dumps(record.to_wire()), status_code=201, media_type="application/json")

    def visible_customer(order: dict[str, Any]) -> SubCustomer:
        customer_id = str(order["customer_id"])
        now = state.clock()
        for partner in state.partners:
            found = partner.customer(customer_id, now)
            if found is not None:
                return found
        raise ValueError(f"no associated customer {customer_id!r}")

    async def payment(request: Request) -> Response:
        """The customer's balance pays ``amount`` for usage (as a deduction would): what the balance lacks
        becomes debt. Resale customers only (the others have no funds with the partner)."""
        try:
            order = _json.loads(await request.body())
            if not isinstance(order, dict):
                raise ValueError("the body must be a JSON object")
            amount = Decimal(str(order["amount"]))
            if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
                raise ValueError("amount must be more than 0, in cents")
            with state.lock:
                customer = visible_customer(order)
                if not customer.is_resale:
                    raise ValueError(f"{customer.customer_id} is not a resale customer: it has no funds here")
                paid = min(amount, customer.amount)
                customer.amount -= paid
                customer.debt_amount += amount - paid
                body = {
                    "customer_id": customer.customer_id,
                    "amount": customer.amount,
                    "debt_amount": customer.debt_amount,
                }
        except KeyError as missing:
            return JSONResponse({"error": f"missing {missing}"}, status_code=400)
        except (ValueError, TypeError, ArithmeticError) as refused:
            return JSONResponse({"error": str(refused)}, status_code=400)
        return Response(_json.dumps(body), media_type="application/json")

    async def freeze(request: Request) -> Response:
        """The cloud freezes (``is_frozen`` 1: the account; 2: the account and its resources) or thaws (0) a
        customer, as list_sub_customers then shows it."""
        try:
            order = _json.loads(await request.body())
            if not isinstance(order, dict):
                raise ValueError("the body must be a JSON object")
            frozen = order["is_frozen"]
            if frozen not in (0, 1, 2):
                raise ValueError("is_frozen must be 0, 1 or 2")
            with state.lock:
                customer = visible_customer(order)
                customer.is_frozen = frozen
        except KeyError as missing:
            return JSONResponse({"error": f"missing {missing}"}, status_code=400)
        except (ValueError, TypeError) as refused:
            return JSONResponse({"error": str(refused)}, status_code=400)
        return JSONResponse({"customer_id": customer.customer_id, "is_frozen": frozen})

    plan = FaultPlan(seed)
    for fault in faults:
        plan.add(fault)
    app = SimulatorApp(
        routes=[
            Route(CODES_PATH, verification_codes, methods=["GET"]),
            Route(CONSUMPTION_PATH, consumption, methods=["POST"]),
            Route(PAYMENT_PATH, payment, methods=["POST"]),
            Route(FREEZE_PATH, freeze, methods=["POST"]),
            Route("/{path:path}", endpoint, methods=_METHODS),
        ]
    )
    app.add_middleware(FaultInjection, plan=plan, operation_of=operation_of, replies=HuaweiFaultReplies())
    app.state.simulator = state
    app.simulator = state
    app.faults = plan
    return app
