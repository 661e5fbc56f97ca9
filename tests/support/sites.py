"""The gateway as the console's browser tests reach it, in two deployments with one interface (``Site``):

- ``demo_site``: the embedded demo (both simulators in-process) under uvicorn in a thread, as ``make serve``
  runs it, with API keys, sign-in through a test OIDC issuer (``tests.support.oidc``) and fast write settling;
- ``simulators_site``: the standalone simulators and the gateway as three real processes (``partner-gateway
  simulator aliyun|huaweicloud`` and ``partner-gateway serve --config``), as an operator runs them.

A test steers and checks each the same way: the graph over HTTP (``Site.ask``) and the simulators' fault
injection (``Site.lose_next_reply``: in-process through the simulator's plan, or through its control endpoint).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from adapters._simkit.faults import Fault, FaultKind, FaultPlan
from adapters.huaweicloud._plugin import DEMO_ACCESS_KEY, DEMO_DOMAIN_ID, DEMO_SECRET_KEY
from gateway.app import create_app
from gateway.auth import ApiKey, Role, hash_key
from gateway.config import EventsConfig, GatewayConfig, JwtConfig, WritesConfig, demo_config
from gateway.registry import Registry
from gateway.store import MEMORY_URL
from tests.support.mutations_demo import FAST_UPSTREAM, OTHER_OWNER, SALES_OWNER
from tests.support.oidc import Issuer
from tests.support.servers import EXE, free_port, live_server, process_serving

__all__ = ["AUDIENCE", "CLIENT_ID", "KEYS", "Site", "demo_site", "simulators_site"]

#: API keys of the tests: key -> (name, role, owner). The sales key's owner has seeded customers on both clouds'
#: simulators (Aliyun CustomerBd), another owner's customers must stay hidden from it.
KEYS: dict[str, tuple[str, Role, str | None]] = {
    "k-admin": ("admin", Role.ADMIN, None),
    "k-finance": ("finance", Role.FINANCE, None),
    "k-sales": ("wang.fang", Role.SALES, SALES_OWNER),
    "k-sales-other": ("li.qiang", Role.SALES, OTHER_OWNER),
}
#: The console's client id at the test issuer, and the gateway's audience there.
CLIENT_ID, AUDIENCE = "partner-gateway-console", "partner-gateway"
HUAWEI, ALIYUN = "huaweicloud-demo", "aliyun-demo"
#: How late a write whose reply is lost lands (``Site.lose_next_reply``): well after the upstream timeout.
LATE_MS = 2000
#: ``[writes] settle_seconds``: longer than ``LATE_MS``, so that a late write is never declared not applied.
WRITES = WritesConfig(settle_seconds=10.0)
#: Seconds a process may take to answer: a second or two on an idle machine, far more on a loaded one.
STARTUP = 90.0


def api_keys() -> tuple[ApiKey, ...]:
    return tuple(ApiKey(name, hash_key(key), role, owner) for key, (name, role, owner) in KEYS.items())


@dataclass
class Site:
    """One deployment of the gateway with its console at ``url/console``."""

    name: str
    url: str
    accounts: dict[str, str]
    """provider -> the partner account id serving it."""
    _lose: Callable[[str, str, str], None]
    _faults: Callable[[str], list[dict[str, Any]]]
    issuer: Issuer | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def console(self) -> str:
        return f"{self.url}/console"

    def ask(self, document: str, api_key: str = "k-admin", **variables: Any) -> dict[str, Any]:
        """The ``data`` of a GraphQL request; any GraphQL error fails the test."""
        response = httpx.post(
            f"{self.url}/graphql",
            json={"query": document, "variables": variables},
            headers={"authorization": f"Bearer {api_key}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def lose_next_reply(self, provider: str, operation: str, match: str) -> None:
        """The next ``operation`` request of ``provider`` whose query or body contains ``match`` is applied by the
        simulator ``LATE_MS`` after it arrives, when the gateway has given up waiting (its upstream timeout), and
        its reply is lost (the connection drops). Until it lands the upstream's records do not show it: the
        gateway cannot know whether it was applied, and says pending; once it has landed, the records settle it."""
        self._lose(provider, operation, match)

    def faults(self, provider: str) -> list[dict[str, Any]]:
        """The faults still in force at ``provider``'s simulator (one that fired its last time is gone)."""
        return self._faults(provider)

    def subscriptions(self) -> float:
        """``partner_gateway_subscriptions`` as the gateway's ``/metrics`` serves it: a subscription is open."""
        for line in httpx.get(f"{self.url}/metrics", timeout=10).text.splitlines():
            if line.startswith("partner_gateway_subscriptions "):
                return float(line.split()[1])
        return 0.0

    def wait_for_subscriptions(self, at_least: float, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while self.subscriptions() < at_least:
            assert time.monotonic() < deadline, f"no subscription opened on {self.name} within {timeout} s"
            time.sleep(0.05)


@contextlib.contextmanager
def demo_site(issuer: Issuer) -> Iterator[Site]:
    """The embedded demo under uvicorn in this process, signing people in through ``issuer``."""
    registry = Registry.discover()
    demo = demo_config(registry)
    plans: dict[str, FaultPlan] = {}
    for account_id, app in demo.simulated.items():
        plans[account_id] = app.faults  # type: ignore[attr-defined]
    config = GatewayConfig(
        accounts=demo.accounts,
        simulated=demo.simulated,
        api_keys=api_keys(),
        jwt=JwtConfig(
            issuer=issuer.url,
            audience=AUDIENCE,
            jwks_url=issuer.jwks_url,
            algorithms=("ES256",),
            console_client_id=CLIENT_ID,
        ),
        upstream=FAST_UPSTREAM,
        writes=WRITES,
        store_url=MEMORY_URL,
        events=EventsConfig(enabled=False),  # the writes' own events only: no poller competing for the CPU
    )
    accounts = {entry.account.provider: entry.account.id for entry in demo.accounts}

    def lose(provider: str, operation: str, match: str) -> None:
        plan = plans[accounts[provider]]
        plan.add(Fault(FaultKind.LATENCY, operation, value=LATE_MS, remaining=1, match=match))
        plan.add(Fault(FaultKind.AMBIGUOUS, operation, remaining=1, match=match))

    def faults(provider: str) -> list[dict[str, Any]]:
        return [fault.to_json() for fault in plans[accounts[provider]].faults()]

    with live_server(create_app(config, registry)) as url:
        issuer.allow_redirects_under(f"{url}/console")
        yield Site("demo", url, accounts, lose, faults, issuer)


@contextlib.contextmanager
def simulators_site(directory: Path) -> Iterator[Site]:
    """Both standalone simulators and a gateway over them, each a process of its own on loopback."""
    ports = {"aliyun": free_port(), "huaweicloud": free_port()}
    simulators = {provider: f"http://127.0.0.1:{port}" for provider, port in ports.items()}
    gateway = f"http://127.0.0.1:{free_port()}"
    keys = "".join(
        f'[[api_keys]]\nname = "{name}"\nsha256 = "{hash_key(key)}"\nrole = "{role.value}"\n'
        + (f'owner = "{owner}"\n' if owner else "")
        for key, (name, role, owner) in KEYS.items()
    )
    config = directory / "gateway.toml"
    config.write_text(
        f"""{keys}
[store]
data_dir = {json.dumps(str(directory / "data"))}

[upstream]
timeout_seconds = {FAST_UPSTREAM.timeout_seconds}
# Simulators on loopback: no cloud's quota to stay below (what the embedded demo does for its in-process ones).
max_concurrency = 0
rate_per_second = 0

[writes]
settle_seconds = {WRITES.settle_seconds}

[events]
enabled = false

[[accounts]]
id = "{ALIYUN}"
provider = "aliyun"
name = "Demo Aliyun distributor"
role = "distributor"
endpoint = "{simulators["aliyun"]}"
[accounts.credentials]
access_key_id = "SIM_ALIYUN_AK"
access_key_secret = "SIM_ALIYUN_SK"

[[accounts]]
id = "{HUAWEI}"
provider = "huaweicloud"
name = "Demo Huawei Cloud tier-1 distributor"
role = "tier1-distributor"
endpoint = "{simulators["huaweicloud"]}"
[accounts.credentials]
access_key = "SIM_HUAWEI_AK"
secret_key = "SIM_HUAWEI_SK"
[accounts.settings]
domain_id = "{DEMO_DOMAIN_ID}"
"""
    )
    environment = {
        "SIM_ALIYUN_AK": "LTAI5tSimAgencyDistributor",
        "SIM_ALIYUN_SK": "sim-secret-aliyun-distributor",
        "SIM_HUAWEI_AK": DEMO_ACCESS_KEY,
        "SIM_HUAWEI_SK": DEMO_SECRET_KEY,
    }
    commands = {
        "aliyun": [EXE, "simulator", "aliyun", "--port", str(ports["aliyun"])],
        "huaweicloud": [EXE, "simulator", "huaweicloud", "--port", str(ports["huaweicloud"])],
    }

    def lose(provider: str, operation: str, match: str) -> None:
        for kind, value in (("latency", LATE_MS), ("ambiguous", None)):
            fault = {"kind": kind, "value": value, "operation": operation, "remaining": 1, "match": match}
            answer = httpx.post(f"{simulators[provider]}/_simulator/faults", json=fault, timeout=10)
            assert answer.status_code == 201, answer.text

    def faults(provider: str) -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = httpx.get(f"{simulators[provider]}/_simulator/faults", timeout=10).json()[
            "faults"
        ]
        return listed

    probes = {provider: f"{url}/_simulator/faults" for provider, url in simulators.items()}
    serve = [EXE, "serve", "--config", str(config), "--port", gateway.rsplit(":", 1)[1]]
    starting = [
        *(process_serving(commands[p], probes[p], timeout=STARTUP, log=directory / f"{p}.log") for p in commands),
        process_serving(serve, f"{gateway}/healthz", timeout=STARTUP, env=environment, log=directory / "gateway.log"),
    ]
    with together(starting):
        accounts = {"aliyun": ALIYUN, "huaweicloud": HUAWEI}
        yield Site("simulators", gateway, accounts, lose, faults, notes={"simulators": simulators, "logs": directory})


@contextlib.contextmanager
def together(managers: list[contextlib.AbstractContextManager[Any]]) -> Iterator[None]:
    """Enter several servers' context managers at once (each waits for its process to answer: started side by
    side, they are up in the time of the slowest, not of all of them), and exit them all afterwards."""
    with contextlib.ExitStack() as stack, ThreadPoolExecutor(len(managers)) as pool:
        entering = {pool.submit(manager.__enter__): manager for manager in managers}
        failure: BaseException | None = None
        for future in as_completed(entering):
            try:
                future.result()
            except BaseException as exc:
                failure = failure or exc
            else:
                stack.push(entering[future].__exit__)
        if failure is not None:
            raise failure
        yield
