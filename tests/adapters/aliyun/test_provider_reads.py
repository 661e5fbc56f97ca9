"""Every read method of AliyunProvider against the simulator in-process (httpx.ASGITransport)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from adapters._simkit.faults import Fault, FaultKind
from adapters.aliyun import AliyunProvider
from adapters.aliyun._mapping_business import INVITATION_PREFIX
from adapters.aliyun.simulator import COUNTRIES, AgencySimulator, PartnerState, SimulatedClock
from gateway.errors import InvalidInput, ProviderUnavailable, UnsupportedByProvider
from gateway.models import (
    AccountType,
    CustomerStatus,
    Funds,
    Money,
    OrderStatus,
    OrderType,
    Page,
    PriceRequest,
    RegionLevel,
    VoucherStatus,
)
from gateway.provider import Capability
from tests.adapters.aliyun.conftest import (
    DISTRIBUTOR,
    RESELLER,
    CountingTransport,
    account_for,
    credentials_for,
)
from tests.support.sleeps import Sleeps

pytestmark = pytest.mark.anyio


def state(simulator: AgencySimulator, partner: object = DISTRIBUTOR) -> PartnerState:
    return simulator.state.partners[partner.access_key_id]  # type: ignore[attr-defined]


async def test_customer_funds_reads_credit_per_uid(provider: AliyunProvider, simulator: AgencySimulator) -> None:
    accounts = [a for a in state(simulator).accounts if a.user_type in (1, 2)][:12]
    stranger = str(state(simulator, RESELLER).accounts[0].uid)
    funds = await provider.customer_funds([str(a.uid) for a in accounts] + [stranger, str(accounts[0].uid)])
    assert set(funds) == {str(a.uid) for a in accounts}  # the other partner's UID is absent
    for account in accounts:
        item = funds[str(account.uid)]
        assert item.credit_line == Money(account.credit_line, "CNY")
        assert item.available == Money(account.available, "CNY")
        assert item.debt == Money(account.outstanding, "CNY")
        assert item.extra["NewBuyStatus"] == account.new_buy_status
        assert isinstance(item.available.amount, Decimal)


async def test_one_failing_credit_read_fails_only_that_customer(
    http: httpx.AsyncClient, simulator: AgencySimulator, transport: CountingTransport
) -> None:
    provider = AliyunProvider(account_for(DISTRIBUTOR), credentials_for(DISTRIBUTOR), http, sleep=Sleeps())
    uids = [str(a.uid) for a in state(simulator).accounts if a.user_type in (1, 2)][:6]
    failing = uids[2]
    simulator.faults.add(Fault(FaultKind.SERVER_ERROR, "GetCreditInfo", 503.0, match=f"Uid={failing}"))
    funds = await provider.customer_funds(uids)
    assert set(funds) == set(uids)
    error = funds[failing]
    assert isinstance(error, ProviderUnavailable)
    assert error.upstream_code == "ServiceUnavailable"
    assert all(isinstance(funds[uid], Funds) for uid in uids if uid != failing)  # the others stand
    assert transport.actions().count("GetCreditInfo") == len(uids) + 2  # the failing read tried 3 times


async def test_invitees_and_non_uids_have_no_funds_and_cost_no_call(
    provider: AliyunProvider, transport: CountingTransport
) -> None:
    assert await provider.customer_funds([f"{INVITATION_PREFIX}42", "not-a-uid"]) == {}
    assert transport.requests == []


async def test_get_customers_by_uid(provider: AliyunProvider, simulator: AgencySimulator) -> None:
    person = next(a for a in state(simulator).accounts if a.user_type == 1)
    company = next(a for a in state(simulator).accounts if a.user_type == 2)
    t2 = next(a for a in state(simulator).accounts if a.user_type == 3)
    found = await provider.get_customers([str(person.uid), str(company.uid), str(t2.uid), "1"])
    assert set(found) == {str(person.uid), str(company.uid)}
    assert found[str(company.uid)].name == company.nickname


async def test_resellers_and_their_funds(provider: AliyunProvider, simulator: AgencySimulator) -> None:
    partners = state(simulator).sub_partners
    page = await provider.list_resellers(1, 10)
    assert page.total == len(partners)
    assert [r.native_id for r in page.items] == [str(p.master_uid) for p in partners[1:11]]
    assert page.items[0].extra["Pid"] == partners[1].pid
    got = await provider.get_resellers([str(partners[0].master_uid), "404"])
    assert list(got) == [str(partners[0].master_uid)]
    funds = await provider.reseller_funds([str(partners[0].master_uid)])
    assert funds[str(partners[0].master_uid)].credit_line is not None


async def test_reseller_account_has_no_resellers(http: httpx.AsyncClient) -> None:
    reseller = AliyunProvider(account_for(RESELLER), credentials_for(RESELLER), http)
    assert Capability.LIST_RESELLERS not in reseller.capabilities
    with pytest.raises(UnsupportedByProvider):
        await reseller.list_resellers(0, 5)


async def test_invitees_pending_and_expired(
    provider: AliyunProvider, simulator: AgencySimulator, clock: SimulatedClock
) -> None:
    invitations = state(simulator).invitations
    page = await provider.list_customers(0, 1000)
    invitees = {c.native_id: c for c in page.items if c.native_id.startswith(INVITATION_PREFIX)}
    assert len(invitees) == len(invitations)
    for source in invitations:
        item = invitees[f"{INVITATION_PREFIX}{source.invite_id}"]
        expected = CustomerStatus.INVITED if clock() < source.expires_at else CustomerStatus.INVITATION_EXPIRED
        assert item.status is expected
        assert item.email == source.email
        assert item.invitation_expires_at == source.expires_at.replace(microsecond=0)
        # the type it was invited as, which GetInviteStatus reports (GetUnassociatedCustomer does not)
        assert item.account_type is {1: AccountType.AGENCY, 2: AccountType.CONSIGNMENT}[source.sub_account_type]
        assert item.extra["Cid"] == str(source.cid)
        assert item.owner is None  # the upstream shows no CustomerBd before registration
    assert {c.status for c in invitees.values()} == {CustomerStatus.INVITED, CustomerStatus.INVITATION_EXPIRED}
    assert {c.account_type for c in invitees.values()} == {AccountType.AGENCY, AccountType.CONSIGNMENT}


async def test_a_page_asks_the_status_of_its_invitees_five_at_a_time(
    provider: AliyunProvider, simulator: AgencySimulator, transport: CountingTransport
) -> None:
    total = (await provider.list_customers(0, 0)).total
    invited = len(state(simulator).invitations)
    transport.requests.clear()
    page = await provider.list_customers(total - invited - 2, invited + 2)  # 2 accounts, then every invitee
    assert [c.status for c in page.items].count(CustomerStatus.ASSOCIATED) == 2
    assert transport.actions().count("GetInviteStatus") == -(-invited // 5)
    assert all(c.account_type is not AccountType.UNKNOWN for c in page.items)


async def test_vouchers(provider: AliyunProvider, simulator: AgencySimulator) -> None:
    coupons = state(simulator).coupons
    page = await provider.list_vouchers(0, 100)
    assert page.total == len(coupons)
    statuses = {v.status for v in page.items}
    assert VoucherStatus.UNKNOWN not in statuses
    one = coupons[0]
    mine = await provider.list_vouchers(0, 10, customer_id=str(one.uid))
    assert str(one.coupon_id) in [v.native_id for v in mine.items]
    voucher = next(v for v in mine.items if v.native_id == str(one.coupon_id))
    assert (voucher.face_value, voucher.remaining) == (Money(one.amount, "CNY"), Money(one.balance, "CNY"))
    assert voucher.source_id == str(one.template_id)
    assert list(await provider.get_vouchers([str(one.coupon_id), "1"])) == [str(one.coupon_id)]


async def test_an_invitee_has_no_orders_vouchers_or_notes_and_costs_no_call(
    provider: AliyunProvider, simulator: AgencySimulator, transport: CountingTransport
) -> None:
    invitee = f"{INVITATION_PREFIX}{state(simulator).invitations[0].invite_id}"
    assert invitee in {c.native_id for c in (await provider.list_customers(0, 1000)).items}  # a listed row
    transport.requests.clear()
    empty = Page(items=(), total=0)
    assert await provider.list_orders(0, 20, customer_id=invitee) == empty
    assert await provider.list_vouchers(0, 20, customer_id=invitee) == empty
    assert await provider.list_notes(invitee, 0, 20) == empty
    assert transport.requests == []
    with pytest.raises(InvalidInput):  # any other non-UID is still the caller's mistake
        await provider.list_orders(0, 20, customer_id="not-a-uid")


async def test_orders_in_the_default_window(
    provider: AliyunProvider, simulator: AgencySimulator, clock: SimulatedClock
) -> None:
    orders = state(simulator).orders
    recent = sorted(
        (o for o in orders if o.created_at >= clock() - timedelta(days=180)), key=lambda o: o.created_at, reverse=True
    )
    page = await provider.list_orders(0, 1000)  # every one: the seed's monthly renewals make hundreds
    assert page.total == len(recent) < len(orders)
    assert [o.native_id for o in page.items] == [str(o.order_id) for o in recent]
    first, source = page.items[0], recent[0]
    assert (
        first.status
        is {1: OrderStatus.PENDING_PAYMENT, 2: OrderStatus.COMPLETED, 3: OrderStatus.CANCELLED}[source.status]
    )
    assert first.order_type is not OrderType.UNKNOWN
    assert first.amount_due == Money(source.amount_due, "CNY")
    assert first.project_id == (str(source.project_id) if source.project_id else None)
    assert any(o.project_id for o in page.items)
    mine = await provider.list_orders(0, 100, customer_id=str(source.customer_uid))
    assert {o.customer_id for o in mine.items} == {str(source.customer_uid)}
    assert list(await provider.get_orders([str(source.order_id)])) == [str(source.order_id)]
    with pytest.raises(InvalidInput):
        await provider.list_orders(0, 5, since=datetime(2020, 1, 1, tzinfo=UTC), until=datetime(2021, 1, 1, tzinfo=UTC))


async def test_notes(provider: AliyunProvider, simulator: AgencySimulator) -> None:
    note = state(simulator).notes[0]
    page = await provider.list_notes(str(note.customer_uid), 0, 20)
    assert note.note_id in [int(n.native_id) for n in page.items]
    item = next(n for n in page.items if n.native_id == str(note.note_id))
    assert (item.content, item.customer_id, item.creator) == (note.content, str(note.customer_uid), note.creator_name)
    assert item.touched_at == datetime.fromtimestamp(note.touch_date / 1000, UTC)


async def test_regions_and_unsupported_reads(provider: AliyunProvider) -> None:
    countries = await provider.list_regions(RegionLevel.COUNTRY)
    assert [r.code for r in countries] == list(COUNTRIES)
    assert {r.level for r in countries} == {RegionLevel.COUNTRY}
    for call in (
        provider.list_regions(RegionLevel.PROVINCE),
        provider.partner_balances(),
        provider.list_voucher_quotas(0, 5),
        provider.list_ledger(0, 5),
        provider.list_reseller_customers("1", 0, 5),
        provider.quote_price(PriceRequest("p", ())),
    ):
        with pytest.raises(UnsupportedByProvider):
            await call
