"""The console script, run as a user runs it: a real process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from gateway.auth import hash_key
from tests.support.servers import free_port, process_serving

EXE = shutil.which("partner-gateway") or str(Path(sys.executable).with_name("partner-gateway"))
README_QUERY = "{ customers(first: 60) { edges { node { id provider name } } } }"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args], capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})}, check=False
    )


def test_a_bad_config_fails_at_start_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(
        '[[accounts]]\nid = "acme"\nprovider = "huaweicloud"\nname = "Acme"\nrole = "distributor"\n'
        '[accounts.credentials]\naccess_key = "ACME_AK"\nsecret_key = "ACME_SK"\n'
        '[accounts.settings]\ndomain_id = "d-1"\n'
    )
    result = run("serve", "--config", str(config))
    assert result.returncode == 2
    assert "accounts[0].role" in result.stderr
    assert "'distributor' is not a role of provider 'huaweicloud'" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_config_file_can_come_from_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(
        '[[accounts]]\nid = "acme-aliyun"\nprovider = "aliyun"\nname = "Acme"\nrole = "distributor"\n'
        '[accounts.credentials]\naccess_key_id = "ACME_AK"\naccess_key_secret = "ACME_SK"\n'
    )
    result = run(
        "check-config",
        env={"PARTNER_GATEWAY_CONFIG": str(config), "ACME_AK": "LTAIacme", "ACME_SK": "very-secret-value"},
    )
    assert result.returncode == 0, result.stderr
    assert "acme-aliyun: Acme (aliyun, distributor)" in result.stdout
    assert "very-secret-value" not in result.stdout + result.stderr

    missing = run("check-config", "--config", str(config), env={"ACME_AK": "LTAIacme"})
    assert missing.returncode == 2
    assert "accounts[0].credentials.access_key_secret: environment variable ACME_SK is not set" in missing.stderr


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    base = f"http://127.0.0.1:{free_port()}"
    args = [EXE, "serve", "--port", base.rsplit(":", 1)[1]]
    with process_serving(args, f"{base}/healthz", env={"PARTNER_GATEWAY_DATA": str(tmp_path)}) as process:
        yield base, process


def test_serve_answers_the_readme_query_from_both_providers(served: tuple[str, subprocess.Popen[str]]) -> None:
    base, _ = served
    response = httpx.post(f"{base}/graphql", json={"query": README_QUERY}, timeout=30)
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body, json.dumps(body)[:2000]
    nodes = [edge["node"] for edge in body["data"]["customers"]["edges"]]
    assert len(nodes) == 60
    assert {node["provider"] for node in nodes} == {"aliyun", "huaweicloud"}
    assert len({node["id"] for node in nodes}) == 60
    assert httpx.get(f"{base}/readyz", timeout=30).status_code == 200


def test_serve_says_what_it_serves(served: tuple[str, subprocess.Popen[str]], tmp_path: Path) -> None:
    base, process = served
    process.terminate()
    output = process.communicate(timeout=10)[0]
    assert "WARNING: no API keys are configured: the gateway is OPEN" in output
    assert "state (projects, operations, audit): sqlite+aiosqlite:///" in output
    store_id = json.loads((tmp_path / "gateway.store-id").read_text())["store_id"]
    assert f"store id: {store_id} (created " in output
    assert f"serving GraphQL at {base}/graphql" in output
    assert "aliyun-demo" in output
    assert "huaweicloud-demo" in output
    assert "simulated in-process" in output


def test_credentials_in_a_query_string_never_reach_the_access_log(served: tuple[str, subprocess.Popen[str]]) -> None:
    base, process = served
    secret = "pgw_" + "S3cretLeakedInUrl" * 3
    httpx.get(f"{base}/graphql?query=%7B__typename%7D&api_key={secret}&first=2", timeout=30)
    httpx.get(f"{base}/healthz?access_token={secret}", timeout=30)
    process.terminate()
    output = process.communicate(timeout=10)[0]
    assert "/healthz?access_token=*** HTTP/1.1" in output  # the request is logged, its credential is not
    assert "api_key=***&first=2" in output
    assert secret not in output


def test_the_committed_schema_is_the_one_the_code_builds() -> None:
    committed = (Path(__file__).resolve().parents[1] / "schema.graphql").read_text(encoding="utf-8")
    printed = run("schema")
    assert printed.returncode == 0
    assert printed.stdout == committed, "schema.graphql is stale: run `partner-gateway schema > schema.graphql`"


def test_new_api_key_prints_a_key_and_only_its_hash_for_the_config() -> None:
    result = run("new-api-key", "--name", "wang-phone", "--role", "sales", "--owner", "wang.lei")
    assert result.returncode == 0, result.stderr
    key = result.stdout.split("it is shown only now): ", 1)[1].split()[0]
    assert key.startswith("pgw_")
    assert len(key) > 40
    snippet = result.stdout.split("[[api_keys]]", 1)[1]
    assert key not in snippet
    assert f'sha256 = "{hash_key(key)}"' in snippet
    assert 'owner = "wang.lei"' in snippet
    assert run("new-api-key", "--name", "x", "--role", "sales").returncode == 2


def test_new_api_key_prints_an_expiry_the_config_reads() -> None:
    at = run("new-api-key", "--name", "nightly", "--role", "finance", "--expires-at", "2027-06-30T12:00:00+08:00")
    assert at.returncode == 0, at.stderr
    snippet = at.stdout.split("\n[[api_keys]]", 1)[1]
    assert "expires_at = 2027-06-30T04:00:00Z" in snippet
    entry = tomllib.loads(snippet)
    assert entry["expires_at"] == datetime(2027, 6, 30, 4, tzinfo=UTC)  # a TOML date-time, not a string
    in_days = run("new-api-key", "--name", "nightly", "--role", "admin", "--expires-in-days", "30")
    expires = tomllib.loads(in_days.stdout.split("\n[[api_keys]]", 1)[1])["expires_at"]
    assert abs(expires - (datetime.now(UTC) + timedelta(days=30))) < timedelta(minutes=5)
    assert "expires_at" not in run("new-api-key", "--name", "forever", "--role", "admin").stdout
    bad = run("new-api-key", "--name", "x", "--role", "admin", "--expires-in-days", "0")
    assert bad.returncode == 2
    assert "--expires-in-days" in bad.stderr


def test_check_config_lists_who_may_sign_in_and_warns_of_expired_keys(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(
        '[[accounts]]\nid = "acme"\nprovider = "huaweicloud"\nname = "Acme"\nrole = "tier1-distributor"\n'
        '[accounts.credentials]\naccess_key = "ACME_AK"\nsecret_key = "ACME_SK"\n'
        '[accounts.settings]\ndomain_id = "d-1"\n'
        f'[[api_keys]]\nname = "old-job"\nsha256 = "{hash_key("pgw_old")}"\nrole = "finance"\n'
        "expires_at = 2020-01-01T00:00:00Z\n"
        '[auth.jwt]\nissuer = "https://login.example.test/"\naudience = "partner-gateway"\n'
        'jwks_url = "https://login.example.test/jwks.json"\n'
    )
    result = run("check-config", "--config", str(config), env={"ACME_AK": "ak", "ACME_SK": "sk"})
    assert result.returncode == 0, result.stderr
    assert "API key old-job: finance, expires 2020-01-01 00:00:00 UTC" in result.stdout
    assert hash_key("pgw_old") not in result.stdout + result.stderr
    assert "sign-in: tokens from https://login.example.test/ for partner-gateway" in result.stdout
    assert "WARNING: API key 'old-job' has expired" in result.stderr


def test_without_api_keys_the_gateway_refuses_a_non_loopback_address() -> None:
    result = run("serve", "--host", "0.0.0.0", "--port", "1")
    assert result.returncode == 2
    assert "api_keys: no API keys are configured" in result.stderr


def test_serve_refuses_a_store_whose_database_was_deleted(
    served: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    base, process = served
    assert httpx.get(f"{base}/readyz", timeout=30).json()["store"] == {"ok": True}
    process.terminate()
    process.wait(timeout=10)
    (tmp_path / "gateway.db").unlink()

    result = run("serve", "--port", str(free_port()), env={"PARTNER_GATEWAY_DATA": str(tmp_path)})
    assert result.returncode == 3
    assert f"partner-gateway: cannot start: the store database {tmp_path / 'gateway.db'} is missing" in (result.stderr)
    assert f"remove {tmp_path / 'gateway.store-id'}" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "serving GraphQL" not in result.stdout
    assert not (tmp_path / "gateway.db").exists()


def test_serve_refuses_a_store_it_cannot_reach_without_showing_its_password(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(
        '[[accounts]]\nid = "acme-aliyun"\nprovider = "aliyun"\nname = "Acme"\nrole = "distributor"\n'
        '[accounts.credentials]\naccess_key_id = "ACME_AK"\naccess_key_secret = "ACME_SK"\n'
        f'[store]\nurl = "postgresql+asyncpg://gateway:pg-SECRET-pw@127.0.0.1:{free_port()}/gateway"\n'
    )
    result = run(
        "serve", "--config", str(config), "--port", str(free_port()), env={"ACME_AK": "LTAIacme", "ACME_SK": "sk"}
    )
    assert result.returncode == 3
    assert "partner-gateway: cannot start: the gateway's store cannot be used: " in result.stderr
    assert "Connect call failed" in result.stderr
    assert "store: postgresql+asyncpg://gateway:***@127.0.0.1:" in result.stderr
    assert "pg-SECRET-pw" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr + result.stdout
