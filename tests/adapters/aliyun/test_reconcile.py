"""AliyunProvider.find_applied: a write whose reply was lost (the simulator's ``ambiguous`` fault: applied,
then the connection drops) is found in the upstream's records with the id the simulator created; a write
dropped before it was applied (``drop``) is not; excluded ids and records older than ``since`` (less the
clock-skew allowance) are not taken; unreadable records raise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from adapters._simkit.faults import Fault, FaultKind
from adapters.aliyun import AliyunProvider
from adapters.aliyun.simulator import AgencySimulator, EndAccount, PartnerState
from gateway.errors import ProviderUnavailable
from gateway.models import AccountType, Money
from gateway.retry import RetryPolicy
from gateway.writes import (
    AddNote,
    CreateCustomer,
    Intent,
    InviteReseller,
    IssueVoucher,
    ReclaimVoucher,
    ResendInvitation,
    SetCreditLine,
    SetCustomerFrozen,
)
from tests.adapters.aliyun.conftest import DISTRIBUTOR, account_for, credentials_for

pytestmark = pytest.mark.anyio


async def no_sleep(seconds: float) -> None:
    return None


@pytest.fixture
def fast(http: httpx.AsyncClient) -> AliyunProvider:
    return AliyunProvider(
        account_for(DISTRIBUTOR), credentials_for(DISTRIBUTOR), http, policy=RetryPolicy(attempts=2), sleep=no_sleep
    )


def state(simulator: AgencySimulator) -> PartnerState:
    return simulator.state.partners[DISTRIBUTOR.access_key_id]


def customer(simulator: AgencySimulator) -> EndAccount:
    return next(a for a in state(simulator).accounts if a.user_type == 2 and not a.frozen)


def applied(simulator: AgencySimulator, action: str) -> int:
    return sum(1 for name, _ in state(simulator).journal if name == action)


@dataclass(frozen=True)
class Case:
    """An intent, the Action that applies it, and (once applied) the receipt ids the simulator implies."""

    action: str
    intent: Callable[[AgencySimulator], Intent]
    ids: Callable[[AgencySimulator], tuple[str, ...]]


def _coupon_ids(simulator: AgencySimulator) -> tuple[str, ...]:
    return (str(state(simulator).coupons[-1].coupon_id),)


def _invite_id(email: str) -> Callable[[AgencySimulator], tuple[str, ...]]:
    def ids(simulator: AgencySimulator) -> tuple[str, ...]:
        return tuple(str(i.invite_id) for i in state(simulator).invitations if i.email == email)

    return ids


def _expired_invitation(simulator: AgencySimulator) -> str:
    now = simulator.state.now()
    return str(next(i.invite_id for i in state(simulator).invitations if i.expires_at < now))


def _available_coupon(simulator: AgencySimulator) -> str:
    now = simulator.state.now()
    return str(next(c.coupon_id for c in state(simulator).coupons if c.status == "AVAILABLE" and c.expires_at > now))


CASES = {
    "createCustomer": Case(
        "InviteSubAccount",
        lambda s: CreateCustomer(name="对账测试有限公司", account_type=AccountType.AGENCY, email="Recon@Example.com"),
        _invite_id("Recon@Example.com"),
    ),
    "inviteReseller": Case(
        "InviteSubReseller",
        lambda s: InviteReseller(name="对账二级伙伴", email="t2.recon@example.com"),
        _invite_id("t2.recon@example.com"),
    ),
    "resendInvitation": Case(
        "ResendEmail",
        lambda s: ResendInvitation(invitation_id=_expired_invitation(s)),
        lambda s: (),  # the invitation the intent names
    ),
    "setCreditLine": Case(
        "SetCreditLine",
        lambda s: SetCreditLine(customer_id=str(customer(s).uid), amount=Money(Decimal("777.70"), "CNY")),
        lambda s: (),
    ),
    "setCustomerFrozen": Case(
        "EditEndUserStatus",
        lambda s: SetCustomerFrozen(customer_id=str(customer(s).uid), frozen=True),
        lambda s: (),
    ),
    "addNote": Case(
        "CustomerNoteCreate",
        lambda s: AddNote(customer_id=str(customer(s).uid), content="回访：对账测试"),
        lambda s: (str(state(s).notes[-1].note_id),),
    ),
    "issueVoucher": Case(
        "IssueCouponForCustomer",
        lambda s: IssueVoucher(customer_id=str(customer(s).uid), template_id=str(state(s).templates[0].template_id)),
        _coupon_ids,
    ),
    "reclaimVoucher": Case(
        "CancelCoupon",
        lambda s: ReclaimVoucher(voucher_id=_available_coupon(s)),
        lambda s: (),  # the coupon the intent names
    ),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_an_ambiguous_write_is_found_with_the_simulators_id(
    fast: AliyunProvider, simulator: AgencySimulator, name: str
) -> None:
    case = CASES[name]
    intent = case.intent(simulator)
    since = datetime.now(UTC)
    simulator.faults.add(Fault(FaultKind.AMBIGUOUS, case.action, remaining=1))
    with pytest.raises(ProviderUnavailable) as caught:
        await fast.execute(intent)
    assert caught.value.outcome_unknown is True
    assert applied(simulator, case.action) == 1  # the simulator applied it, once
    receipt = await fast.find_applied(intent, since, frozenset())
    assert receipt is not None
    expected = case.ids(simulator)
    if isinstance(intent, ReclaimVoucher | ResendInvitation):  # the id the intent named
        expected = (intent.voucher_id if isinstance(intent, ReclaimVoucher) else intent.invitation_id,)
    assert receipt.upstream_ids == expected
    if isinstance(intent, CreateCustomer):
        invitation = state(simulator).invitation(int(receipt.upstream_ids[0]))
        assert invitation is not None
        assert receipt.details["customerId"] == str(invitation.cid)
        row = receipt.details["customerNativeId"]  # the row the invitee is listed as
        assert row in {c.native_id for c in (await fast.list_customers(0, 1000)).items}
    assert applied(simulator, case.action) == 1  # reconciling wrote nothing


@pytest.mark.parametrize("name", list(CASES))
async def test_a_dropped_write_is_not_found(fast: AliyunProvider, simulator: AgencySimulator, name: str) -> None:
    case = CASES[name]
    intent = case.intent(simulator)
    since = datetime.now(UTC)
    simulator.faults.add(Fault(FaultKind.DROP, case.action, remaining=1))
    with pytest.raises(ProviderUnavailable):
        await fast.execute(intent)
    assert applied(simulator, case.action) == 0
    assert await fast.find_applied(intent, since, frozenset()) is None


async def test_excluded_coupons_are_skipped(fast: AliyunProvider, simulator: AgencySimulator) -> None:
    intent = CASES["issueVoucher"].intent(simulator)
    since = datetime.now(UTC)
    first = await fast.execute(intent)
    second = await fast.execute(intent)
    assert first.upstream_ids != second.upstream_ids
    found = await fast.find_applied(intent, since, frozenset())
    assert found is not None
    assert found.upstream_ids == first.upstream_ids
    found = await fast.find_applied(intent, since, frozenset(first.upstream_ids))
    assert found is not None
    assert found.upstream_ids == second.upstream_ids
    assert await fast.find_applied(intent, since, frozenset(first.upstream_ids + second.upstream_ids)) is None


async def test_records_before_since_less_the_skew_are_not_taken(
    fast: AliyunProvider, simulator: AgencySimulator
) -> None:
    uid = str(customer(simulator).uid)
    issue = CASES["issueVoucher"].intent(simulator)
    note = AddNote(customer_id=uid, content="older note")
    invite = CreateCustomer(name="早期客户", account_type=AccountType.AGENCY, email="early@example.com")
    for intent in (issue, note, invite):
        await fast.execute(intent)
        # within the 5-minute allowance: taken; older: not
        assert await fast.find_applied(intent, datetime.now(UTC) + timedelta(minutes=4), frozenset()) is not None
        assert await fast.find_applied(intent, datetime.now(UTC) + timedelta(minutes=6), frozenset()) is None


async def test_an_invitation_registered_since_is_found_as_the_account(
    fast: AliyunProvider, simulator: AgencySimulator
) -> None:
    intent = CreateCustomer(name="已注册客户", account_type=AccountType.AGENCY, email="registered@example.com")
    since = datetime.now(UTC)
    simulator.faults.add(Fault(FaultKind.AMBIGUOUS, "InviteSubAccount", remaining=1))
    with pytest.raises(ProviderUnavailable):
        await fast.execute(intent)
    invitation = next(i for i in state(simulator).invitations if i.email == "registered@example.com")
    account = simulator.register(invitation.invite_id)
    receipt = await fast.find_applied(intent, since, frozenset())
    assert receipt is not None
    assert receipt.upstream_ids == (str(account.uid),)
    assert receipt.details == {
        "customerUid": str(account.uid),
        "associated": "true",
        "customerId": str(account.cid),
        "customerNativeId": str(account.uid),  # registered: listed under its UID
    }


async def test_an_unknown_customer_was_not_written(fast: AliyunProvider) -> None:
    intent = SetCreditLine(customer_id="1200000000000001", amount=Money(Decimal("1"), "CNY"))
    assert await fast.find_applied(intent, datetime.now(UTC), frozenset()) is None


async def test_unreadable_records_raise(fast: AliyunProvider, simulator: AgencySimulator) -> None:
    intent = CASES["issueVoucher"].intent(simulator)
    simulator.faults.add(Fault(FaultKind.SERVER_ERROR, "ListCouponUsage", value=503))
    with pytest.raises(ProviderUnavailable):
        await fast.find_applied(intent, datetime.now(UTC), frozenset())
    simulator.faults.clear()
    simulator.faults.add(Fault(FaultKind.SERVER_ERROR, "GetCreditInfo", value=503))
    with pytest.raises(ProviderUnavailable):
        await fast.find_applied(CASES["setCreditLine"].intent(simulator), datetime.now(UTC), frozenset())


async def test_a_coupon_list_lost_after_issuing_is_reported_unknown(
    fast: AliyunProvider, simulator: AgencySimulator
) -> None:
    # the list before the issue answers, the list after it does not: applied for certain, id unknown
    intent = CASES["issueVoucher"].intent(simulator)
    since = datetime.now(UTC)
    fault = Fault(FaultKind.SERVER_ERROR, "ListCouponUsage", value=503)
    original = fast.client.issue_coupon_for_customer

    async def issue_then_break(*args: object, **kwargs: object) -> dict[str, object]:
        body = await original(*args, **kwargs)  # type: ignore[arg-type]
        simulator.faults.add(fault)
        return body

    fast.client.issue_coupon_for_customer = issue_then_break  # type: ignore[method-assign]
    with pytest.raises(ProviderUnavailable) as caught:
        await fast.execute(intent)
    assert caught.value.outcome_unknown is True
    assert caught.value.request_id is not None
    simulator.faults.clear()
    receipt = await fast.find_applied(intent, since, frozenset())
    assert receipt is not None
    assert receipt.upstream_ids == _coupon_ids(simulator)
