"""[limits] request_timeout_seconds: one deadline for a whole request, kept by every upstream call."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any

import httpx
import pytest

from adapters._simkit.faults import Fault, FaultKind
from gateway.app import create_app
from gateway.auth import ApiKey, Role, hash_key
from gateway.config import GatewayConfig, demo_config
from gateway.config_tables import LimitsConfig
from gateway.deadline import GRACE, DeadlineTransport, started
from gateway.errors import DeadlineExceeded
from gateway.registry import Registry
from gateway.retry import may_retry
from gateway.testing import running
from tests.support.fakes import FakePlugin
from tests.support.mutations_demo import ALIYUN, HUAWEI, KEYS, RECEIPT, REFUSALS, Counted, Demo, key, partner_id
from tests.test_app import config_for

pytestmark = pytest.mark.anyio

DEADLINE = 0.5
CUSTOMERS = "{ customers(first: 100) { totalCount edges { node { provider } } } }"
ADMIN = {"authorization": "Bearer k-admin"}


def demo_with_deadline() -> GatewayConfig:
    config = demo_config(Registry.discover())
    keys = (ApiKey("admin", hash_key("k-admin"), Role.ADMIN),)
    return GatewayConfig(
        accounts=config.accounts,
        simulated=config.simulated,
        api_keys=keys,
        limits=LimitsConfig(request_timeout_seconds=DEADLINE),
    )


async def test_a_hanging_cloud_answers_by_the_deadline_with_the_other_clouds_data() -> None:
    config = demo_with_deadline()
    config.simulated["huaweicloud-demo"].faults.add(Fault(FaultKind.LATENCY, "*", 60_000.0))  # type: ignore[attr-defined]
    async with running(create_app(config, Registry.discover())) as client:
        started_at = time.monotonic()
        query = asyncio.create_task(client.post("/graphql", json={"query": CUSTOMERS}, headers=ADMIN))
        await asyncio.sleep(0.05)
        health = await client.get("/healthz")  # the process answers meanwhile
        assert health.status_code == 200
        assert not query.done()
        response = await query
        elapsed = time.monotonic() - started_at
    assert elapsed < DEADLINE + GRACE  # answered by the deadline's own errors, not the backstop
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    providers = {edge["node"]["provider"] for edge in body["data"]["customers"]["edges"]}
    assert providers == {"aliyun"}
    [error] = body["errors"]
    assert error["path"] == ["customers"]
    assert (error["extensions"]["code"], error["extensions"]["partnerId"]) == ("DEADLINE_EXCEEDED", "huaweicloud-demo")


async def test_something_else_hanging_is_answered_by_the_backstop_as_json() -> None:
    plugin = FakePlugin({"one": 5})
    config = replace(config_for("one"), limits=LimitsConfig(request_timeout_seconds=DEADLINE))
    cancelled = asyncio.Event()

    async def hang(offset: int, limit: int) -> Any:
        try:
            await asyncio.sleep(60)
        finally:
            cancelled.set()

    async with running(create_app(config, Registry([plugin]))) as client:
        plugin.created["one"].list_customers = hang  # type: ignore[method-assign]
        started_at = time.monotonic()
        response = await client.post("/graphql", json={"query": "{ customers { totalCount } }"})
        elapsed = time.monotonic() - started_at
        spec = await client.post(
            "/graphql",
            json={"query": "{ customers { totalCount } }"},
            headers={"accept": "application/graphql-response+json"},
        )
    assert DEADLINE <= elapsed < DEADLINE + GRACE + 1.0
    assert response.status_code == 200
    assert response.json()["data"] is None
    assert response.json()["errors"][0]["extensions"] == {"code": "DEADLINE_EXCEEDED"}
    assert cancelled.is_set()  # a read is not left running
    assert spec.status_code == 504
    assert spec.json()["errors"][0]["extensions"] == {"code": "DEADLINE_EXCEEDED"}


class Hanging(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.sent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        await asyncio.sleep(60)
        return httpx.Response(200)


async def test_a_call_cut_off_in_flight_has_an_unknown_outcome_one_not_sent_has_none() -> None:
    inner = Hanging()
    client = httpx.AsyncClient(transport=DeadlineTransport(inner, provider="fake", partner_id="one"))
    with started(0.1):
        with pytest.raises(DeadlineExceeded) as cut:
            await client.post("https://fake.invalid/transfer")
        # The write may have been applied: gateway.operations keeps it pending and settles it from the records.
        assert cut.value.outcome_unknown is True
        with pytest.raises(DeadlineExceeded) as late:
            await client.post("https://fake.invalid/transfer")
        assert late.value.outcome_unknown is False  # never sent
    assert inner.sent == 1
    assert not may_retry(cut.value, idempotent=True)  # the time is up: no retry
    assert (cut.value.code, cut.value.partner_id) == ("DEADLINE_EXCEEDED", "one")


async def test_a_body_arriving_past_the_deadline_is_cut_off() -> None:
    async def slow_body() -> Any:
        yield b"{"
        await asyncio.sleep(60)
        yield b"}"

    class _Stream(httpx.AsyncByteStream):
        async def __aiter__(self) -> Any:
            async for chunk in slow_body():
                yield chunk

    class SlowBodyTransport(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, stream=_Stream())

    client = httpx.AsyncClient(transport=DeadlineTransport(SlowBodyTransport(), provider="fake", partner_id="one"))
    started_at = time.monotonic()
    with started(0.1), pytest.raises(DeadlineExceeded) as cut:
        await client.get("https://fake.invalid/records")
    assert cut.value.outcome_unknown is True
    assert time.monotonic() - started_at < 1.0


async def test_without_a_deadline_calls_pass_through() -> None:
    client = httpx.AsyncClient(
        transport=DeadlineTransport(httpx.MockTransport(lambda r: httpx.Response(204)), provider="f", partner_id="one")
    )
    assert (await client.get("https://fake.invalid/")).status_code == 204


TRANSFER = f"""mutation($id: ID!, $key: String!) {{
  transferFunds(customerId: $id, amount: {{amount: "10.00"}}, idempotencyKey: $key) {{
    __typename ... on CustomerPayload {{ {RECEIPT} }} {REFUSALS} }} }}"""


#: Room for the transfer's reads (customer, balance) before its write goes out, even on a loaded machine:
#: with 0.5 s, CI once spent the whole deadline before sending, and the write was (rightly) "not sent".
WRITE_DEADLINE = 2.0


async def test_a_transfer_cut_off_by_the_deadline_stays_pending_and_is_never_sent_twice() -> None:
    registry = Registry.discover()
    demo = demo_config(registry)
    counted = {
        account_id: Counted(app, huawei=account_id.startswith("huawei")) for account_id, app in demo.simulated.items()
    }
    config = GatewayConfig(
        accounts=demo.accounts,
        simulated=counted,
        api_keys=KEYS,
        limits=LimitsConfig(request_timeout_seconds=WRITE_DEADLINE),
    )
    huawei = demo.simulated[HUAWEI]
    async with running(create_app(config, registry)) as client:
        gw = Demo(client, demo.simulated[ALIYUN], huawei, counted)  # type: ignore[arg-type]
        where = {"partnerIds": [partner_id(HUAWEI)], "accountType": "RESALE", "status": "ASSOCIATED"}
        customers = "query($f: CustomerFilterInput) { customers(first: 5, filter: $f) { nodes { id } } }"
        target = (await gw.ask(customers, f=where))["customers"]["nodes"][0]["id"]
        huawei.faults.add(Fault(FaultKind.LATENCY, "update_customer_account_amount", 60_000.0))  # type: ignore[attr-defined]
        idempotency_key = key()
        started_at = time.monotonic()
        first = await gw.one(TRANSFER, "k-finance", id=target, key=idempotency_key)
        assert time.monotonic() - started_at < WRITE_DEADLINE + GRACE
        # Cut off in flight: the outcome is unknown, so the write stays pending (never "not applied").
        assert (first["__typename"], first["code"], first["pending"]) == ("UpstreamError", "OPERATION_PENDING", True)
        huawei.faults.clear()  # type: ignore[attr-defined]
        again = await gw.one(TRANSFER, "k-finance", id=target, key=idempotency_key)
        # The cut-off request is still held by the upstream (60 s), so its records cannot show it: still
        # pending, never "applied" without evidence and never a second transfer.
        assert (again["__typename"], again["code"], again["pending"]) == ("UpstreamError", "OPERATION_PENDING", True)
        assert gw.calls(HUAWEI, "update_customer_account_amount") == 1  # the retried key never resent it
