"""What the console's overview reads of the gateway's own trail: ``pendingOperations``, the writes whose outcome is
still being settled now (not every PENDING entry the audit trail ever kept), and ``recentEvents``, the outbox's
latest events (what happened before a subscription began), each for the roles that may see it."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters._simkit.faults import Fault, FaultKind, FaultPlan
from gateway.app import create_app
from gateway.config import EventsConfig, GatewayConfig, WritesConfig, demo_config
from gateway.events import new_event
from gateway.registry import Registry
from gateway.store import open_store, sqlite_url
from gateway.testing import running
from tests.support.mutations_demo import FAST_UPSTREAM, HUAWEI, KEYS, key

pytestmark = pytest.mark.anyio

#: The transfer lands this long after it is sent: after the gateway's upstream timeout (its reply is lost) and
#: within the settle window, so the gateway says pending until the records show it, then settles it applied.
LATE_MS = 2000
WRITES = WritesConfig(settle_seconds=10.0)
PENDING = """{ pendingOperations(first: 20) {
  totalCount nodes { operationId operation principal partnerAccount input } } }"""
AUDIT_PENDING = '{ auditLog(first: 50, filter: {outcome: "PENDING"}) { nodes { operationId } } }'
TRANSFER = """mutation($id: ID!, $key: String!) {
  transferFunds(customerId: $id, amount: {amount: "3.21", currency: "CNY"}, idempotencyKey: $key) {
    __typename ... on CustomerPayload { operation { operationId reconciled } }
    ... on UpstreamError { pending operationId }
  }
}"""
RESALE = """{ customers(first: 1, filter: {provider: "huaweicloud", accountType: RESALE, status: ASSOCIATED}) {
  nodes { id nativeId } } }"""
RECENT = "query($first: Int!) { recentEvents(first: $first) { id type subject data } }"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Gateway:
    def __init__(self, client: httpx.AsyncClient, faults: FaultPlan, store_url: str) -> None:
        self.client, self.faults, self.store_url = client, faults, store_url

    async def send(self, document: str, api_key: str = "k-admin", **variables: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql", json={"query": document, "variables": variables}, headers={"authorization": f"Bearer {api_key}"}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def ask(self, document: str, api_key: str = "k-admin", **variables: Any) -> dict[str, Any]:
        body = await self.send(document, api_key, **variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@contextlib.asynccontextmanager
async def gateway(directory: Path) -> AsyncIterator[Gateway]:
    """The embedded demo with a settle window longer than a lost reply takes to land, its store a file."""
    registry = Registry.discover()
    demo = demo_config(registry)
    store_url = sqlite_url(directory)
    config = GatewayConfig(
        accounts=demo.accounts,
        simulated=demo.simulated,
        api_keys=KEYS,
        upstream=FAST_UPSTREAM,
        writes=WRITES,
        store_url=store_url,
        events=EventsConfig(enabled=False),  # the writes' own events only
    )
    async with running(create_app(config, registry)) as client:
        yield Gateway(client, demo.simulated[HUAWEI].faults, store_url)  # type: ignore[attr-defined]


def codes(body: dict[str, Any]) -> set[str]:
    return {e.get("extensions", {}).get("code") for e in body.get("errors") or []}


async def test_a_settled_operation_leaves_the_pending_list_but_not_the_audit_trail(tmp_path: Path) -> None:
    async with gateway(tmp_path) as gw:
        [customer] = (await gw.ask(RESALE))["customers"]["nodes"]
        gw.faults.add(Fault(FaultKind.LATENCY, "update_customer_account_amount", value=LATE_MS, remaining=1))
        gw.faults.add(Fault(FaultKind.AMBIGUOUS, "update_customer_account_amount", remaining=1))
        sent = key()
        first = (await gw.ask(TRANSFER, "k-finance", id=customer["id"], key=sent))["transferFunds"]
        assert (first["__typename"], first["pending"]) == ("UpstreamError", True), first
        operation_id = first["operationId"]

        listed = (await gw.ask(PENDING))["pendingOperations"]
        assert listed["totalCount"] == 1, listed
        [pending] = listed["nodes"]
        assert (pending["operationId"], pending["operation"], pending["principal"]) == (
            operation_id,
            "transferFunds",
            "finance",
        )
        assert (pending["partnerAccount"], pending["input"]["customer_id"]) == (HUAWEI, customer["nativeId"])
        for api_key in ("k-finance", "k-sales"):  # who sent what: the audit trail's readers only
            assert codes(await gw.send(PENDING, api_key)) == {"FORBIDDEN"}

        deadline = time.monotonic() + 20
        while (answer := (await gw.ask(TRANSFER, "k-finance", id=customer["id"], key=sent))["transferFunds"]).get(
            "pending"
        ):
            assert time.monotonic() < deadline, "the transfer was never settled"
            await asyncio.sleep(0.2)
        assert answer["operation"] == {"operationId": operation_id, "reconciled": True}, answer

        assert (await gw.ask(PENDING))["pendingOperations"] == {"totalCount": 0, "nodes": []}
        # The trail keeps the history of each attempt: what the overview listed before it asked the graph.
        history = (await gw.ask(AUDIT_PENDING))["auditLog"]["nodes"]
        assert {entry["operationId"] for entry in history} == {operation_id}

        # The settlement is an event of the outbox: read back, for admins and finance, not for sales keys.
        recent = (await gw.ask(RECENT, first=5))["recentEvents"]
        assert recent[0]["type"] == "operation.settled", recent
        assert (recent[0]["data"]["operationId"], recent[0]["data"]["outcome"]) == (operation_id, "APPLIED")
        assert (await gw.ask(RECENT, "k-finance", first=5))["recentEvents"] == recent
        assert codes(await gw.send(RECENT, "k-sales", first=5)) == {"FORBIDDEN"}


async def test_recent_events_are_the_latest_newest_first_and_bounded(tmp_path: Path) -> None:
    async with gateway(tmp_path) as gw:
        assert (await gw.ask(RECENT, first=3))["recentEvents"] == []
        store = await open_store(gw.store_url)
        try:
            added = await store.add_events(
                [new_event("customer.created", f"customer/test/{n}", {"customerId": str(n)}) for n in range(5)]
            )
        finally:
            await store.close()
        recent = (await gw.ask(RECENT, first=3))["recentEvents"]
        assert [event["id"] for event in recent] == [event.id for event in reversed(added)][:3]
        assert (await gw.ask(RECENT, first=100))["recentEvents"][-1]["id"] == added[0].id
        for first in (0, 101):
            body = await gw.send(RECENT, first=first)
            assert codes(body) == {"BAD_USER_INPUT"}, body
