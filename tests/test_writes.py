"""Mutations over a fake provider: idempotency, reconciliation of unknown outcomes, rules, audit."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.auth import ApiKey, Role, hash_key
from gateway.config import GatewayConfig, WritesConfig
from gateway.ids import encode_global_id
from gateway.registry import Registry
from gateway.testing import running
from tests.support.fakes import FakePlugin, FakeProvider
from tests.support.mutations_demo import FAST_UPSTREAM
from tests.test_app import config_for

pytestmark = pytest.mark.anyio

#: Long enough that two quick calls fall inside it on a busy machine; short enough to wait out.
SETTLE = WritesConfig(settle_seconds=1.0)

KEYS = (
    ApiKey("admin", hash_key("k-admin"), Role.ADMIN),
    ApiKey("finance", hash_key("k-finance"), Role.FINANCE),
    ApiKey("wang", hash_key("k-wang"), Role.SALES, owner="wang"),
)
RESALE = encode_global_id("Customer", "one", "one-0")  # owner wang, RESALE
ADVISORY = encode_global_id("Customer", "one", "one-1")  # owner li, ADVISORY

TRANSFER = """mutation($id: ID!, $amount: Decimal!, $key: String!) {
  transferFunds(customerId: $id, amount: {amount: $amount, currency: "CNY"}, idempotencyKey: $key) {
    __typename
    ... on CustomerPayload { operation { operationId replayed reconciled upstreamIds requestId } customer { nativeId } }
    ... on RuleViolationError { message reason field }
    ... on IdempotencyConflictError { key }
    ... on UnsupportedError { provider }
    ... on UpstreamError { code reason upstreamCode requestId retryable pending operationId }
  }
}"""


@pytest.fixture
def plugin() -> FakePlugin:
    return FakePlugin({"one": 6})


@pytest.fixture
async def client(plugin: FakePlugin) -> AsyncIterator[httpx.AsyncClient]:
    config = GatewayConfig(accounts=config_for("one").accounts, api_keys=KEYS, upstream=FAST_UPSTREAM, writes=SETTLE)
    async with running(create_app(config, Registry([plugin]))) as test_client:
        yield test_client


async def gql(client: httpx.AsyncClient, query: str, api_key: str = "k-finance", **variables: Any) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"authorization": f"Bearer {api_key}"}
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


async def transfer(
    client: httpx.AsyncClient, amount: str, key: str, who: str = "k-finance", customer: str = RESALE
) -> dict[str, Any]:
    data = await gql(client, TRANSFER, who, id=customer, amount=amount, key=key)
    result: dict[str, Any] = data["transferFunds"]
    return result


def upstream(plugin: FakePlugin) -> FakeProvider:
    return plugin.created["one"]


async def test_the_same_key_and_input_is_applied_once(client: httpx.AsyncClient, plugin: FakePlugin) -> None:
    first = await transfer(client, "100.00", "k1")
    again = await transfer(client, "100.00", "k1")
    assert first["__typename"] == again["__typename"] == "CustomerPayload"
    assert first["operation"]["replayed"] is False
    assert again["operation"]["replayed"] is True
    assert again["operation"]["upstreamIds"] == first["operation"]["upstreamIds"] == ["t1"]
    assert upstream(plugin).counts["execute"] == 1
    assert upstream(plugin).balance("one-0") == Decimal("100.00")


async def test_the_same_key_with_other_input_is_a_conflict(client: httpx.AsyncClient, plugin: FakePlugin) -> None:
    await transfer(client, "100.00", "k1")
    conflict = await transfer(client, "100.01", "k1")
    assert conflict == {"__typename": "IdempotencyConflictError", "key": "k1"}
    assert upstream(plugin).counts["execute"] == 1


async def test_a_lost_reply_is_reconciled_from_the_upstream_records(
    client: httpx.AsyncClient, plugin: FakePlugin
) -> None:
    upstream(plugin).next_write = "ambiguous"
    result = await transfer(client, "50.00", "k-amb")
    assert result["__typename"] == "CustomerPayload"
    assert result["operation"]["reconciled"] is True
    assert result["operation"]["upstreamIds"] == ["t1"]
    again = await transfer(client, "50.00", "k-amb")
    assert again["operation"]["replayed"] is True
    assert upstream(plugin).counts["execute"] == 1
    assert upstream(plugin).balance("one-0") == Decimal("50.00")


async def test_a_write_lost_before_applying_may_be_retried_with_the_same_key(
    client: httpx.AsyncClient, plugin: FakePlugin
) -> None:
    upstream(plugin).next_write = "drop"
    lost = await transfer(client, "70.00", "k-drop")
    assert lost["__typename"] == "UpstreamError"
    # The records show nothing, but the request could still land: pending, never "not applied" at once.
    assert (lost["pending"], lost["retryable"]) == (True, False)
    early = await transfer(client, "70.00", "k-drop")
    assert early["pending"] is True
    assert upstream(plugin).counts["execute"] == 1  # not resent inside the settle window
    await asyncio.sleep(SETTLE.settle_seconds)
    retried = await transfer(client, "70.00", "k-drop")  # settled as not applied: this call is the retry
    assert retried["__typename"] == "CustomerPayload"
    assert retried["operation"]["replayed"] is False
    assert upstream(plugin).counts["execute"] == 2
    assert upstream(plugin).balance("one-0") == Decimal("70.00")


async def test_an_unreadable_outcome_stays_pending_until_it_can_be_read(
    client: httpx.AsyncClient, plugin: FakePlugin
) -> None:
    provider = upstream(plugin)
    provider.next_write, provider.records_unreadable = "ambiguous", True
    pending = await transfer(client, "30.00", "k-pend")
    assert pending["__typename"] == "UpstreamError"
    assert pending["pending"] is True
    again = await transfer(client, "30.00", "k-pend")
    assert again["pending"] is True  # never resent while undecided
    provider.records_unreadable = False
    settled = await transfer(client, "30.00", "k-pend")
    assert settled["__typename"] == "CustomerPayload"
    assert settled["operation"]["reconciled"] is True
    assert provider.counts["execute"] == 1
    assert provider.balance("one-0") == Decimal("30.00")


async def test_same_amount_twice_to_one_customer_is_two_transfers(
    client: httpx.AsyncClient, plugin: FakePlugin
) -> None:
    await transfer(client, "10.00", "k-a")
    upstream(plugin).next_write = "ambiguous"
    second = await transfer(client, "10.00", "k-b")
    # Reconciliation must not take t1 (already k-a's) for k-b.
    assert second["operation"]["upstreamIds"] == ["t2"]
    assert upstream(plugin).balance("one-0") == Decimal("20.00")


@pytest.mark.parametrize(
    ("who", "customer", "amount", "reason", "field"),
    [
        ("k-wang", RESALE, "1.00", "ROLE_NOT_ALLOWED", None),
        ("k-finance", ADVISORY, "1.00", "ACCOUNT_TYPE_NOT_ALLOWED", "customerId"),
        ("k-finance", RESALE, "0", "INVALID_INPUT", "amount"),
        ("k-finance", RESALE, "1.001", "INVALID_INPUT", "amount"),
        ("k-finance", encode_global_id("Customer", "one", "nobody"), "1.00", "NOT_FOUND", "customerId"),
    ],
)
async def test_rules_are_enforced_before_any_upstream_call(
    client: httpx.AsyncClient, plugin: FakePlugin, who: str, customer: str, amount: str, reason: str, field: str | None
) -> None:
    refused = await transfer(client, amount, f"k-{uuid.uuid4()}", who=who, customer=customer)
    assert refused["__typename"] == "RuleViolationError"
    assert (refused["reason"], refused["field"]) == (reason, field)
    assert upstream(plugin).counts["execute"] == 0


async def test_an_upstream_refusal_is_typed_and_replayed(client: httpx.AsyncClient, plugin: FakePlugin) -> None:
    query = TRANSFER.replace("transferFunds", "reclaimFunds")
    refused = (await gql(client, query, id=RESALE, amount="5.00", key="k-r"))["reclaimFunds"]
    assert (refused["__typename"], refused["reason"], refused["upstreamCode"]) == (
        "UpstreamError",
        "INSUFFICIENT_FUNDS",
        "CBC.99006001",
    )
    again = (await gql(client, query, id=RESALE, amount="5.00", key="k-r"))["reclaimFunds"]
    assert again["reason"] == "INSUFFICIENT_FUNDS"
    assert upstream(plugin).counts["execute"] == 1


async def test_every_attempt_is_audited_for_admins_only(client: httpx.AsyncClient, plugin: FakePlugin) -> None:
    upstream(plugin).next_write = "ambiguous"
    await transfer(client, "10.00", "k-audit")
    await transfer(client, "10.00", "k-audit")
    await transfer(client, "1.00", "k-other", who="k-wang")
    log = await gql(
        client,
        "{ auditLog(first: 10) { edges { node { principal operation outcome errorCode input requestIds } } } }",
        "k-admin",
    )
    entries = [e["node"] for e in log["auditLog"]["edges"]]
    assert [e["outcome"] for e in entries] == ["REJECTED", "REPLAYED", "RECONCILED"]
    assert entries[0]["errorCode"] == "RULE_VIOLATION:ROLE_NOT_ALLOWED"
    assert entries[2]["input"]["amount"] == {"amount": "10.00", "currency": "CNY"}
    assert entries[2]["requestIds"] == ["req-t1"]
    response = await client.post(
        "/graphql", json={"query": "{ auditLog { totalCount } }"}, headers={"authorization": "Bearer k-finance"}
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_unsupported_writes_say_so(client: httpx.AsyncClient) -> None:
    query = f"""mutation {{ setCreditLine(customerId: "{RESALE}", amount: {{amount: "100"}}, idempotencyKey: "k") {{
      __typename ... on UnsupportedError {{ provider }} }} }}"""
    assert (await gql(client, query, "k-admin"))["setCreditLine"] == {
        "__typename": "UnsupportedError",
        "provider": "fake",
    }


async def test_a_pending_operation_left_by_a_crash_is_reconciled_at_start(plugin: FakePlugin, tmp_path: Any) -> None:
    from gateway.store import sqlite_url

    config = GatewayConfig(
        accounts=config_for("one").accounts,
        api_keys=KEYS,
        upstream=FAST_UPSTREAM,
        writes=SETTLE,
        store_url=sqlite_url(tmp_path),
    )
    async with running(create_app(config, Registry([plugin]))) as client:
        provider = upstream(plugin)
        provider.next_write, provider.records_unreadable = "ambiguous", True
        assert (await transfer(client, "40.00", "k-crash"))["pending"] is True
    provider.records_unreadable = False
    async with running(create_app(config, Registry([plugin]))) as client:  # the restart reconciles it
        log = await gql(client, "{ auditLog(first: 1) { edges { node { outcome principal } } } }", "k-admin")
        assert log["auditLog"]["edges"][0]["node"] == {"outcome": "RECONCILED", "principal": "gateway (reconciliation)"}
        replay = await transfer(client, "40.00", "k-crash")
    assert replay["operation"]["replayed"] is True
    assert upstream(plugin).balance("one-0") == Decimal("40.00")


async def test_a_customer_of_an_account_not_configured_is_a_typed_not_found(client: httpx.AsyncClient) -> None:
    gone = encode_global_id("Customer", "gone", "x")
    query = f"""mutation {{ fileProject(input: {{customerId: "{gone}", name: "ERP"}}, idempotencyKey: "k-gone") {{
      __typename ... on RuleViolationError {{ reason }} }} }}"""
    assert (await gql(client, query, "k-admin"))["fileProject"] == {
        "__typename": "RuleViolationError",
        "reason": "NOT_FOUND",
    }


async def test_amounts_compare_by_value_under_one_key(client: httpx.AsyncClient, plugin: FakePlugin) -> None:
    first = await transfer(client, "10", "k-value")
    again = await transfer(client, "10.00", "k-value")
    assert (first["__typename"], again["__typename"]) == ("CustomerPayload", "CustomerPayload")
    assert again["operation"]["replayed"] is True
    assert upstream(plugin).counts["execute"] == 1


async def test_a_write_to_a_target_with_a_pending_write_waits_for_it(
    client: httpx.AsyncClient, plugin: FakePlugin
) -> None:
    provider = upstream(plugin)
    provider.next_write, provider.records_unreadable = "ambiguous", True
    first = await transfer(client, "30.00", "k-first")
    assert first["pending"] is True
    # Another transfer to the same customer would make the records ambiguous: it waits, nothing is sent.
    second = await transfer(client, "30.00", "k-second")
    assert (second["pending"], second["operationId"]) == (True, first["operationId"])
    assert provider.counts["execute"] == 1
    provider.records_unreadable = False
    second = await transfer(client, "30.00", "k-second")  # the first is settled on the way, then this goes out
    assert second["__typename"] == "CustomerPayload"
    assert second["operation"]["reconciled"] is False
    first = await transfer(client, "30.00", "k-first")
    assert (first["operation"]["reconciled"], first["operation"]["replayed"]) == (True, True)
    assert first["operation"]["upstreamIds"] != second["operation"]["upstreamIds"]
    assert provider.counts["execute"] == 2
    assert provider.balance("one-0") == Decimal("60.00")


async def test_the_sweep_settles_a_pending_write_nobody_retries(client: httpx.AsyncClient, plugin: FakePlugin) -> None:
    provider = upstream(plugin)
    provider.next_write, provider.records_unreadable = "ambiguous", True
    pending = await transfer(client, "12.00", "k-gave-up")
    assert pending["pending"] is True
    provider.records_unreadable = False
    audit = """{ auditLog(first: 20, filter: {operation: "transferFunds"}) { nodes { principal outcome } } }"""
    for _ in range(40):  # the sweep runs every second here (settle window / 4, at least 1 s)
        outcomes = [(n["principal"], n["outcome"]) for n in (await gql(client, audit, "k-admin"))["auditLog"]["nodes"]]
        if ("gateway (reconciliation)", "RECONCILED") in outcomes:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError(f"the sweep never settled it: {outcomes}")
    assert provider.counts["execute"] == 1
    replay = await transfer(client, "12.00", "k-gave-up")
    assert (replay["operation"]["reconciled"], replay["operation"]["replayed"]) == (True, True)


async def test_the_settle_window_runs_from_the_last_send_not_from_the_claim(
    client: httpx.AsyncClient, plugin: FakePlugin
) -> None:
    """Refusals retried inside the attempt delay the real send past the settle window counted from the
    claim; that request then lands after its reply was given up on. Counting from the claim would call it
    "not applied" at once and the retry would move the money twice."""
    provider = upstream(plugin)
    provider.next_write = "late"
    provider.late_send = SETTLE.settle_seconds + 0.2
    provider.late_land = 0.5
    first = await transfer(client, "44.00", "k-late")
    assert first["pending"] is True, first  # never "not applied" while the late request may land
    for _ in range(40):
        answer = await transfer(client, "44.00", "k-late")
        if not answer.get("pending"):
            break
        await asyncio.sleep(0.1)
    assert answer["__typename"] == "CustomerPayload", answer
    assert answer["operation"]["reconciled"] is True
    await asyncio.gather(*provider.landing)
    assert provider.counts["execute"] == 1
    assert provider.balance("one-0") == Decimal("44.00")


async def test_a_write_waiting_on_another_principals_pending_write_learns_nothing_of_it(
    client: httpx.AsyncClient, plugin: FakePlugin
) -> None:
    provider = upstream(plugin)
    provider.next_write, provider.records_unreadable = "ambiguous", True
    theirs = await transfer(client, "31.00", "k-theirs", who="k-finance")
    assert theirs["pending"] is True
    mine = await transfer(client, "31.00", "k-mine", who="k-admin")
    assert mine["pending"] is True  # it waits: the target has a write in flight
    assert mine["operationId"] != theirs["operationId"]  # but not told the other principal's operation
    assert provider.counts["execute"] == 1
