"""``find_applied`` after a lost reply: the simulator's faults, then the upstream's own records.

AMBIGUOUS applies the request and drops the reply; DROP drops it before applying. In-process both reach
the adapter as a dropped connection, so ``execute`` cannot tell them apart: ``find_applied`` must.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from adapters._simkit.faults import Fault, FaultKind
from adapters.huaweicloud._reconcile import ASSOCIATION_WAIT, SKEW
from adapters.huaweicloud.simulator import SimulatorApp
from gateway.errors import ProviderUnavailable, UnsupportedByProvider
from gateway.models import AccountType, Money
from gateway.writes import (
    AllocateResellerFunds,
    CreateCustomer,
    GrantVoucherQuota,
    Intent,
    IssueVoucher,
    ReclaimFunds,
    ReclaimResellerFunds,
    ReclaimVoucher,
    ReclaimVoucherQuota,
    SendVerificationCode,
    SetCreditLine,
    TransferFunds,
)

from .conftest import ENDPOINT, NOW, T1, T2, Clock, Traffic, partner, provider_for

NONE: frozenset[str] = frozenset()
ADJUST_RECORDS = "/v3/accounts/partner-accounts/adjust-records"


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def _resale(app: SimulatorApp) -> str:
    return next(c.customer_id for c in partner(app).customers if c.is_resale)


def _quota(app: SimulatorApp) -> str:
    return next(q.quota_id for q in partner(app).quotas if q.quota_status == 0 and q.parent_quota_id is None)


def _last_trans_id(app: SimulatorApp) -> str:
    return str(partner(app).adjust_records[-1]["trans_id"])


def _usable_coupon(app: SimulatorApp) -> str:
    return next(c.coupon_id for c in partner(app).coupons if c.status == 2)


# intent kind -> (SDK method, the intent, the upstream id the simulator created for it)
Case = tuple[str, Callable[[SimulatorApp], Intent], Callable[[SimulatorApp], str]]
CASES: dict[str, Case] = {
    "transfer": (
        "update_customer_account_amount",
        lambda app: TransferFunds(_resale(app), cny("250")),
        _last_trans_id,
    ),
    "reclaim": ("reclaim_to_partner_account", lambda app: ReclaimFunds(_resale(app), cny("0.5")), _last_trans_id),
    "allocate": (
        "update_indirect_partner_account",
        lambda app: AllocateResellerFunds(T2.domain_id, cny("700")),
        _last_trans_id,
    ),
    "reclaim reseller": (
        "reclaim_indirect_partner_account",
        lambda app: ReclaimResellerFunds(T2.domain_id, cny("70")),
        _last_trans_id,
    ),
    "grant quota": (
        "update_coupon_quotas",
        lambda app: GrantVoucherQuota(T2.domain_id, _quota(app), cny("300")),
        lambda app: partner(app).issued_quotas[-1].quota_id,
    ),
    "reclaim quota": (
        "reclaim_coupon_quotas",
        lambda app: ReclaimVoucherQuota(partner(app).issued_quotas[0].quota_id),
        lambda app: partner(app).issued_quotas[0].quota_id,
    ),
    "issue voucher": (
        "create_partner_coupons",
        lambda app: IssueVoucher(_resale(app), quota_id=_quota(app), face_value=cny("66")),
        lambda app: partner(app).coupons[-1].coupon_id,
    ),
    "reclaim voucher": ("reclaim_partner_coupons", lambda app: ReclaimVoucher(_usable_coupon(app)), _usable_coupon),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.anyio
async def test_an_ambiguous_write_is_found_applied(
    case: str, moving_app: SimulatorApp, moving_http: httpx.AsyncClient, clock: Clock
) -> None:
    method, make, created = CASES[case]
    provider, intent = provider_for(moving_http, clock), make(moving_app)
    expected_id = created(moving_app) if case == "reclaim voucher" else None
    moving_app.faults.add(Fault(FaultKind.AMBIGUOUS, method, remaining=1))
    with pytest.raises(ProviderUnavailable) as lost:
        await provider.execute(intent)
    assert lost.value.outcome_unknown
    assert moving_app.faults.injected[(method, FaultKind.AMBIGUOUS)] == 1  # and the simulator applied it:
    expected_id = expected_id or created(moving_app)

    found = await provider.find_applied(intent, NOW, NONE)
    assert found is not None
    assert found.upstream_ids == (expected_id,)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.anyio
async def test_a_dropped_write_is_found_not_applied(
    case: str, moving_app: SimulatorApp, moving_http: httpx.AsyncClient, clock: Clock
) -> None:
    method, make, _ = CASES[case]
    provider, intent = provider_for(moving_http, clock), make(moving_app)
    moving_app.faults.add(Fault(FaultKind.DROP, method, remaining=1))
    with pytest.raises(ProviderUnavailable) as lost:
        await provider.execute(intent)
    assert lost.value.outcome_unknown  # the adapter cannot tell DROP from AMBIGUOUS
    assert await provider.find_applied(intent, NOW, NONE) is None


@pytest.mark.anyio
async def test_same_amount_transfers_are_told_apart_by_exclude(
    moving_app: SimulatorApp, moving_http: httpx.AsyncClient, clock: Clock
) -> None:
    provider, intent = provider_for(moving_http, clock), TransferFunds(_resale(moving_app), cny("42"))
    (first,) = (await provider.execute(intent)).upstream_ids
    assert await provider.find_applied(intent, NOW, frozenset({first})) is None  # only one exists
    clock.advance(seconds=1)
    moving_app.faults.add(Fault(FaultKind.AMBIGUOUS, "update_customer_account_amount", remaining=1))
    with pytest.raises(ProviderUnavailable):
        await provider.execute(intent)
    second = _last_trans_id(moving_app)
    assert second != first
    found = await provider.find_applied(intent, NOW, frozenset({first}))
    assert found is not None
    assert found.upstream_ids == (second,)
    oldest = await provider.find_applied(intent, NOW, NONE)
    assert oldest is not None
    assert oldest.upstream_ids == (first,)
    assert await provider.find_applied(intent, NOW, frozenset({first, second})) is None
    other = await provider.find_applied(TransferFunds(intent.customer_id, cny("43")), NOW, NONE)
    assert other is None  # a different amount is not this write


@pytest.mark.anyio
async def test_records_before_the_window_are_not_taken(
    moving_app: SimulatorApp, moving_http: httpx.AsyncClient, clock: Clock
) -> None:
    provider, intent = provider_for(moving_http, clock), TransferFunds(_resale(moving_app), cny("42"))
    clock.advance(minutes=-10)
    (early,) = (await provider.execute(intent)).upstream_ids
    clock.advance(minutes=10)
    assert await provider.find_applied(intent, NOW, NONE) is None  # 10 minutes before since: not taken
    within = await provider.find_applied(intent, NOW - timedelta(minutes=10) + SKEW, NONE)
    assert within is not None
    assert within.upstream_ids == (early,)


@pytest.mark.anyio
async def test_records_are_read_to_the_end(
    moving_app: SimulatorApp, moving_http: httpx.AsyncClient, clock: Clock, traffic: Traffic
) -> None:
    provider, customer_id = provider_for(moving_http, clock), _resale(moving_app)
    moving_app.faults.add(Fault(FaultKind.AMBIGUOUS, "update_customer_account_amount", remaining=1))
    intent = TransferFunds(customer_id, cny("5.55"))
    with pytest.raises(ProviderUnavailable):
        await provider.execute(intent)
    wanted = _last_trans_id(moving_app)
    for _ in range(120):  # newer records push it to the second page (newest first, 100 a page)
        await provider.execute(TransferFunds(customer_id, cny("1")))
    traffic.paths.clear()
    found = await provider.find_applied(intent, NOW, NONE)
    assert found is not None
    assert found.upstream_ids == (wanted,)
    assert traffic.paths == [ADJUST_RECORDS, ADJUST_RECORDS]


@pytest.mark.anyio
async def test_unreadable_records_raise(moving_app: SimulatorApp, moving_http: httpx.AsyncClient, clock: Clock) -> None:
    moving_app.faults.add(Fault(FaultKind.SERVER_ERROR, "list_partner_adjust_records"))
    with pytest.raises(ProviderUnavailable):
        await provider_for(moving_http, clock).find_applied(TransferFunds(_resale(moving_app), cny("1")), NOW, NONE)


@pytest.mark.anyio
async def test_an_ambiguous_customer_is_found_once_associated(
    moving_app: SimulatorApp, moving_http: httpx.AsyncClient, clock: Clock
) -> None:
    provider = provider_for(moving_http, clock)
    intent = CreateCustomer("Acme", AccountType.RESALE, account_name="acme_cloud")
    moving_app.faults.add(Fault(FaultKind.AMBIGUOUS, "create_sub_customer", remaining=1))
    with pytest.raises(ProviderUnavailable):
        await provider.execute(intent)
    created = partner(moving_app).customers[-1]
    assert created.account_name == "acme_cloud"
    with pytest.raises(ProviderUnavailable):  # the name is taken but the customer is not listed yet
        await provider.find_applied(intent, NOW, NONE)
    clock.advance(seconds=3)
    found = await provider.find_applied(intent, NOW, NONE)
    assert found is not None
    assert found.upstream_ids == (created.customer_id,)
    assert found.details["customerNativeId"] == created.customer_id
    assert await provider.find_applied(intent, NOW, frozenset({created.customer_id})) is None


@pytest.mark.anyio
async def test_an_ambiguous_unnamed_customer_is_found_by_its_reference(
    moving_app: SimulatorApp, moving_http: httpx.AsyncClient, clock: Clock
) -> None:
    provider = provider_for(moving_http, clock)
    intent = CreateCustomer("Acme", AccountType.ADVISORY)  # a random account name upstream
    moving_app.faults.add(Fault(FaultKind.AMBIGUOUS, "create_sub_customer", remaining=1))
    with pytest.raises(ProviderUnavailable):
        await provider.execute(intent)
    clock.advance(seconds=3)
    found = await provider.find_applied(intent, NOW, NONE)
    assert found is not None
    assert found.upstream_ids == (partner(moving_app).customers[-1].customer_id,)
    other = CreateCustomer("Other", AccountType.ADVISORY)  # another derived xaccount_id: not this customer
    with pytest.raises(ProviderUnavailable):
        await provider.find_applied(other, NOW, NONE)


@pytest.mark.anyio
async def test_a_dropped_customer_is_not_found(
    moving_app: SimulatorApp, moving_http: httpx.AsyncClient, clock: Clock
) -> None:
    provider = provider_for(moving_http, clock)
    named = CreateCustomer("Acme", AccountType.RESALE, account_name="acme_cloud")
    unnamed = CreateCustomer("Beta", AccountType.RESALE)
    moving_app.faults.add(Fault(FaultKind.DROP, "create_sub_customer", remaining=2))
    for intent in (named, unnamed):
        with pytest.raises(ProviderUnavailable):
            await provider.execute(intent)
    assert await provider.find_applied(named, NOW, NONE) is None  # check_user_identity: the name is free
    with pytest.raises(ProviderUnavailable):  # it may still be associating
        await provider.find_applied(unnamed, NOW, NONE)
    clock.advance(seconds=ASSOCIATION_WAIT.total_seconds())
    assert await provider.find_applied(unnamed, NOW, NONE) is None


@pytest.mark.anyio
async def test_a_verification_code_is_simply_sent_again(moving_http: httpx.AsyncClient, clock: Clock) -> None:
    assert await provider_for(moving_http, clock).find_applied(SendVerificationCode("13912345678"), NOW, NONE) is None


@pytest.mark.anyio
async def test_an_unsupported_write_has_nothing_to_find(moving_http: httpx.AsyncClient, clock: Clock) -> None:
    with pytest.raises(UnsupportedByProvider):
        await provider_for(moving_http, clock).find_applied(SetCreditLine("c", cny("1")), NOW, NONE)


@pytest.mark.anyio
async def test_a_tier2_customers_transfer_is_found_in_the_tier2s_records(
    moving_app: SimulatorApp, moving_http: httpx.AsyncClient, clock: Clock
) -> None:
    customer_id = next(c.customer_id for c in partner(moving_app, T2).customers if c.is_resale)
    intent = TransferFunds(customer_id, cny("12"), reseller_id=T2.domain_id)
    provider = provider_for(moving_http, clock, T1)
    moving_app.faults.add(Fault(FaultKind.AMBIGUOUS, "update_customer_account_amount", remaining=1))
    with pytest.raises(ProviderUnavailable):
        await provider.execute(intent)
    found = await provider.find_applied(intent, NOW, NONE)
    assert found is not None
    assert found.upstream_ids == (partner(moving_app, T2).adjust_records[-1]["trans_id"],)


@pytest.mark.anyio
async def test_the_window_holds_when_the_upstream_ignores_the_time_filter(clock: Clock) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        old = {"customer_id": "c1", "operation_type": "SOURCE_OPERATION_BEADJUST", "amount": "9.00", "trans_id": "OLD"}
        records = [{**old, "operation_time": "2025-03-01T07:54:59Z"}]  # 5 min 1 s before since
        return httpx.Response(200, json={"total_count": 1, "records": records})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url=ENDPOINT) as http:
        provider = provider_for(http, clock)
        assert await provider.find_applied(TransferFunds("c1", cny("9")), NOW, NONE) is None
        found = await provider.find_applied(TransferFunds("c1", cny("9")), NOW - timedelta(seconds=1), NONE)
    assert found is not None
    assert found.upstream_ids == ("OLD",)


@pytest.mark.parametrize("case", ["reclaim quota", "reclaim voucher"])
@pytest.mark.anyio
async def test_a_second_reclaim_is_not_taken_for_the_first(
    case: str, moving_app: SimulatorApp, moving_http: httpx.AsyncClient, clock: Clock
) -> None:
    """The first reclaim's receipt is attributed (excluded); the second, refused upstream, was not applied."""
    method, make, _ = CASES[case]
    provider, intent = provider_for(moving_http, clock), make(moving_app)
    (first,) = (await provider.execute(intent)).upstream_ids
    moving_app.faults.add(Fault(FaultKind.AMBIGUOUS, method, remaining=1))
    with pytest.raises(ProviderUnavailable):
        await provider.execute(intent)  # refused upstream (already reclaimed), but the reply is lost
    assert await provider.find_applied(intent, NOW, frozenset({first})) is None
