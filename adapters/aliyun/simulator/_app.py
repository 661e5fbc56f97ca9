"""The ASGI app: verify the signature, then dispatch on (``x-acs-version``, ``x-acs-action``).

Adding an operation means adding a handler to ``HANDLERS`` (see ``_call.Handler``). The app is wrapped
in the shared fault injection (``adapters._simkit.faults``) and serves the control endpoints of
``_control`` and the bill files of ``_bills``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from adapters._simkit.faults import FaultInjection, FaultPlan
from adapters.aliyun._signing import parse_query
from adapters.aliyun.simulator import (
    _accounts,
    _bills,
    _commissions,
    _coupons,
    _credit,
    _exports,
    _invitations,
    _notes,
    _orders,
    _partners,
    _templates,
)
from adapters.aliyun.simulator import _credit_controls as _controls
from adapters.aliyun.simulator._auth import REPLAY_WINDOW, verify
from adapters.aliyun.simulator._call import Call, Handler
from adapters.aliyun.simulator._control import CONTROL_PREFIX, AgencyFaultReplies, control, operation_of
from adapters.aliyun.simulator._registration import register
from adapters.aliyun.simulator._responses import (
    BusinessError,
    GatewayRefusal,
    error_envelope,
    json_response,
    new_request_id,
    refusal,
)
from adapters.aliyun.simulator._seed import seed_partner
from adapters.aliyun.simulator._seed_business import FOREIGN_ACCOUNTS
from adapters.aliyun.simulator._state import Clock, EndAccount, NonceCache, SimulatedPartner, SimulatorState

__all__ = ["HANDLERS", "VERSIONS", "AgencySimulator", "create_app"]

log = logging.getLogger(__name__)

V2022 = "2022-12-16"
V2025 = "2025-02-27"
VERSIONS = frozenset({V2022, V2025})

_OPERATIONS: dict[str, tuple[Handler, ...]] = {
    V2022: (
        _invitations.InviteSubAccount,
        _accounts.CreateCustomer,
        _accounts.ListCountries,
        _accounts.GetAccountInfo,
        _invitations.GetInviteStatus,
        _invitations.ResendEmail,
        _invitations.GetUnassociatedCustomer,
        _credit.SetCreditLine,
        _credit.GetCreditInfo,
        _coupons.IssueCouponForCustomer,
        _coupons.CancelCoupon,
        _coupons.ListCouponUsage,
        _orders.GetCustomerOrders,
        _invitations.InviteSubReseller,
        _credit.EditEndUserStatus,
        _credit.DeductOutstandingBalance,
        # credit controls and exports (A.7)
        _controls.AutomaticWriteOff,
        _controls.CustomerQuotaRecordList,
        _controls.EditNewBuyStatus,
        _controls.EditZeroCreditShutdown,
        _controls.GetPurchaseControlRecord,
        _controls.GetShutdownPolicyRecord,
        _controls.QueryAutomaticWriteOffChangeRecords,
        _controls.QueryReversedDeductionHistory,
        _controls.SetAccountInfo,
        _controls.SetWarningThreshold,
        _exports.ExportCustomerQuotaRecord,
        _exports.ExportReversedDeductionHistory,
        _exports.ListExportTasks,
        _exports.QuotaListExportPaged,
        _bills.CancelSubscriptionBill,
        _templates.CouponApprovalStatusList,
        _templates.CreateCouponTemplate,
        _templates.DeleteCouponTemplate,
        _commissions.GetCommissionableProducts,
        _templates.GetCouponTemplateDetail,
        _templates.GetCoupondeductProductCode,
        _bills.GetDailyBill,
        _bills.GetMonthlyBill,
        _templates.GetTier2CouponApprovalDetail,
        _templates.ListTier2CouponApproval,
        _templates.ProcessApproval,
        _bills.SubscriptionBill,
    ),
    V2025: (
        _partners.GetSubPartnerList,
        _orders.GetCustomerOrderList,
        _orders.GetSubPartnerOrderList,
        _notes.CustomerNoteCreate,
        _notes.CustomerNoteList,
        _notes.CustomerNoteListDetail,
        _notes.CustomerNoteEdit,
        _bills.GetBillDetailFileList,
        _commissions.GetCommissionDetailFileList,
        _commissions.GetIntlCommissionDetailFileList,
        _commissions.GetRenewalRateList,
    ),
}
HANDLERS: dict[tuple[str, str], Handler] = {
    (version, handler.__name__): handler for version, handlers in _OPERATIONS.items() for handler in handlers
}

_Scope = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
_Send = Callable[..., Awaitable[None]]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AgencySimulator:
    """A stateful Alibaba Cloud Agency API (RPC, ACS3-signed) as a bare ASGI app.

    ``state`` is its data, ``faults`` the fault plan in force (``adapters._simkit.faults``).
    """

    def __init__(
        self,
        state: SimulatorState,
        handlers: dict[tuple[str, str], Handler] | None = None,
        *,
        faults: FaultPlan | None = None,
    ) -> None:
        self.state = state
        self.handlers = dict(HANDLERS if handlers is None else handlers)
        self.faults = faults or FaultPlan()
        self._asgi = FaultInjection(self._serve, self.faults, operation_of, AgencyFaultReplies())

    async def __call__(self, scope: _Scope, receive: _Receive, send: _Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] == "http":
            await self._asgi(scope, receive, send)

    # -- what the customer and the tests do outside the API ---------------------------------------------

    def register(self, invite_id: int | str, *, uid: int | str | None = None) -> EndAccount:
        """The invited customer registers through the link (see ``_registration.register``)."""
        return register(self.state, int(invite_id), uid=None if uid is None else int(uid))

    def advance(self, delta: timedelta | float) -> datetime:
        """Move business time forward (``float``: seconds)."""
        return self.state.advance(delta if isinstance(delta, timedelta) else timedelta(seconds=delta))

    # -- the API ---------------------------------------------------------------------------------------

    async def _serve(self, scope: _Scope, receive: _Receive, send: _Send) -> None:
        request = Request(scope, receive)
        if request.url.path.startswith(_bills.FILES_PREFIX):  # the bill links of GetDailyBill / GetMonthlyBill
            response = _bills.download(self.state, request)
        elif request.url.path.startswith(CONTROL_PREFIX):
            response = await control(self.state, request)
        else:
            response = await self.handle(request)
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        request_id = new_request_id()
        try:
            response = await self._dispatch(request, request_id)
        except GatewayRefusal as error:
            response = refusal(error, request_id)
        except Exception:  # the simulator must answer like the real gateway, even on its own bugs
            log.exception("simulator failure")
            response = refusal(
                GatewayRefusal(500, "InternalError", "The request processing has failed due to some unknown error."),
                request_id,
            )
        response.headers["x-acs-request-id"] = request_id
        return response

    async def _dispatch(self, request: Request, request_id: str) -> Response:
        body = await request.body()
        headers: dict[str, list[str]] = {}
        for raw_name, raw_value in request.headers.raw:
            headers.setdefault(raw_name.decode("latin-1").lower(), []).append(raw_value.decode("latin-1"))
        with self.state.lock:  # one request at a time changes the state: nothing is applied twice
            return self._run(request, request_id, headers, body)

    def _run(self, request: Request, request_id: str, headers: dict[str, list[str]], body: bytes) -> Response:
        partner = verify(
            self.state,
            method=request.method,
            path=request.url.path,
            query=request.scope.get("query_string", b""),
            headers=headers,
            body=body,
        )
        version = (headers.get("x-acs-version") or [""])[0]
        action = (headers.get("x-acs-action") or [""])[0]
        if not version:
            raise GatewayRefusal(400, "MissingVersion", "Version is mandatory for this action.")
        if version not in VERSIONS:
            # aliyun/aliyun-openapi-java-sdk#23, acmesh-official/acme.sh#2750
            raise GatewayRefusal(400, "InvalidVersion", "Specified parameter Version is not valid.")
        handler = self.handlers.get((version, action))
        if handler is None or request.url.path != "/":
            # aliyun/openapi-sdk-php-client#230, aliyun/aliyun-cli#415
            raise GatewayRefusal(
                404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."
            )
        params = dict(parse_query(request.scope.get("query_string", b"")))
        if body and headers.get("content-type", [""])[0].startswith("application/x-www-form-urlencoded"):
            params.update(parse_query(body))  # A.2.2: CustomerNote* send their params as a form body
        call = Call(self.state, partner, action, version, params, request_id, str(request.base_url).rstrip("/"))
        try:
            result = handler(call)
        except BusinessError as error:
            # A.3.2: business failures are HTTP 200 with their own Code and Success false.
            return json_response({"RequestId": request_id, **error_envelope(action, error)})
        return json_response({"RequestId": request_id, **result})


def create_app(
    partners: Iterable[SimulatedPartner],
    *,
    seed: int = 0,
    clock: Clock | None = None,
    faults: FaultPlan | None = None,
) -> AgencySimulator:
    """A simulator serving ``partners``, each seeded from ``seed`` and its AccessKeyId."""
    now = clock or _utc_now
    start = now()
    states = {partner.access_key_id: seed_partner(partner, seed, start) for partner in partners}
    # A nonce can be replayed while its x-acs-date is within the window on either side: remember 2x.
    state = SimulatorState(
        partners=states, clock=now, nonces=NonceCache(2 * REPLAY_WINDOW), foreign=dict(FOREIGN_ACCOUNTS)
    )
    return AgencySimulator(state, faults=faults or FaultPlan(seed))
