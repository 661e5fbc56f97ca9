"""Contact details at rest: masked in the audit trail, and not kept in clear once a write is settled."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.app import create_app
from gateway.config import GatewayConfig, demo_config
from gateway.ids import encode_global_id
from gateway.registry import Registry
from gateway.store import sqlite_url
from gateway.testing import running
from tests.support.mutations_demo import FAST_SETTLE, FAST_UPSTREAM, KEYS, RECEIPT, REFUSALS, key

pytestmark = pytest.mark.anyio

CREATE = f"""mutation($input: CreateCustomerInput!, $key: String!) {{
  createCustomer(input: $input, idempotencyKey: $key) {{
    __typename ... on CreateCustomerPayload {{ {RECEIPT} }} {REFUSALS}
  }}
}}"""
AUDIT = """{ auditLog(first: 50, filter: {operation: "createCustomer"}) { nodes { outcome input } } }"""
EMAIL, PHONE = "secret.person@pg-test.cn", "13912345678"


async def test_contact_details_are_masked_in_the_audit_trail_and_not_stored_in_clear(tmp_path: Path) -> None:
    registry = Registry.discover()
    demo = demo_config(registry)
    config = GatewayConfig(
        accounts=demo.accounts,
        simulated=demo.simulated,
        api_keys=KEYS,
        upstream=FAST_UPSTREAM,
        writes=FAST_SETTLE,
        store_url=sqlite_url(tmp_path),
    )
    headers = {"authorization": "Bearer k-admin"}
    data = {
        "partnerId": encode_global_id("Partner", "aliyun-demo"),
        "name": "隐私测试有限公司",
        "accountType": "AGENCY",
        "email": EMAIL,
        "phone": PHONE,
    }
    async with running(create_app(config, registry)) as client:
        response = await client.post(
            "/graphql", json={"query": CREATE, "variables": {"input": data, "key": key()}}, headers=headers
        )
        assert response.json()["data"]["createCustomer"]["__typename"] == "CreateCustomerPayload", response.text
        entries = (await client.post("/graphql", json={"query": AUDIT}, headers=headers)).json()["data"]["auditLog"]
    [entry] = entries["nodes"]
    assert (entry["outcome"], entry["input"]["email"], entry["input"]["phone"]) == (
        "SUCCEEDED",
        "s***@pg-test.cn",
        "139****5678",
    )
    stored = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file())  # noqa: ASYNC240
    assert EMAIL.encode() not in stored
    assert PHONE.encode() not in stored
    assert "隐私测试有限公司".encode() in stored  # the store was really read: the company name is kept
