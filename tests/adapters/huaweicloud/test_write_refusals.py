"""Refused writes: the gateway error class, ``Reason``, upstream code and request id of each refusal."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from adapters.huaweicloud.simulator import SimulatorApp
from gateway.errors import ProviderError, ProviderForbidden, Reason
from gateway.models import AccountType, ItemFailure, Money
from gateway.writes import (
    AllocateResellerFunds,
    CreateCustomer,
    GrantVoucherQuota,
    Intent,
    IssueVoucher,
    ReclaimFunds,
    ReclaimVoucher,
    ReclaimVoucherQuota,
    SendVerificationCode,
    TransferFunds,
)

from .conftest import ENDPOINT, T1, T2, Clock, Traffic, partner, provider_for

PHONE = "13912345678"


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def _customer(app: SimulatorApp, *, resale: bool) -> str:
    return next(c.customer_id for c in partner(app).customers if c.is_resale is resale)


def _quota(app: SimulatorApp) -> str:
    return next(q.quota_id for q in partner(app).quotas if q.quota_status == 0 and q.parent_quota_id is None)


def _cases(app: SimulatorApp) -> dict[str, tuple[Intent, Reason, str]]:
    """Each refusal: the write, and the reason and upstream code it must come back with (plain ProviderError)."""
    resale, advisory, quota = _customer(app, resale=True), _customer(app, resale=False), _quota(app)
    taken = partner(app).customers[0].account_name
    return {
        "insufficient balance": (TransferFunds(resale, cny("99999999")), Reason.INSUFFICIENT_FUNDS, "CBC.99006001"),
        "customer balance too small": (
            ReclaimFunds(resale, cny("99999999")),
            Reason.INSUFFICIENT_FUNDS,
            "CBC.99006001",
        ),
        "advisory customer": (TransferFunds(advisory, cny("10")), Reason.ACCOUNT_TYPE_NOT_ALLOWED, "CBC.99006002"),
        "bad sms code": (
            CreateCustomer("X", AccountType.RESALE, phone=PHONE, verification_code="000000"),
            Reason.INVALID_VERIFICATION_CODE,
            "CBC.99006003",
        ),
        "name taken": (
            CreateCustomer("X", AccountType.RESALE, account_name=taken),
            Reason.ALREADY_EXISTS,
            "CBC.99006004",
        ),
        "unknown reseller": (AllocateResellerFunds("nobody", cny("10")), Reason.NOT_FOUND, "CBC.99006008"),
        "unknown customer": (TransferFunds("nobody", cny("10")), Reason.NOT_FOUND, "CBC.99006008"),
        "unknown coupon": (ReclaimVoucher("nobody"), Reason.NOT_FOUND, "CBC.99006008"),
        "unknown quota": (GrantVoucherQuota(T2.domain_id, "nobody", cny("10")), Reason.NOT_FOUND, "CBC.99006008"),
        "bad phone": (SendVerificationCode("12345"), Reason.INVALID_INPUT, "CBC.0100"),
        # batch answers: HTTP 200, the only item in error_details[] (H.3)
        "voucher for an advisory customer": (
            IssueVoucher(advisory, quota_id=quota, face_value=cny("10")),
            Reason.ACCOUNT_TYPE_NOT_ALLOWED,
            "CBC.99006002",
        ),
        "voucher above the quota": (
            IssueVoucher(resale, quota_id=quota, face_value=cny("99999999")),
            Reason.INSUFFICIENT_FUNDS,
            "CBC.99006005",
        ),
        "quota above the parent": (
            GrantVoucherQuota(T2.domain_id, quota, cny("99999999")),
            Reason.INSUFFICIENT_FUNDS,
            "CBC.99006005",
        ),
        "quota of nobody": (GrantVoucherQuota("nobody", quota, cny("10")), Reason.NOT_FOUND, "CBC.99006008"),
        "unknown quota to reclaim": (ReclaimVoucherQuota("nobody"), Reason.NOT_FOUND, "CBC.99006008"),
    }


CASES = [
    "insufficient balance",
    "customer balance too small",
    "advisory customer",
    "bad sms code",
    "name taken",
    "unknown reseller",
    "unknown customer",
    "unknown coupon",
    "unknown quota",
    "bad phone",
    "voucher for an advisory customer",
    "voucher above the quota",
    "quota above the parent",
    "quota of nobody",
    "unknown quota to reclaim",
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.anyio
async def test_refusal(
    case: str, moving_app: SimulatorApp, moving_http: httpx.AsyncClient, clock: Clock, traffic: Traffic
) -> None:
    intent, reason, code = _cases(moving_app)[case]
    with pytest.raises(ProviderError) as refused:
        await provider_for(moving_http, clock).execute(intent)
    error = refused.value
    assert type(error) is ProviderError
    assert (error.reason, error.upstream_code) == (reason, code)
    assert error.request_id is not None
    assert error.request_id == traffic.request_ids[-1]
    assert not error.outcome_unknown
    assert not error.retryable
    assert len(traffic.paths) == 1  # a refusal is never resent
    assert error.extensions()["reason"] == reason.value


@pytest.mark.parametrize(
    "intent",
    [AllocateResellerFunds(T1.domain_id, cny("10")), GrantVoucherQuota(T1.domain_id, "q", cny("10"))],
    ids=lambda intent: intent.kind,
)
@pytest.mark.anyio
async def test_a_tier2_key_on_a_tier1_only_write(
    intent: Intent, moving_http: httpx.AsyncClient, clock: Clock, traffic: Traffic
) -> None:
    with pytest.raises(ProviderForbidden) as refused:
        await provider_for(moving_http, clock, T2).execute(intent)
    assert refused.value.reason is Reason.ROLE_NOT_ALLOWED
    assert refused.value.upstream_code == "CBC.0151"
    assert refused.value.http_status == 403
    assert refused.value.request_id == traffic.request_ids[-1]


@pytest.mark.anyio
async def test_a_partial_batch_answer_becomes_failures(clock: Clock) -> None:
    """Only a batch answer with both lists (H.3): the refused items go to ``Receipt.failures``."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = {
            "coupon_infos": [{"id": "c1", "coupon_id": "CP1"}],
            "error_details": [{"id": "c2", "error_code": "CBC.99006002", "error_msg": "not resale"}],
        }
        return httpx.Response(200, json=body, headers={"X-Request-Id": "req-1"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url=ENDPOINT) as http:
        receipt = await provider_for(http, clock).execute(IssueVoucher("c1", quota_id="q", face_value=cny("5")))
    assert receipt.upstream_ids == ("CP1",)
    assert receipt.request_id == "req-1"
    assert receipt.failures == (ItemFailure("c2", "CBC.99006002", "not resale"),)


@pytest.mark.anyio
async def test_created_but_not_associated_is_a_success(clock: Clock) -> None:
    """create_sub_customer's CBC.99000050 carries the new domain_id (H.3): the account exists."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = {"error_code": "CBC.99000050", "error_msg": "association pending", "domain_id": "D1", "domain_name": "n"}
        return httpx.Response(400, json=body, headers={"X-Request-Id": "req-2"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url=ENDPOINT) as http:
        receipt = await provider_for(http, clock).execute(CreateCustomer("N", AccountType.RESALE))
    assert receipt.upstream_ids == ("D1",)
    assert receipt.request_id == "req-2"
    assert receipt.details["association"] == "pending"
