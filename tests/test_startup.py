"""A start imports what serving needs, and only that, with the garbage collector off (issue #14: cold start).

What only some configurations use is imported where it is used: Redis with ``[redis]``, joserfc with
``[auth.jwt]``, the OpenTelemetry SDK and its OTLP exporter when the ``OTEL_*`` variables ask for spans,
PostgreSQL's dialect (and asyncpg) for a store on PostgreSQL, a plug-in's simulator for the embedded demo and
the ``simulator`` command. Each cost a start tens of milliseconds; these tests keep them out of a start that
does not need them. That the features still work when configured is tested where they are
(``test_redis_state``, ``test_jwt``, ``test_tracing``, ``tests/store``, ``test_cli_simulators``, ``test_cli``).

The cyclic garbage collector is off while a command starts (``gateway.cli``): it must be on again once a server
serves, and after any other command as before it.
"""

from __future__ import annotations

import gc
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from gateway.cli import main
from tests.support.servers import EXE, free_port, process_serving

#: Imported by no start whose configuration does not ask for them.
OPTIONAL = (
    "redis",
    "joserfc",
    "cryptography.x509",
    "opentelemetry.sdk",
    "opentelemetry.exporter",
    "sqlalchemy.dialects.postgresql",
    "asyncpg",
    "adapters.aliyun.simulator",
    "adapters.huaweicloud.simulator",
)

#: ``partner-gateway serve``'s start, up to a served app with its lifespan entered: plug-ins found, the
#: configuration read, the store opened, the app built, one client per partner account.
START = """
import asyncio, json, sys
from gateway.app import create_app
from gateway.cli import _parser
from gateway.config import load_config
from gateway.registry import Registry
from gateway.testing import running

registry = Registry.discover()
_parser(registry)
app = create_app(load_config(sys.argv[1], registry), registry)

async def start() -> None:
    async with running(app):
        pass

asyncio.run(start())
print(json.dumps(sorted(name for name in sys.modules if name.startswith({optional}))))
"""

CONFIG = """
[[accounts]]
id = "acme-aliyun"
provider = "aliyun"
name = "Acme on Alibaba Cloud"
role = "distributor"
endpoint = "https://agency.aliyuncs.com"
[accounts.credentials]
access_key_id = "STARTUP_TEST_AK"
access_key_secret = "STARTUP_TEST_SK"

[[accounts]]
id = "acme-huawei"
provider = "huaweicloud"
name = "Acme on Huawei Cloud"
role = "tier1-distributor"
[accounts.credentials]
access_key = "STARTUP_TEST_AK"
secret_key = "STARTUP_TEST_SK"
[accounts.settings]
domain_id = "0a1b2c3d4e5f"

[store]
data_dir = "{data}"
"""

#: A P-256 public key (RFC 7515 A.3's example key's public part), for a ``jwks_file``.
_EC_POINT = {
    "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
}


def _imported_on_start(config: Path) -> list[str]:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("OTEL_")}
    environment.update(STARTUP_TEST_AK="ak", STARTUP_TEST_SK="sk")
    done = subprocess.run(
        [sys.executable, "-c", START.replace("{optional}", repr(OPTIONAL)), str(config)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    imported: list[str] = json.loads(done.stdout.splitlines()[-1])
    return imported


def test_a_start_without_redis_jwt_traces_or_postgresql_imports_none_of_them(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(CONFIG.replace("{data}", str(tmp_path / "data")))
    assert _imported_on_start(config) == []


def test_the_check_catches_what_a_configuration_asks_for(tmp_path: Path) -> None:
    # The same start with [auth.jwt] does import joserfc: the test above would see a module imported eagerly.
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"keys": [{"kty": "EC", "crv": "P-256", "kid": "k1", "use": "sig", **_EC_POINT}]}))
    config = tmp_path / "gateway.toml"
    config.write_text(
        CONFIG.replace("{data}", str(tmp_path / "data"))
        + '\n[auth.jwt]\nissuer = "https://login.example.com"\naudience = "gw"\njwks_file = "keys.json"\n'
    )
    assert "joserfc" in _imported_on_start(config)


def _collections(base: str) -> int:
    """The collector's passes so far, as ``/metrics`` reports them (prometheus-client's GC collector)."""
    metrics = httpx.get(f"{base}/metrics").text
    return sum(int(float(n)) for n in re.findall(r"^python_gc_collections_total\{[^}]*\} (\S+)$", metrics, re.M))


def test_a_server_collects_garbage_once_it_serves(tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{free_port()}"
    args = [EXE, "serve", "--port", base.rsplit(":", 1)[1]]  # the embedded demo
    with process_serving(args, f"{base}/healthz", env={"PARTNER_GATEWAY_DATA": str(tmp_path)}):
        before = _collections(base)
        for _ in range(5):
            response = httpx.post(f"{base}/graphql", json={"query": "{ customers(first: 50) { totalCount } }"})
            assert response.status_code == 200
        assert _collections(base) > before


def test_a_command_leaves_the_collector_as_it_found_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert gc.isenabled()
    assert main(["schema"]) == 0
    assert gc.isenabled()
    gc.disable()
    try:
        assert main(["schema"]) == 0
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert "type Query" in capsys.readouterr().out
