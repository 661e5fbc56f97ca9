"""Fault injection through the Agency simulator (adapters._simkit.faults): an ambiguous write is
applied exactly once though the client saw a failure; a dropped one is not applied; reads retry."""

from __future__ import annotations

import argparse
from decimal import Decimal

import httpx
import pytest

from adapters._simkit.faults import Fault, FaultKind
from adapters.aliyun import AliyunProvider, plugin
from adapters.aliyun.simulator import AgencySimulator, EndAccount
from gateway.errors import ProviderThrottled, ProviderUnavailable
from gateway.models import RegionLevel
from gateway.retry import RetryPolicy
from tests.adapters.aliyun.conftest import DISTRIBUTOR, account_for, credentials_for

pytestmark = pytest.mark.anyio


async def no_sleep(seconds: float) -> None:
    return None


@pytest.fixture
def fast(http: httpx.AsyncClient) -> AliyunProvider:
    return AliyunProvider(
        account_for(DISTRIBUTOR), credentials_for(DISTRIBUTOR), http, policy=RetryPolicy(attempts=3), sleep=no_sleep
    )


def customer(simulator: AgencySimulator) -> EndAccount:
    return next(a for a in simulator.state.partners[DISTRIBUTOR.access_key_id].accounts if a.user_type == 1)


def journal(simulator: AgencySimulator, action: str) -> int:
    return sum(1 for name, _ in simulator.state.partners[DISTRIBUTOR.access_key_id].journal if name == action)


async def test_ambiguous_set_credit_line_is_applied_exactly_once(
    fast: AliyunProvider, simulator: AgencySimulator
) -> None:
    target = customer(simulator)
    simulator.faults.add(Fault(FaultKind.AMBIGUOUS, "SetCreditLine", remaining=1))
    with pytest.raises(ProviderUnavailable) as caught:
        await fast.client.set_credit_line(target.uid, "4321.00")
    assert caught.value.outcome_unknown is True
    assert journal(simulator, "SetCreditLine") == 1  # applied once, not retried
    assert simulator.faults.injected[("SetCreditLine", FaultKind.AMBIGUOUS)] == 1
    funds = await fast.customer_funds([str(target.uid)])
    assert funds[str(target.uid)].credit_line is not None
    assert funds[str(target.uid)].credit_line.amount == Decimal("4321.00")


async def test_ambiguous_coupon_issue_is_applied_exactly_once(fast: AliyunProvider, simulator: AgencySimulator) -> None:
    target = customer(simulator)
    template = simulator.state.partners[DISTRIBUTOR.access_key_id].templates[0]
    before = (await fast.list_vouchers(0, 0, customer_id=str(target.uid))).total
    simulator.faults.add(Fault(FaultKind.AMBIGUOUS, "IssueCouponForCustomer", remaining=1))
    with pytest.raises(ProviderUnavailable):
        await fast.client.issue_coupon_for_customer(template.template_id, [target.uid])
    assert (await fast.list_vouchers(0, 0, customer_id=str(target.uid))).total == before + 1
    assert journal(simulator, "IssueCouponForCustomer") == 1


async def test_dropped_write_is_not_applied(fast: AliyunProvider, simulator: AgencySimulator) -> None:
    target = customer(simulator)
    line = target.credit_line
    simulator.faults.add(Fault(FaultKind.DROP, "SetCreditLine", remaining=1))
    with pytest.raises(ProviderUnavailable):
        await fast.client.set_credit_line(target.uid, "1.00")
    assert journal(simulator, "SetCreditLine") == 0
    assert target.credit_line == line


async def test_reads_ride_out_5xx_drops_and_throttling(fast: AliyunProvider, simulator: AgencySimulator) -> None:
    simulator.faults.add(Fault(FaultKind.SERVER_ERROR, "GetAccountInfo", value=503, remaining=1))
    simulator.faults.add(Fault(FaultKind.DROP, "ListCountries", remaining=1))
    page = await fast.list_customers(0, 3)
    assert len(page.items) == 3
    assert await fast.list_regions(RegionLevel.COUNTRY)
    simulator.faults.add(Fault(FaultKind.THROTTLE, "GetCreditInfo", value=0.5))
    uid = str(customer(simulator).uid)
    throttled = (await fast.customer_funds([uid]))[uid]  # that customer's read failed: its error, not a raise
    assert isinstance(throttled, ProviderThrottled)
    assert throttled.retry_after == 0.5
    assert simulator.faults.injected[("GetCreditInfo", FaultKind.THROTTLE)] == 3  # bounded attempts


async def test_throttled_write_is_retried_and_applied_once(fast: AliyunProvider, simulator: AgencySimulator) -> None:
    target = customer(simulator)
    simulator.faults.add(Fault(FaultKind.THROTTLE, "EditEndUserStatus", value=0.01, remaining=1))
    await fast.client.edit_end_user_status(target.uid, "postPayFreeze")
    assert target.frozen is True
    assert journal(simulator, "EditEndUserStatus") == 1


async def test_control_endpoint_and_cli_option(simulator: AgencySimulator) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=simulator), base_url="http://sim") as client:
        added = await client.post(
            "/_simulator/faults", json={"kind": "latency", "operation": "GetAccountInfo", "value": 1}
        )
        assert added.status_code == 201
        assert simulator.faults.faults()[0].kind is FaultKind.LATENCY
        clock = (await client.post("/_simulator/clock", json={"advance_hours": 1})).json()
        assert clock["offset_seconds"] == 3600
        missing = await client.post("/_simulator/register", json={"invite_id": "1"})
        assert (missing.status_code, missing.json()["code"]) == (404, "InvitationNotFound")
    parser = argparse.ArgumentParser()
    plugin.add_simulator_arguments(parser)
    options = parser.parse_args(["--fault", "SetCreditLine=ambiguousx1", "--fault", "*=5xx:502@0.1"])
    app, lines = plugin.simulator(options)
    assert [f.operation for f in app.faults.faults()] == ["SetCreditLine", "*"]  # type: ignore[attr-defined]
    assert any("SetCreditLine=ambiguousx1" in line for line in lines)
    with pytest.raises(SystemExit):
        parser.parse_args(["--fault", "nonsense"])
