"""Per-reseller records of fund and voucher-quota movements (Huawei H.4.27, H.4.16) through the GraphQL API over
the real simulators: what the reseller mutations do shows in the reseller's own records (and only in its own),
newest first and paged; who may read them; what Aliyun and a tier-2 account answer; the adapter's wire."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from adapters.huaweicloud._mapping_money import quota_movement_from_record
from gateway.app import create_app
from gateway.auth import ApiKey, Role, hash_key
from gateway.config import GatewayConfig
from gateway.models import QuotaMovementKind
from gateway.registry import Registry
from gateway.testing import running
from tests.support.fakes import FakePlugin
from tests.support.mutations_demo import (
    ALIYUN,
    HUAWEI,
    HUAWEI_T2,
    HUAWEI_T2_DOMAIN,
    HUAWEI_T2B_DOMAIN,
    RECEIPT,
    REFUSALS,
    Demo,
    demo,
    global_id,
    key,
    partner_id,
)
from tests.test_app import config_for

pytestmark = pytest.mark.anyio

T2 = global_id("Reseller", HUAWEI, HUAWEI_T2_DOMAIN)
T2B = global_id("Reseller", HUAWEI, HUAWEI_T2B_DOMAIN)
PARENT_QUOTA = "Q9f74bcf0ee830296"  # the tier-1's first normal quota (docs/simulator-huaweicloud.md)
MOVE = "nativeId kind amount { amount currency } succeeded occurredAt resellerId quotaId parentQuotaId operator remark"
FUND = "nativeId kind amount { amount currency } occurredAt counterpartyId transactionId"
MOVEMENTS = f"""query($id: ID!, $first: Int) {{ node(id: $id) {{ ... on Reseller {{
  fundMovements(first: $first) {{ totalCount nodes {{ {FUND} }} }}
  quotaMovements(first: $first) {{ totalCount nodes {{ {MOVE} }} }}
}} }} }}"""
QUOTA_PAGE = """query($id: ID!, $after: String) { node(id: $id) { ... on Reseller {
  quotaMovements(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { amount { amount } } }
} } }"""
PARTNER = f"""query($id: ID!) {{ node(id: $id) {{ ... on Partner {{
  quotaMovements(first: 100) {{ totalCount nodes {{ {MOVE} }} }} ledger(first: 100) {{ totalCount }} }} }} }}"""
GRANT = f"""mutation($id: ID!, $amount: Decimal!, $key: String!) {{
  grantVoucherQuota(
    resellerId: $id, parentQuotaId: "{PARENT_QUOTA}", amount: {{amount: $amount}}, idempotencyKey: $key
  ) {{
    __typename ... on ResellerPayload {{ {RECEIPT} reseller {{ quotaMovements(first: 5) {{ nodes {{ {MOVE} }} }} }} }}
    {REFUSALS}
  }}
}}"""
RECLAIM_QUOTA = f"""mutation($quota: String!, $key: String!) {{
  reclaimVoucherQuota(partnerId: "{partner_id(HUAWEI)}", quotaId: $quota, idempotencyKey: $key) {{
    __typename ... on ResellerPayload {{ {RECEIPT} reseller {{ quotaMovements(first: 5) {{ nodes {{ {MOVE} }} }} }} }}
    {REFUSALS}
  }}
}}"""


def funds_mutation(name: str) -> str:
    return f"""mutation($id: ID!, $amount: Decimal!, $key: String!) {{
  {name}(resellerId: $id, amount: {{amount: $amount}}, idempotencyKey: $key) {{
    __typename ... on ResellerPayload {{ {RECEIPT} reseller {{ fundMovements(first: 5) {{ nodes {{ {FUND} }} }} }} }}
    {REFUSALS}
  }}
}}"""


ALLOCATE, RECLAIM_FUNDS = funds_mutation("allocateResellerFunds"), funds_mutation("reclaimResellerFunds")


@pytest.fixture
async def gw() -> AsyncIterator[Demo]:
    async with demo() as running_demo:
        yield running_demo


async def movements(gw: Demo, reseller: str, api_key: str = "k-admin", **page: Any) -> dict[str, Any]:
    node: dict[str, Any] = (await gw.ask(MOVEMENTS, api_key, id=reseller, **page))["node"]
    return node


async def raw(gw: Demo, document: str, api_key: str, **variables: Any) -> dict[str, Any]:
    """The whole GraphQL answer, errors included."""
    response = await gw.client.post(
        "/graphql", json={"query": document, "variables": variables}, headers={"authorization": f"Bearer {api_key}"}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_grant_and_a_reclaim_of_voucher_quota_show_in_the_resellers_records(gw: Demo) -> None:
    before = await movements(gw, T2, first=100)
    seeded = before["quotaMovements"]
    assert seeded["totalCount"] == 1  # the seed's grant of 6000.00 (simulator docs)
    assert seeded["nodes"][0]["kind"] == "GRANT"
    assert {n["resellerId"] for n in seeded["nodes"]} == {HUAWEI_T2_DOMAIN}
    other_before = (await movements(gw, T2B, first=100))["quotaMovements"]["totalCount"]

    granted = await gw.one(GRANT, "k-finance", id=T2, amount="321.50", key=key())
    assert granted["__typename"] == "ResellerPayload", granted
    [quota_id] = granted["operation"]["upstreamIds"]
    newest = granted["reseller"]["quotaMovements"]["nodes"][0]
    assert newest["kind"] == "GRANT"
    assert (newest["quotaId"], newest["parentQuotaId"], newest["resellerId"]) == (
        quota_id,
        PARENT_QUOTA,
        HUAWEI_T2_DOMAIN,
    )
    assert newest["amount"] == {"amount": "321.50", "currency": "CNY"}
    assert newest["succeeded"] is True
    assert newest["operator"]
    assert newest["occurredAt"]

    reclaimed = await gw.one(RECLAIM_QUOTA, "k-admin", quota=quota_id, key=key())
    assert reclaimed["__typename"] == "ResellerPayload", reclaimed
    back = reclaimed["reseller"]["quotaMovements"]["nodes"][0]
    assert (back["kind"], back["quotaId"], back["succeeded"]) == ("RECLAIM", quota_id, True)
    assert Decimal(back["amount"]["amount"]) == Decimal("321.50")  # nothing was issued from it: all of it back

    # A grant the upstream refuses is recorded too (result -1), and shows as not succeeded.
    over = await gw.one(GRANT, "k-finance", id=T2, amount="900000.00", key=key())
    assert (over["__typename"], over["reason"]) == ("UpstreamError", "INSUFFICIENT_FUNDS")
    after = (await movements(gw, T2, first=100))["quotaMovements"]
    assert after["totalCount"] == 4
    assert [(n["kind"], n["succeeded"]) for n in after["nodes"]] == [
        ("GRANT", False),
        ("RECLAIM", True),
        ("GRANT", True),
        ("GRANT", True),
    ]
    # The other reseller's records are its own.
    assert (await movements(gw, T2B, first=100))["quotaMovements"]["totalCount"] == other_before

    # The partner sees every reseller's movements.
    partner = (await gw.ask(PARTNER, id=partner_id(HUAWEI)))["node"]["quotaMovements"]
    assert partner["totalCount"] == 4 + other_before
    assert {n["resellerId"] for n in partner["nodes"]} == {HUAWEI_T2_DOMAIN, HUAWEI_T2B_DOMAIN}


async def test_fund_allocations_and_reclaims_show_in_that_resellers_records_only(gw: Demo) -> None:
    assert (await movements(gw, T2))["fundMovements"]["totalCount"] == 0
    ledger_before = (await gw.ask(PARTNER, id=partner_id(HUAWEI)))["node"]["ledger"]["totalCount"]

    given = await gw.one(ALLOCATE, "k-finance", id=T2, amount="250.00", key=key())
    assert given["__typename"] == "ResellerPayload", given
    [transfer_id] = given["operation"]["upstreamIds"]
    [entry] = given["reseller"]["fundMovements"]["nodes"]
    assert (entry["kind"], entry["transactionId"], entry["counterpartyId"]) == (
        "ALLOCATION",
        transfer_id,
        HUAWEI_T2_DOMAIN,
    )
    assert entry["amount"] == {"amount": "250.00", "currency": "CNY"}

    taken = await gw.one(RECLAIM_FUNDS, "k-admin", id=T2, amount="50.25", key=key())
    assert taken["__typename"] == "ResellerPayload", taken
    [trans_id] = taken["operation"]["upstreamIds"]
    nodes = taken["reseller"]["fundMovements"]["nodes"]
    assert [(n["kind"], n["transactionId"], n["amount"]["amount"]) for n in nodes] == [
        ("RECLAIM", trans_id, "50.25"),
        ("ALLOCATION", transfer_id, "250.00"),
    ]
    refused = await gw.one(RECLAIM_FUNDS, "k-finance", id=T2, amount="9000000.00", key=key())
    assert refused["__typename"] == "UpstreamError"  # refused: no record of it
    assert (await movements(gw, T2))["fundMovements"]["totalCount"] == 2
    assert (await movements(gw, T2B))["fundMovements"]["totalCount"] == 0
    # The partner's whole ledger has both, beside its customers' allocations.
    assert (await gw.ask(PARTNER, id=partner_id(HUAWEI)))["node"]["ledger"]["totalCount"] == ledger_before + 2


async def test_the_records_are_paged_newest_first(gw: Demo) -> None:
    for amount in ("10.00", "11.00", "12.00"):
        granted = await gw.one(GRANT, id=T2, amount=amount, key=key())
        assert granted["__typename"] == "ResellerPayload", granted
    first = (await gw.ask(QUOTA_PAGE, id=T2))["node"]["quotaMovements"]
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (4, True)
    assert [n["amount"]["amount"] for n in first["nodes"]] == ["12.00", "11.00"]
    rest = (await gw.ask(QUOTA_PAGE, id=T2, after=first["pageInfo"]["endCursor"]))["node"]["quotaMovements"]
    assert [n["amount"]["amount"] for n in rest["nodes"]] == ["10.00", "6000.00"]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_only_admins_and_finance_read_them(gw: Demo) -> None:
    for api_key in ("k-admin", "k-finance"):
        found = await movements(gw, T2, api_key)
        assert found["quotaMovements"]["totalCount"] == 1, api_key
    # A sales key sees no reseller at all, and none of the partner's records.
    hidden = await raw(gw, MOVEMENTS, "k-sales", id=T2)
    assert (hidden["data"], "errors" in hidden) == ({"node": None}, False)
    sales = await raw(gw, PARTNER, "k-sales", id=partner_id(HUAWEI))
    assert sales["data"]["node"] == {"quotaMovements": None, "ledger": None}
    assert {(e["path"][-1], e["extensions"]["code"]) for e in sales["errors"]} == {
        ("quotaMovements", "FORBIDDEN"),
        ("ledger", "FORBIDDEN"),
    }


async def test_aliyun_and_a_tier2_account_have_no_such_records() -> None:
    async with demo(tiers=True) as gw:
        aliyun = await raw(gw, PARTNER, "k-admin", id=partner_id(ALIYUN))
        assert aliyun["data"]["node"] == {"quotaMovements": None, "ledger": None}
        assert {e["extensions"]["code"] for e in aliyun["errors"]} == {"UNSUPPORTED_BY_PROVIDER"}
        tier2 = await raw(gw, PARTNER, "k-admin", id=partner_id(HUAWEI_T2))
        assert tier2["data"]["node"]["quotaMovements"] is None
        assert [e["path"][-1] for e in tier2["errors"]] == ["quotaMovements"]
        assert tier2["errors"][0]["extensions"]["code"] == "UNSUPPORTED_BY_PROVIDER"
        assert gw.calls(HUAWEI_T2, "list_coupon_quotas_records") == 0  # refused before any call
        aliyun_reseller = await gw.ask('{ resellers(first: 1, filter: {provider: "aliyun"}) { nodes { id } } }')
        [reseller] = aliyun_reseller["resellers"]["nodes"]
        answer = await raw(gw, MOVEMENTS, "k-admin", id=reseller["id"])
        assert answer["data"]["node"] == {"fundMovements": None, "quotaMovements": None}
        assert {e["extensions"]["code"] for e in answer["errors"]} == {"UNSUPPORTED_BY_PROVIDER"}


async def test_the_adapter_sends_the_resellers_id_as_the_upstream_filters_it(gw: Demo) -> None:
    sent: list[httpx.URL] = []
    original = gw.counted[HUAWEI].app

    async def spy(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            sent.append(httpx.URL(path=scope["path"], query=scope["query_string"]))
        await original(scope, receive, send)

    gw.counted[HUAWEI].app = spy
    await movements(gw, T2)
    by_path = {url.path: dict(url.params) for url in sent}
    records = by_path["/v2/partners/coupon-quotas/records"]
    assert records["indirect_partner_id"] == HUAWEI_T2_DOMAIN
    adjust = by_path["/v3/accounts/partner-accounts/adjust-records"]
    assert adjust["customer_id"] == HUAWEI_T2_DOMAIN  # the tier-1's records with that tier-2 (H.4.27)
    assert "indirect_partner_id" not in adjust  # that would read the tier-2's own records instead
    sent.clear()
    await gw.ask(PARTNER, id=partner_id(HUAWEI))
    records = {url.path: dict(url.params) for url in sent}["/v2/partners/coupon-quotas/records"]
    assert "indirect_partner_id" not in records  # every tier-2's


def test_quota_records_map_their_codes_and_unknown_ones() -> None:
    record = {"id": "QR1", "operation_type": "11", "amount": "12.5", "result": "-1", "operation_time": "bad"}
    movement = quota_movement_from_record(record)
    assert (movement.kind, movement.succeeded, movement.amount.amount) == (
        QuotaMovementKind.RECLAIM,
        False,
        Decimal("12.5"),
    )
    assert (movement.occurred_at, movement.reseller_id) == (None, None)
    assert quota_movement_from_record({"id": "QR2", "operation_type": "99", "result": "0"}).kind is (
        QuotaMovementKind.UNKNOWN
    )


async def test_a_fake_provider_serves_the_seam_and_the_graph_narrows_by_reseller() -> None:
    """Through the port alone (tests/support/fakes.py): the graph asks the provider for one reseller's records."""
    plugin = FakePlugin({"one": 3})
    config = GatewayConfig(
        accounts=config_for("one").accounts, api_keys=(ApiKey("admin", hash_key("k-admin"), Role.ADMIN),)
    )
    document = """query($id: ID!, $partner: ID!) {
      node(id: $id) { ... on Reseller { quotaMovements { totalCount nodes { nativeId resellerId kind } } } }
      partner: node(id: $partner) { ... on Partner { quotaMovements { totalCount nodes { resellerId } } } } }"""
    async with running(create_app(config, Registry([plugin]))) as client:
        response = await client.post(
            "/graphql",
            json={
                "query": document,
                "variables": {"id": global_id("Reseller", "one", "r1"), "partner": partner_id("one")},
            },
            headers={"authorization": "Bearer k-admin"},
        )
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["node"]["quotaMovements"] == {
        "totalCount": 1,
        "nodes": [{"nativeId": "qm-r1", "resellerId": "r1", "kind": "GRANT"}],
    }
    assert [n["resellerId"] for n in body["data"]["partner"]["quotaMovements"]["nodes"]] == ["r2", "r1", "r0"]
    assert plugin.created["one"].counts["list_quota_movements"] == 2
