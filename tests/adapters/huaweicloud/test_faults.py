"""Fault injection through the BSS simulator: Huawei's own failure replies, and money safety.

An "ambiguous" allocation is applied upstream although the client saw a failure: the balance changes
exactly once (the client never resends it). A dropped request changes nothing.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest
import requests
from huaweicloudsdkbss.v2 import AdjustAccountReq, ListPartnerBalancesRequest, UpdateCustomerAccountAmountRequest
from huaweicloudsdkcore.exceptions.exceptions import ServerResponseException

from adapters._simkit.faults import CONTROL_PATH, Fault, FaultKind
from adapters.huaweicloud import plugin
from adapters.huaweicloud._client import BssClient
from adapters.huaweicloud._signing import SdkHmacAuth
from adapters.huaweicloud.simulator import CODES_PATH, SimulatorApp, SimulatorState, create_app
from gateway.errors import ProviderThrottled, ProviderUnavailable
from gateway.models import Secret
from tests.adapters.huaweicloud.sdk_support import T1 as SDK_T1
from tests.adapters.huaweicloud.sdk_support import sdk_client
from tests.support.servers import live_server

from .conftest import ENDPOINT, T1, fixed_clock

ALLOCATE = "update_customer_account_amount"


class NoSleep:
    async def __call__(self, delay: float) -> None:
        return None


@pytest.fixture
async def client(app: SimulatorApp) -> AsyncIterator[BssClient]:
    auth = SdkHmacAuth(T1.access_key, Secret(T1.secret_key), T1.domain_id, clock=fixed_clock())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ENDPOINT) as http:
        yield BssClient(http, auth, partner_id="hw-t1", sleep=NoSleep())


def _resale(state: SimulatorState) -> str:
    partner = state.by_access_key(T1.access_key)
    assert partner is not None
    return next(c.customer_id for c in partner.customers if c.is_resale)


def _allocatable(state: SimulatorState) -> Decimal:
    partner = state.by_access_key(T1.access_key)
    assert partner is not None
    return partner.balances[8]


@pytest.mark.anyio
async def test_ambiguous_allocation_is_applied_exactly_once(app: SimulatorApp, client: BssClient) -> None:
    state = app.simulator
    customer_id, before = _resale(state), _allocatable(state)
    app.faults.add(Fault(FaultKind.AMBIGUOUS, ALLOCATE, remaining=1))
    with pytest.raises(ProviderUnavailable) as caught:
        await client.update_customer_account_amount({"customer_id": customer_id, "amount": Decimal("250.00")})
    assert caught.value.outcome_unknown  # the client cannot know: it must reconcile, not resend
    assert _allocatable(state) == before - Decimal("250.00")  # applied once, not zero, not twice
    assert app.faults.injected[(ALLOCATE, FaultKind.AMBIGUOUS)] == 1
    records = await client.list_partner_adjust_records({"customer_id": customer_id, "offset": 0, "limit": 10})
    assert [r["amount"] for r in records["records"]].count("250.00") == 1  # what a reconciler finds


@pytest.mark.anyio
async def test_drop_before_apply_changes_nothing(app: SimulatorApp, client: BssClient) -> None:
    state = app.simulator
    customer_id, before = _resale(state), _allocatable(state)
    app.faults.add(Fault(FaultKind.DROP, ALLOCATE, remaining=1))
    with pytest.raises(ProviderUnavailable):
        await client.update_customer_account_amount({"customer_id": customer_id, "amount": Decimal("250.00")})
    assert _allocatable(state) == before
    assert app.faults.injected[(ALLOCATE, FaultKind.DROP)] == 1


@pytest.mark.anyio
async def test_reads_survive_one_injected_5xx_and_throttling_is_huaweis_own(
    app: SimulatorApp, client: BssClient
) -> None:
    app.faults.add(Fault(FaultKind.SERVER_ERROR, "list_partner_balances", 503.0, remaining=1))
    assert (await client.list_partner_balances())["account_balances"]  # retried: it is a read
    app.faults.add(Fault(FaultKind.THROTTLE, "list_partner_balances", 7.0))
    with pytest.raises(ProviderThrottled) as caught:
        await client.list_partner_balances()
    assert (caught.value.upstream_code, caught.value.http_status, caught.value.retry_after) == ("APIGW.0308", 429, 7.0)
    assert caught.value.request_id


@pytest.mark.anyio
async def test_fault_replies_have_huaweis_shapes(app: SimulatorApp) -> None:
    app.faults.add(Fault(FaultKind.SERVER_ERROR, "*", 502.0, remaining=1))
    app.faults.add(Fault(FaultKind.THROTTLE, "list_provinces", 2.5, remaining=1))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ENDPOINT) as http:
        failed = await http.get("/v2/systems/configs/cities")
        assert (failed.status_code, failed.json()) == (502, {"error_code": "CBC.0999", "error_msg": "Other errors."})
        assert len(failed.headers["X-Request-Id"]) == 32
        throttled = await http.get("/v2/systems/configs/provinces")
        assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "3")
        assert throttled.json()["error_code"] == "APIGW.0308"
        assert throttled.json()["request_id"] == throttled.headers["X-Request-Id"]
        # control paths are the simulator's own, never faulted
        assert (await http.get(CODES_PATH, params={"mobile_phone": "13700000000"})).status_code == 404


def test_faults_at_run_time_over_http_with_the_official_sdk() -> None:
    app = create_app([SDK_T1], seed=1)
    with live_server(app) as url, httpx.Client(base_url=url) as control:
        added = control.post(CONTROL_PATH, json={"kind": "5xx", "operation": "list_partner_balances", "remaining": 1})
        assert added.status_code == 201
        with pytest.raises(ServerResponseException) as caught:
            sdk_client(url).list_partner_balances(ListPartnerBalancesRequest())
        assert (caught.value.status_code, caught.value.error_code) == (503, "CBC.0999")
        assert caught.value.request_id

        partner = app.simulator.by_access_key(SDK_T1.access_key)
        assert partner is not None
        customer_id = next(c.customer_id for c in partner.customers if c.is_resale)
        before = partner.balances[8]
        control.post(CONTROL_PATH, json={"kind": "ambiguous", "operation": ALLOCATE, "remaining": 1})
        request = UpdateCustomerAccountAmountRequest(
            body=AdjustAccountReq(customer_id=customer_id, amount=Decimal("5"))
        )
        # The SDK lets the cut connection through as requests' error: the reply was lost mid-body.
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            sdk_client(url).update_customer_account_amount(request)
        assert partner.balances[8] == before - 5
        assert control.delete(CONTROL_PATH).json() == {"faults": []}


def test_concurrent_allocations_never_overdraw() -> None:
    app = create_app([SDK_T1], seed=1)
    partner = app.simulator.by_access_key(SDK_T1.access_key)
    assert partner is not None
    customer_id = next(c.customer_id for c in partner.customers if c.is_resale)
    partner.designated[8] = Decimal("0")
    partner.balances[8] = Decimal("1000.00")
    outcomes: list[int] = []

    def allocate(url: str) -> None:
        auth = SdkHmacAuth(SDK_T1.access_key, Secret(SDK_T1.secret_key), SDK_T1.domain_id)
        with httpx.Client(base_url=url, auth=auth) as http:
            body = b'{"customer_id": "' + customer_id.encode() + b'", "amount": 100.00}'
            outcomes.append(http.post("/v2/accounts/partner-accounts/adjust-amount", content=body).status_code)

    with live_server(app) as url:
        threads = [threading.Thread(target=allocate, args=(url,)) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(outcomes) == [200] * 10 + [400] * 6
    assert partner.balances[8] == Decimal("0.00")


def test_cli_faults_are_parsed_applied_and_printed() -> None:
    parser = argparse.ArgumentParser()
    plugin.add_simulator_arguments(parser)
    options = parser.parse_args(["--fault", f"{ALLOCATE}=ambiguousx1", "--fault", "*=latency:200@0.5"])
    app, lines = plugin.simulator(options)
    assert isinstance(app, SimulatorApp)
    assert [(f.operation, f.kind) for f in app.faults.faults()] == [
        (ALLOCATE, FaultKind.AMBIGUOUS),
        ("*", FaultKind.LATENCY),
    ]
    banner = "\n".join(lines)
    assert f"fault: {ALLOCATE}=ambiguousx1" in banner
    assert "fault: *=latency:200@0.5" in banner
    assert CONTROL_PATH in banner
    assert CODES_PATH in banner
    with pytest.raises(SystemExit):
        parser.parse_args(["--fault", "nonsense"])
