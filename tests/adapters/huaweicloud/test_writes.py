"""``HuaweiCloudProvider.execute``: each write against the in-process simulator, seen through provider reads."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from adapters.huaweicloud._roles import PartnerRole
from adapters.huaweicloud.simulator import SimulatorApp
from gateway.errors import InvalidInput, UnsupportedByProvider
from gateway.models import AccountType, BalanceKind, Money, VoucherQuotaStatus, VoucherStatus
from gateway.provider import Capability, Provider
from gateway.writes import (
    AddNote,
    AllocateResellerFunds,
    CreateCustomer,
    GrantVoucherQuota,
    InviteReseller,
    IssueVoucher,
    ReclaimFunds,
    ReclaimResellerFunds,
    ReclaimVoucher,
    ReclaimVoucherQuota,
    ResendInvitation,
    SendVerificationCode,
    SetCreditLine,
    SetCustomerFrozen,
    TransferFunds,
)

from .conftest import T1, T2, Clock, Traffic, partner, provider_for

PHONE = "13912345678"


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def _resale(app: SimulatorApp, sim: object = T1) -> str:
    return next(c.customer_id for c in partner(app, sim).customers if c.is_resale)  # type: ignore[arg-type]


def _own_quota(app: SimulatorApp) -> str:
    return next(q.quota_id for q in partner(app).quotas if q.quota_status == 0 and q.parent_quota_id is None)


@pytest.mark.anyio
async def test_capabilities_by_role(moving_http: httpx.AsyncClient, clock: Clock) -> None:
    tier1, tier2 = provider_for(moving_http, clock), provider_for(moving_http, clock, T2)
    assert isinstance(tier1, Provider)
    writes = {
        Capability.CREATE_CUSTOMER,
        Capability.SEND_VERIFICATION_CODE,
        Capability.TRANSFER_FUNDS,
        Capability.ALLOCATE_RESELLER_FUNDS,
        Capability.GRANT_VOUCHER_QUOTA,
        Capability.ISSUE_VOUCHER,
        Capability.RECLAIM_VOUCHER,
    }
    assert writes <= tier1.capabilities
    assert not {Capability.SET_CREDIT_LINE, Capability.FREEZE_CUSTOMER, Capability.ADD_NOTE} & tier1.capabilities
    assert tier2.account.role == PartnerRole.TIER2_RESELLER
    tier1_only = {Capability.ALLOCATE_RESELLER_FUNDS, Capability.GRANT_VOUCHER_QUOTA}
    assert tier2.capabilities == tier1.capabilities - tier1_only - {
        Capability.LIST_RESELLERS,
        Capability.RESELLER_FUNDS,
        Capability.LIST_QUOTA_MOVEMENTS,  # list_coupon_quotas_records is a tier-1's (H.4.16)
    }


@pytest.mark.anyio
async def test_transfer_and_reclaim_funds(
    moving_app: SimulatorApp, moving_http: httpx.AsyncClient, clock: Clock, traffic: Traffic
) -> None:
    provider, customer_id = provider_for(moving_http, clock), _resale(moving_app)
    before = (await provider.customer_funds([customer_id]))[customer_id].available.amount
    allocatable = {b.kind: b.amount.amount for b in await provider.partner_balances()}[BalanceKind.ALLOCATABLE]

    sent = await provider.execute(TransferFunds(customer_id, cny("250.5")))
    assert json.loads(traffic.bodies[-1]) == {"customer_id": customer_id, "amount": 250.50}
    assert traffic.bodies[-1].endswith(b'"amount": 250.50}')  # always 2 decimals on the wire
    assert sent.request_id == traffic.request_ids[-1]
    assert sent.request_id
    back = await provider.execute(ReclaimFunds(customer_id, cny("100")))

    funds = (await provider.customer_funds([customer_id]))[customer_id].available.amount
    assert funds == before + Decimal("150.50")
    balances = {b.kind: b.amount.amount for b in await provider.partner_balances()}
    assert balances[BalanceKind.ALLOCATABLE] == allocatable - Decimal("150.50")
    ledger = {e.transaction_id: e for e in (await provider.list_ledger(0, 5)).items}
    assert ledger[sent.upstream_ids[0]].amount == cny("250.50")
    assert ledger[sent.upstream_ids[0]].counterparty_id == customer_id
    assert ledger[back.upstream_ids[0]].amount == cny("100.00")


@pytest.mark.anyio
async def test_a_tier2_customer_is_funded_from_the_tier2(
    moving_app: SimulatorApp, moving_http: httpx.AsyncClient, clock: Clock
) -> None:
    provider, customer_id = provider_for(moving_http, clock), _resale(moving_app, T2)
    before = (await provider.reseller_funds([T2.domain_id]))[T2.domain_id].available.amount
    receipt = await provider.execute(TransferFunds(customer_id, cny("30"), reseller_id=T2.domain_id))
    assert (await provider.reseller_funds([T2.domain_id]))[T2.domain_id].available.amount == before - 30
    assert partner(moving_app, T2).adjust_records[-1]["trans_id"] == receipt.upstream_ids[0]


@pytest.mark.anyio
async def test_allocate_and_reclaim_reseller_funds(
    moving_app: SimulatorApp, moving_http: httpx.AsyncClient, clock: Clock
) -> None:
    provider = provider_for(moving_http, clock)
    before = (await provider.reseller_funds([T2.domain_id]))[T2.domain_id].available.amount
    sent = await provider.execute(AllocateResellerFunds(T2.domain_id, cny("1000")))
    back = await provider.execute(ReclaimResellerFunds(T2.domain_id, cny("400.25")))
    after = (await provider.reseller_funds([T2.domain_id]))[T2.domain_id].available.amount
    assert after == before + Decimal("599.75")
    ledger = {e.transaction_id: e for e in (await provider.list_ledger(0, 5)).items}
    assert ledger[sent.upstream_ids[0]].counterparty_id == T2.domain_id
    assert ledger[back.upstream_ids[0]].amount == cny("400.25")


@pytest.mark.anyio
async def test_grant_and_reclaim_voucher_quota(
    moving_app: SimulatorApp, moving_http: httpx.AsyncClient, clock: Clock
) -> None:
    provider, parent_id = provider_for(moving_http, clock), _own_quota(moving_app)

    async def parent_balance() -> Decimal:
        own = (await provider.list_voucher_quotas(0, 100)).items
        return next(q.remaining.amount for q in own if q.native_id == parent_id)

    before = await parent_balance()
    granted = await provider.execute(GrantVoucherQuota(T2.domain_id, parent_id, cny("1200")))
    (quota_id,) = granted.upstream_ids
    assert granted.failures == ()
    theirs = {q.native_id: q for q in (await provider.list_voucher_quotas(0, 100, reseller_id=T2.domain_id)).items}
    assert theirs[quota_id].remaining == cny("1200.00")
    assert theirs[quota_id].parent_id == parent_id
    assert await parent_balance() == before - 1200

    reclaimed = await provider.execute(ReclaimVoucherQuota(quota_id))
    assert reclaimed.upstream_ids == (quota_id,)
    assert reclaimed.details["quota_balance"] == "0.00"
    theirs = {q.native_id: q for q in (await provider.list_voucher_quotas(0, 100, reseller_id=T2.domain_id)).items}
    assert theirs[quota_id].status is VoucherQuotaStatus.RECLAIMED
    assert await parent_balance() == before


@pytest.mark.anyio
async def test_issue_and_reclaim_voucher(
    moving_app: SimulatorApp, moving_http: httpx.AsyncClient, clock: Clock
) -> None:
    provider, customer_id, quota_id = provider_for(moving_http, clock), _resale(moving_app), _own_quota(moving_app)
    issued = await provider.execute(IssueVoucher(customer_id, quota_id=quota_id, face_value=cny("88.8")))
    (coupon_id,) = issued.upstream_ids
    vouchers = {v.native_id: v for v in (await provider.list_vouchers(0, 100, customer_id=customer_id)).items}
    assert vouchers[coupon_id].face_value == cny("88.80")
    assert vouchers[coupon_id].status is VoucherStatus.AVAILABLE

    reclaimed = await provider.execute(ReclaimVoucher(coupon_id))
    assert reclaimed.upstream_ids == (coupon_id,)
    assert reclaimed.request_id
    assert (await provider.get_vouchers([coupon_id]))[coupon_id].status is VoucherStatus.RECLAIMED


@pytest.mark.anyio
async def test_create_a_resale_customer_with_a_phone(
    moving_app: SimulatorApp, moving_http: httpx.AsyncClient, clock: Clock, traffic: Traffic
) -> None:
    provider = provider_for(moving_http, clock, xaccount_type="hw-platform-7")
    sent = await provider.execute(SendVerificationCode(PHONE))
    assert sent.upstream_ids == ()
    assert sent.request_id
    code = moving_app.simulator.verification_code(PHONE)
    assert code is not None

    intent = CreateCustomer("Acme", AccountType.RESALE, phone=PHONE, verification_code=code, account_name="acme_cloud")
    receipt = await provider.execute(intent)
    (domain_id,) = receipt.upstream_ids
    body = json.loads(traffic.bodies[-1])
    assert body["xaccount_type"] == "hw-platform-7"
    assert "cooperation_type" not in body
    assert body["xaccount_id"] == receipt.details["xaccount_id"]
    assert body["xaccount_id"].startswith("pg-")
    assert receipt.details["account_name"] == "acme_cloud"
    assert await provider.get_customers([domain_id]) == {}  # association is asynchronous (H.4.1)

    assert receipt.details["customerNativeId"] == domain_id

    clock.advance(seconds=3)
    customer = (await provider.get_customers([domain_id]))[domain_id]
    assert customer.account_type is AccountType.RESALE
    assert domain_id in {c.native_id for c in (await provider.list_customers(0, 100)).items}  # listed as such
    assert customer.phone == PHONE
    assert customer.extra["xaccount_id"] == body["xaccount_id"]


@pytest.mark.anyio
async def test_create_an_advisory_customer_for_a_tier2(
    moving_app: SimulatorApp, moving_http: httpx.AsyncClient, clock: Clock, traffic: Traffic
) -> None:
    provider = provider_for(moving_http, clock)
    intent = CreateCustomer("Beta", AccountType.ADVISORY, partner_reference="crm-42", reseller_id=T2.domain_id)
    (domain_id,) = (await provider.execute(intent)).upstream_ids
    body = json.loads(traffic.bodies[-1])
    assert body["cooperation_type"] == "1"
    assert body["xaccount_id"] == "crm-42"
    assert body["indirect_partner_id"] == T2.domain_id
    assert "domain_name" not in body
    clock.advance(seconds=3)
    page = await provider.list_reseller_customers(T2.domain_id, 0, 100)
    created = next(c for c in page.items if c.native_id == domain_id)
    assert created.account_type is AccountType.ADVISORY


@pytest.mark.parametrize(
    "intent",
    [
        SetCreditLine("c1", Money(Decimal(10), "CNY")),
        SetCustomerFrozen("c1", frozen=True),
        AddNote("c1", "called"),
        InviteReseller("R", "r@example.com"),
        ResendInvitation("i1"),
        CreateCustomer("C", AccountType.RESALE, credit_line=Money(Decimal(5), "CNY")),
    ],
    ids=lambda intent: intent.kind,
)
@pytest.mark.anyio
async def test_unsupported_writes(
    intent: object, moving_http: httpx.AsyncClient, clock: Clock, traffic: Traffic
) -> None:
    with pytest.raises(UnsupportedByProvider):
        await provider_for(moving_http, clock).execute(intent)  # type: ignore[arg-type]
    assert traffic.paths == []


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("0", "CNY"), ("-5", "CNY"), ("1.001", "CNY"), ("0.005", "CNY"), ("10", "USD")],
)
@pytest.mark.parametrize("kind", ["transfer", "reclaim", "allocate", "grant", "issue"])
@pytest.mark.anyio
async def test_bad_amounts_are_refused_before_sending(
    kind: str, amount: str, currency: str, moving_http: httpx.AsyncClient, clock: Clock, traffic: Traffic
) -> None:
    money = Money(Decimal(amount), currency)
    intent = {
        "transfer": TransferFunds("c1", money),
        "reclaim": ReclaimFunds("c1", money),
        "allocate": AllocateResellerFunds(T2.domain_id, money),
        "grant": GrantVoucherQuota(T2.domain_id, "q1", money),
        "issue": IssueVoucher("c1", quota_id="q1", face_value=money),
    }[kind]
    with pytest.raises(InvalidInput) as refused:
        await provider_for(moving_http, clock).execute(intent)
    assert refused.value.field in ("amount", "face_value")
    assert traffic.paths == []  # nothing was sent


@pytest.mark.parametrize(
    ("intent", "field"),
    [
        (CreateCustomer("C", AccountType.RESALE, phone=PHONE), "verification_code"),
        (CreateCustomer("C", AccountType.CONSIGNMENT), "account_type"),
        (IssueVoucher("c1", template_id="t1"), "template_id"),
        (IssueVoucher("c1", face_value=Money(Decimal(1), "CNY")), "quota_id"),
        (IssueVoucher("c1", quota_id="q1"), "face_value"),
    ],
)
@pytest.mark.anyio
async def test_bad_input_is_refused_before_sending(
    intent: object, field: str, moving_http: httpx.AsyncClient, clock: Clock, traffic: Traffic
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await provider_for(moving_http, clock).execute(intent)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert traffic.paths == []
