"""A gateway killed in the middle of a money transfer (a real process, SIGKILL) settles the transfer
exactly once when it starts again, from the upstream's own records."""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from adapters.huaweicloud._plugin import DEMO_ACCESS_KEY, DEMO_DOMAIN_ID, DEMO_SECRET_KEY
from tests.support.servers import free_port, process_serving
from tests.test_cli import EXE

TRANSFER = """mutation($id: ID!) {
  transferFunds(customerId: $id, amount: {amount: "123.45", currency: "CNY"}, idempotencyKey: "crash-key-1") {
    __typename ... on CustomerPayload { operation { replayed reconciled upstreamIds } }
  }
}"""


def gql(base: str, query: str, **variables: Any) -> dict[str, Any]:
    response = httpx.post(f"{base}/graphql", json={"query": query, "variables": variables}, timeout=30)
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


def balance(base: str, customer_id: str) -> Decimal:
    data = gql(base, "query($id: ID!) { node(id: $id) { ... on Customer { balance { amount } } } }", id=customer_id)
    return Decimal(data["node"]["balance"]["amount"])


def test_a_transfer_cut_off_by_a_killed_gateway_is_settled_once_on_restart(tmp_path: Path) -> None:
    simulator_port, gateway_port = free_port(), free_port()
    simulator = f"http://127.0.0.1:{simulator_port}"
    gateway = f"http://127.0.0.1:{gateway_port}"
    # The upstream takes 3 s before it applies the (first) transfer: time to kill the gateway mid-call.
    simulator_args = [EXE, "simulator", "huaweicloud", "--port", str(simulator_port)]
    simulator_args += ["--fault", "update_customer_account_amount=latency:3000x1"]
    config = tmp_path / "gateway.toml"
    config.write_text(
        f'[[accounts]]\nid = "hw"\nprovider = "huaweicloud"\nname = "Huawei"\nrole = "tier1-distributor"\n'
        f'endpoint = "{simulator}"\n[accounts.credentials]\naccess_key = "HW_AK"\nsecret_key = "HW_SK"\n'
        f'[accounts.settings]\ndomain_id = "{DEMO_DOMAIN_ID}"\n[store]\ndata_dir = "{tmp_path / "data"}"\n'
    )
    env = {"HW_AK": DEMO_ACCESS_KEY, "HW_SK": DEMO_SECRET_KEY}
    gateway_args = [EXE, "serve", "--config", str(config), "--port", str(gateway_port)]

    with process_serving(simulator_args, f"{simulator}/_simulator/faults"):
        with process_serving(gateway_args, f"{gateway}/healthz", env=env) as first_run:
            customers = gql(gateway, "{ customers(first: 1, filter: {accountType: RESALE}) { edges { node { id } } } }")
            customer_id = customers["customers"]["edges"][0]["node"]["id"]
            before = balance(gateway, customer_id)
            answers: list[object] = []

            def send() -> None:
                try:
                    answers.append(gql(gateway, TRANSFER, id=customer_id))
                except httpx.HTTPError as exc:  # the gateway dies under us: no answer
                    answers.append(exc)

            caller = threading.Thread(target=send)
            caller.start()
            threading.Event().wait(1.0)  # the request is at the upstream, inside its 3 s
            first_run.kill()
            caller.join(timeout=10)
        assert isinstance(answers[0], httpx.HTTPError)  # the caller never learnt the outcome
        threading.Event().wait(3.0)  # meanwhile the upstream applies it

        with process_serving(gateway_args, f"{gateway}/healthz", env=env):
            audit = gql(
                gateway, '{ auditLog(first: 10, filter: {operation: "transferFunds"}) { edges { node { outcome } } } }'
            )
            outcomes = [edge["node"]["outcome"] for edge in audit["auditLog"]["edges"]]
            assert outcomes == ["RECONCILED"]  # settled at start, before any retry
            retried = gql(gateway, TRANSFER, id=customer_id)["transferFunds"]
            assert retried["__typename"] == "CustomerPayload"
            assert retried["operation"]["replayed"] is True
            assert balance(gateway, customer_id) == before + Decimal("123.45")  # once, not twice
