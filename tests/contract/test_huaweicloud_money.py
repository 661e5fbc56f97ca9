"""The official SDK against the BSS simulator: balances, allocations, reclaims and their records.

State changes are read back through a second operation: an allocation moves money from the partner's
allocatable account (list_partner_balances) to the customer (list_customers_balances_detail) and shows
in list_partner_adjust_records and list_partner_account_change_records; a reclaim reverses it.

SDK vs CONTRACTS.md, checked here: CONTRACTS.md 0.2 says the SDK reads every JSON float as ``Decimal``.
It does parse the body that way, but its model deserialiser then casts fields typed ``float`` (all of
``list_partner_balances``' amounts, H.4.9) to Python ``float``: an SDK user gets ``1000000.0``, not a
``Decimal``. The adapter reads the raw JSON itself, so it keeps ``Decimal``; the tests below convert the
SDK's floats through ``str`` only to compare them.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from huaweicloudsdkbss.v2 import (
    AdjustAccountReq,
    AdjustToIndirectPartnerReq,
    CustomerInfoV2,
    ListCustomersBalancesDetailRequest,
    ListIndirectPartnersRequest,
    ListPartnerAccountChangeRecordsRequest,
    ListPartnerAdjustRecordsRequest,
    ListPartnerBalancesRequest,
    QueryCustomersBalancesReq,
    QueryIndirectPartnersReq,
    ReclaimIndirectPartnerAccountReq,
    ReclaimIndirectPartnerAccountRequest,
    ReclaimToPartnerAccountBalancesReq,
    ReclaimToPartnerAccountRequest,
    UpdateCustomerAccountAmountRequest,
    UpdateIndirectPartnerAccountRequest,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from tests.adapters.huaweicloud.sdk_support import SP, T1, T2, T2B, Served, serve


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    yield from serve()


def _allocatable(served: Served, account=T1, **query: str) -> Decimal:  # type: ignore[no-untyped-def]
    response = served.client(account).list_partner_balances(ListPartnerBalancesRequest(**query))
    (entry,) = [b for b in response.account_balances if b.account_type == 8]
    return Decimal(str(entry.amount))  # the SDK model casts to float (see the module docstring)


def _customer_balance(served: Served, customer_id: str, account=T1) -> Decimal | None:  # type: ignore[no-untyped-def]
    request = ListCustomersBalancesDetailRequest(
        body=QueryCustomersBalancesReq(customer_infos=[CustomerInfoV2(customer_id=customer_id)])
    )
    balances = served.client(account).list_customers_balances_detail(request).customer_balances
    return balances[0].amount if balances else None


def _resale(served: Served, index: int = 0, account=T1) -> str:  # type: ignore[no-untyped-def]
    return [c.customer_id for c in served.partner(account).customers if c.is_resale][index]


def _advisory(served: Served) -> str:
    return next(c.customer_id for c in served.partner(T1).customers if not c.is_resale)


def test_partner_balances_are_decimal_per_account_type(served: Served) -> None:
    response = served.client().list_partner_balances(ListPartnerBalancesRequest())
    by_type = {b.account_type: b for b in response.account_balances}
    assert set(by_type) == {1, 2, 5, 8}
    partner = served.partner(T1)
    assert by_type[8].amount == partner.balances[8]
    assert isinstance(by_type[8].amount, float)  # the SDK's model type, although the wire number is exact
    assert by_type[8].designated_amount == 20000.0
    assert by_type[2].credit_amount == 100000.0
    assert all(b.currency == "CNY" and b.measure_id == 1 and b.account_id for b in by_type.values())
    t2 = served.client().list_partner_balances(ListPartnerBalancesRequest(indirect_partner_id=T2.domain_id))
    assert {b.account_type for b in t2.account_balances} == {1, 8}


def test_batch_balances_leave_out_advisory_customers(served: Served) -> None:
    resale = [c for c in served.partner(T1).customers if c.is_resale][:5]
    ids = [c.customer_id for c in resale] + [_advisory(served), "no-such-customer"]
    request = ListCustomersBalancesDetailRequest(
        body=QueryCustomersBalancesReq(customer_infos=[CustomerInfoV2(customer_id=i) for i in ids])
    )
    balances = served.client().list_customers_balances_detail(request).customer_balances
    assert [b.customer_id for b in balances] == [c.customer_id for c in resale]
    for balance, customer in zip(balances, resale, strict=True):
        assert balance.amount == customer.amount
        assert balance.debt_amount == customer.debt_amount
        assert isinstance(balance.amount, Decimal)
        assert (balance.currency, balance.measure_id) == ("CNY", 1)


def test_allocation_moves_money_and_is_recorded_then_reclaim_reverses_it(served: Served) -> None:
    customer_id = _resale(served, 0)
    before_partner, before_customer = _allocatable(served), _customer_balance(served, customer_id)
    assert before_customer is not None
    request = UpdateCustomerAccountAmountRequest(
        body=AdjustAccountReq(customer_id=customer_id, amount=Decimal("123.45"))
    )
    transfer_id = served.client().update_customer_account_amount(request).transfer_id
    assert transfer_id
    assert _allocatable(served) == before_partner - Decimal("123.45")
    assert _customer_balance(served, customer_id) == before_customer + Decimal("123.45")

    records = served.client().list_partner_adjust_records(ListPartnerAdjustRecordsRequest(trans_id=transfer_id))
    assert records.total_count == 1
    (record,) = records.records
    assert (record.customer_id, record.operation_type, record.amount) == (
        customer_id,
        "SOURCE_OPERATION_BEADJUST",
        "123.45",  # a String in this endpoint (H.5 item 1)
    )
    assert (record.currency, record.measure_id, record.trans_id) == ("CNY", 1, transfer_id)

    changes = served.client().list_partner_account_change_records(
        ListPartnerAccountChangeRecordsRequest(balance_type="BALANCE_TYPE_DEBIT", limit=1)
    )
    (change,) = changes.records
    assert (change.trade_id, change.trade_detail_type, change.type) == (transfer_id, "SOURCE_OPERATION_BEADJUST", "2")
    assert (change.change_amount, change.balance_after_change) == (
        "123.45",
        f"{before_partner - Decimal('123.45'):.2f}",
    )
    assert change.customer_id == customer_id
    assert changes.currency == "CNY"

    reclaim = ReclaimToPartnerAccountRequest(
        body=ReclaimToPartnerAccountBalancesReq(customer_id=customer_id, amount=Decimal("123.45"))
    )
    trans_id = served.client().reclaim_to_partner_account(reclaim).trans_id  # ``trans_id`` here (H.5 item 2)
    assert trans_id
    assert trans_id != transfer_id
    assert _allocatable(served) == before_partner
    assert _customer_balance(served, customer_id) == before_customer
    reclaimed = served.client().list_partner_adjust_records(
        ListPartnerAdjustRecordsRequest(customer_id=customer_id, operation_type="SOURCE_OPERATION_BERETRIEVE")
    )
    assert [r.trans_id for r in reclaimed.records] == [trans_id]
    trades = served.client().list_partner_account_change_records(
        ListPartnerAccountChangeRecordsRequest(balance_type="BALANCE_TYPE_DEBIT", trade_type="BERETRIEVE")
    )
    assert trades.records[0].trade_id == trans_id
    assert trades.records[0].type == "1"


def test_over_allocation_is_refused_with_an_insufficient_balance_code(served: Served) -> None:
    customer_id = _resale(served, 1)
    before = _allocatable(served)
    too_much = before  # the designated (earmarked) 20000.00 cannot be allocated (H.4.7)
    request = UpdateCustomerAccountAmountRequest(body=AdjustAccountReq(customer_id=customer_id, amount=too_much))
    with pytest.raises(ClientRequestException) as caught:
        served.client().update_customer_account_amount(request)
    assert (caught.value.status_code, caught.value.error_code) == (400, "CBC.99006001")
    assert caught.value.request_id
    assert _allocatable(served) == before
    reclaim = ReclaimToPartnerAccountRequest(
        body=ReclaimToPartnerAccountBalancesReq(customer_id=customer_id, amount=Decimal("99999999.00"))
    )
    with pytest.raises(ClientRequestException) as caught:
        served.client().reclaim_to_partner_account(reclaim)
    assert caught.value.error_code == "CBC.99006001"


@pytest.mark.parametrize(
    ("amount", "message"),
    [(Decimal("0"), "greater than 0"), (Decimal("-5"), "greater than 0"), (Decimal("1.234"), "2 decimal places")],
)
def test_bad_amounts_are_validation_errors(served: Served, amount: Decimal, message: str) -> None:
    request = UpdateCustomerAccountAmountRequest(body=AdjustAccountReq(customer_id=_resale(served), amount=amount))
    with pytest.raises(ClientRequestException) as caught:
        served.client().update_customer_account_amount(request)
    assert (caught.value.status_code, caught.value.error_code) == (400, "CBC.0100")
    assert message in caught.value.error_msg


def test_money_only_for_resale_customers_and_known_ids(served: Served) -> None:
    for customer_id, code in ((_advisory(served), "CBC.99006002"), ("unknown-customer", "CBC.99006008")):
        request = UpdateCustomerAccountAmountRequest(body=AdjustAccountReq(customer_id=customer_id, amount=Decimal(1)))
        with pytest.raises(ClientRequestException) as caught:
            served.client().update_customer_account_amount(request)
        assert caught.value.error_code == code


def test_indirect_partners_are_listed_for_tier1_only(served: Served) -> None:
    response = served.client().list_indirect_partners(ListIndirectPartnersRequest(body=QueryIndirectPartnersReq()))
    assert response.count == 2
    by_id = {p.indirect_partner_id: p for p in response.indirect_partners}
    assert set(by_id) == {T2.domain_id, T2B.domain_id}
    t2 = by_id[T2.domain_id]
    assert (t2.name, t2.account_name, t2.mobile_phone, t2.email) == (T2.name, "yunfan_t2", "13900000001", T2.email)
    assert (t2.account_manager_id, t2.associated_on) == ("li_na_sales", T2.associated_on)
    one = served.client().list_indirect_partners(
        ListIndirectPartnersRequest(body=QueryIndirectPartnersReq(account_name="xinghe", offset=0, limit=1))
    )
    assert [p.indirect_partner_id for p in one.indirect_partners] == [T2B.domain_id]
    assert (
        served.client(SP).list_indirect_partners(ListIndirectPartnersRequest(body=QueryIndirectPartnersReq())).count
        == 0
    )
    with pytest.raises(ClientRequestException) as caught:
        served.client(T2).list_indirect_partners(ListIndirectPartnersRequest(body=QueryIndirectPartnersReq()))
    assert (caught.value.status_code, caught.value.error_code) == (403, "CBC.0151")


def test_tier2_allocation_and_reclaim(served: Served) -> None:
    t1_before = _allocatable(served)
    t2_before = _allocatable(served, T2)
    adjust = UpdateIndirectPartnerAccountRequest(
        body=AdjustToIndirectPartnerReq(indirect_partner_id=T2.domain_id, amount=Decimal("500.10"))
    )
    transfer_id = served.client().update_indirect_partner_account(adjust).transfer_id
    assert _allocatable(served) == t1_before - Decimal("500.10")
    assert _allocatable(served, T2) == t2_before + Decimal("500.10")
    assert _allocatable(served, indirect_partner_id=T2.domain_id) == t2_before + Decimal("500.10")
    records = served.client().list_partner_adjust_records(ListPartnerAdjustRecordsRequest(customer_id=T2.domain_id))
    assert records.records[0].trans_id == transfer_id
    assert records.records[0].customer_name == T2.name
    t2_changes = served.client(T2).list_partner_account_change_records(
        ListPartnerAccountChangeRecordsRequest(balance_type="BALANCE_TYPE_DEBIT", limit=1)
    )
    assert (t2_changes.records[0].trade_id, t2_changes.records[0].type) == (transfer_id, "1")

    reclaim = ReclaimIndirectPartnerAccountRequest(
        body=ReclaimIndirectPartnerAccountReq(indirect_partner_id=T2.domain_id, amount=Decimal("500.10"))
    )
    assert served.client().reclaim_indirect_partner_account(reclaim).trans_id
    assert (_allocatable(served), _allocatable(served, T2)) == (t1_before, t2_before)
    greedy = ReclaimIndirectPartnerAccountRequest(
        body=ReclaimIndirectPartnerAccountReq(indirect_partner_id=T2.domain_id, amount=t2_before + 1)
    )
    with pytest.raises(ClientRequestException) as caught:
        served.client().reclaim_indirect_partner_account(greedy)
    assert caught.value.error_code == "CBC.99006001"


def test_tier2_credentials_are_refused_on_tier1_only_money_operations(served: Served) -> None:
    adjust = UpdateIndirectPartnerAccountRequest(
        body=AdjustToIndirectPartnerReq(indirect_partner_id=T2B.domain_id, amount=Decimal(1))
    )
    with pytest.raises(ClientRequestException) as caught:
        served.client(T2).update_indirect_partner_account(adjust)
    assert (caught.value.status_code, caught.value.error_code) == (403, "CBC.0151")
    reclaim = ReclaimIndirectPartnerAccountRequest(
        body=ReclaimIndirectPartnerAccountReq(indirect_partner_id=T2B.domain_id, amount=Decimal(1))
    )
    with pytest.raises(ClientRequestException) as caught:
        served.client(T2).reclaim_indirect_partner_account(reclaim)
    assert caught.value.status_code == 403


def test_tier2_allocates_to_its_own_customers_from_its_own_balance(served: Served) -> None:
    customer_id = _resale(served, 0, T2)
    t2_before, t1_before = _allocatable(served, T2), _allocatable(served)
    request = UpdateCustomerAccountAmountRequest(
        body=AdjustAccountReq(customer_id=customer_id, amount=Decimal("10.00"))
    )
    served.client(T2).update_customer_account_amount(request)
    assert (_allocatable(served, T2), _allocatable(served)) == (t2_before - 10, t1_before)
    # the tier-1 sees the tier-2's customer through indirect_partner_id (H.4 shared notes)
    via_t1 = ListCustomersBalancesDetailRequest(
        body=QueryCustomersBalancesReq(
            customer_infos=[CustomerInfoV2(customer_id=customer_id)], indirect_partner_id=T2.domain_id
        )
    )
    assert served.client().list_customers_balances_detail(via_t1).customer_balances[0].customer_id == customer_id


def test_change_records_page_with_total_count_and_need_a_balance_type(served: Served) -> None:
    first = served.client().list_partner_account_change_records(
        ListPartnerAccountChangeRecordsRequest(balance_type="BALANCE_TYPE_DEBIT", offset=0, limit=3)
    )
    second = served.client().list_partner_account_change_records(
        ListPartnerAccountChangeRecordsRequest(balance_type="BALANCE_TYPE_DEBIT", offset=3, limit=3)
    )
    assert first.total_count == second.total_count >= 6
    assert {r.account_change_id for r in first.records}.isdisjoint({r.account_change_id for r in second.records})
    credit = served.client().list_partner_account_change_records(
        ListPartnerAccountChangeRecordsRequest(balance_type="BALANCE_TYPE_CREDIT")
    )
    assert [r.trade_detail_type for r in credit.records] == ["SOURCE_OPERAIION_ADJUST_CREDIT"]
    with pytest.raises(ClientRequestException) as caught:
        served.client().list_partner_account_change_records(ListPartnerAccountChangeRecordsRequest())
    assert caught.value.error_code == "CBC.0100"
