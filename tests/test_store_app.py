"""The store through the app: a store that cannot be used answers ``STORE_UNAVAILABLE`` (never INTERNAL,
never HTTP 500), ``/readyz`` covers it, and a missing database stops the start. Real SQLite files: a
database opened read-only, one locked by another connection, one deleted."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.config import GatewayConfig
from gateway.errors import StoreUnavailable
from gateway.models import PartnerAccount
from gateway.provider import Credentials
from gateway.registry import Registry
from gateway.retry import RetryPolicy
from gateway.store import open_store, sqlite_url
from gateway.testing import running
from tests.support.fakes import FakePlugin, FakeProvider
from tests.support.mutations_demo import FAST_SETTLE, FAST_UPSTREAM
from tests.test_app import config_for
from tests.test_writes import KEYS, RESALE, TRANSFER

pytestmark = pytest.mark.anyio

SPEC_MEDIA_TYPE = "application/graphql-response+json"


def config(store_url: str) -> GatewayConfig:
    return GatewayConfig(
        accounts=config_for("one").accounts,
        api_keys=KEYS,
        upstream=FAST_UPSTREAM,
        writes=FAST_SETTLE,
        store_url=store_url,
    )


async def created(data_dir: Path) -> Path:
    """A store made as a first start makes it: its database and its marker."""
    await (await open_store(sqlite_url(data_dir))).close()
    return data_dir / "gateway.db"


@pytest.fixture
def lock(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection to the store's database, which can hold it locked (``BEGIN EXCLUSIVE``)."""
    holder = sqlite3.connect(tmp_path / "gateway.db", isolation_level=None)
    yield holder
    holder.close()


async def ask(client: httpx.AsyncClient, query: str, accept: str = "application/json", **variables: Any) -> Any:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": "Bearer k-admin", "accept": accept},
    )
    assert response.status_code == 200, response.text  # never a 500, nor a request error
    return response.json()


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    [error] = body["errors"]
    assert error["extensions"] == {"code": "STORE_UNAVAILABLE"}, error
    return error  # type: ignore[no-any-return]


async def test_a_mutation_on_a_read_only_store_is_store_unavailable(tmp_path: Path, plugin: FakePlugin) -> None:
    database = await created(tmp_path)
    read_only = f"sqlite+aiosqlite:///file:{database}?mode=ro&uri=true"
    async with running(create_app(config(read_only), Registry([plugin]))) as client:
        for accept in ("application/json", SPEC_MEDIA_TYPE):
            body = await ask(client, TRANSFER, accept, id=RESALE, amount="7.00", key=f"k-{accept}")
            error = only_error(body)
            assert "attempt to write a readonly database" in error["message"]
            assert error["path"] == ["transferFunds"]
        readiness = await client.get("/readyz")
        reads = await ask(client, "{ auditLog { totalCount } projects { totalCount } }")
    assert plugin.created["one"].counts.get("execute", 0) == 0  # nothing was sent upstream
    assert readiness.status_code == 503
    assert readiness.json()["store"]["ok"] is False
    assert readiness.json()["store"]["error"]["code"] == "STORE_UNAVAILABLE"
    assert "readonly" in readiness.json()["store"]["error"]["message"]
    reads.pop("extensions")  # the request's cost (tests/test_cost.py)
    assert reads == {"data": {"auditLog": {"totalCount": 0}, "projects": {"totalCount": 0}}}  # reads still work


async def test_queries_on_a_locked_store_are_store_unavailable_and_readyz_is_503(
    tmp_path: Path, plugin: FakePlugin, lock: sqlite3.Connection
) -> None:
    await created(tmp_path)
    async with running(create_app(config(f"{sqlite_url(tmp_path)}?timeout=0.1"), Registry([plugin]))) as client:
        assert (await client.get("/readyz")).json()["store"] == {"ok": True}
        lock.execute("BEGIN EXCLUSIVE")
        audit = await ask(client, "{ auditLog { totalCount } }")
        projects = await ask(client, "{ projects { totalCount } }", SPEC_MEDIA_TYPE)
        readiness = await client.get("/readyz")
        lock.execute("ROLLBACK")
        recovered = await client.get("/readyz")
    assert "database is locked" in only_error(audit)["message"]
    assert "database is locked" in only_error(projects)["message"]
    assert readiness.status_code == 503
    body = readiness.json()
    assert body["status"] == "unready"
    assert body["store"] == {
        "ok": False,
        "error": {
            "message": "the gateway's store cannot be used: database is locked (OperationalError)",
            "code": "STORE_UNAVAILABLE",
        },
    }
    assert body["accounts"] == {"one": {"provider": "fake", "ok": True}}
    assert recovered.status_code == 200
    assert recovered.json()["store"] == {"ok": True}


async def test_a_database_deleted_while_serving_makes_readyz_503(tmp_path: Path, plugin: FakePlugin) -> None:
    database = await created(tmp_path)
    async with running(create_app(config(sqlite_url(tmp_path)), Registry([plugin]))) as client:
        database.unlink()
        readiness = await client.get("/readyz")
        body = await ask(client, TRANSFER, id=RESALE, amount="7.00", key="k-1")
    assert readiness.status_code == 503
    assert "was deleted while the gateway was running" in readiness.json()["store"]["error"]["message"]
    assert "was deleted" in only_error(body)["message"]
    assert plugin.created["one"].counts.get("execute", 0) == 0


async def test_the_lifespan_refuses_a_store_whose_database_is_missing(tmp_path: Path, plugin: FakePlugin) -> None:
    (await created(tmp_path)).unlink()
    with pytest.raises(StoreUnavailable) as refused:
        async with running(create_app(config(sqlite_url(tmp_path)), Registry([plugin]))):
            pytest.fail("the gateway started on an empty store in place of a deleted one")
    assert f"the store database {tmp_path / 'gateway.db'} is missing" in refused.value.message
    assert f"remove {tmp_path / 'gateway.store-id'}" in refused.value.message
    assert not (tmp_path / "gateway.db").exists()


class LockedOnceOpened(FakePlugin):
    """Another process locks the store's database between the store's opening and the reconciliation of
    pending operations (the lifespan builds the providers in between)."""

    def __init__(self, lock: sqlite3.Connection) -> None:
        super().__init__({"one": 6})
        self.lock = lock

    def create(
        self,
        account: PartnerAccount,
        credentials: Credentials,
        http: httpx.AsyncClient,
        *,
        retry: RetryPolicy | None = None,
    ) -> FakeProvider:
        self.lock.execute("BEGIN EXCLUSIVE")
        return super().create(account, credentials, http, retry=retry)


async def test_a_store_failing_during_start_up_reconciliation_is_logged_with_its_cause(
    tmp_path: Path, lock: sqlite3.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    await created(tmp_path)
    caplog.set_level(logging.ERROR, logger="gateway")
    plugin = LockedOnceOpened(lock)
    async with running(create_app(config(f"{sqlite_url(tmp_path)}?timeout=0.1"), Registry([plugin]))) as client:
        readiness = await client.get("/readyz")
    [record] = [r for r in caplog.records if r.name == "gateway.app"]
    assert "could not settle the operations an earlier run left pending" in record.getMessage()
    assert "database is locked (OperationalError)" in record.getMessage()
    assert readiness.status_code == 503
    assert "database is locked" in readiness.json()["store"]["error"]["message"]


@pytest.fixture
def plugin() -> FakePlugin:
    return FakePlugin({"one": 6})
