"""A store that cannot lose its memory silently: real files in a temporary data directory."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.errors import StoreUnavailable
from gateway.store import OperationStatus, Store, open_store, sqlite_url
from gateway.store import _tables as t
from gateway.store._migrations import MIGRATIONS, migrate
from tests.store.conftest import Place, operation

pytestmark = pytest.mark.anyio

SUCCEEDED: dict[str, Any] = {"status": OperationStatus.SUCCEEDED, "result": {"transferId": "t1"}}


def marker_of(data_dir: Path) -> dict[str, str]:
    data: dict[str, str] = json.loads((data_dir / "gateway.store-id").read_text())
    return data


async def opened(data_dir: Path) -> Store:
    return await open_store(sqlite_url(data_dir))


async def test_a_new_store_records_its_id_in_the_data_directory(tmp_path: Path) -> None:
    store = await opened(tmp_path)
    try:
        assert store.identity is not None
        async with store.engine.connect() as conn:
            in_database = (await conn.execute(sa.select(t.store_identity.c.store_id))).scalar_one()
    finally:
        await store.close()
    marker = marker_of(tmp_path)
    assert marker["store_id"] == in_database == store.identity.store_id
    assert len(in_database) == 32
    assert marker["database"] == "gateway.db"
    assert marker["initialised_at"]
    assert marker["last_opened_at"]
    again = await opened(tmp_path)  # a restart: the same store
    await again.close()
    assert again.identity == store.identity
    assert marker_of(tmp_path)["initialised_at"] == marker["initialised_at"]


async def test_a_deleted_database_stops_the_start_and_says_what_to_do(tmp_path: Path) -> None:
    store = await opened(tmp_path)
    await store.claim_operation(operation("K", **SUCCEEDED))
    await store.close()
    store_id = marker_of(tmp_path)["store_id"]
    (tmp_path / "gateway.db").unlink()

    with pytest.raises(StoreUnavailable) as refused:
        await opened(tmp_path)
    message = refused.value.message
    assert f"the store database {tmp_path / 'gateway.db'} is missing" in message
    assert store_id in message
    assert marker_of(tmp_path)["initialised_at"] in message
    assert "applied again" in message
    assert f"remove {tmp_path / 'gateway.store-id'}" in message
    assert not (tmp_path / "gateway.db").exists()  # nothing was created in its place
    assert refused.value.code == "STORE_UNAVAILABLE"


async def test_removing_the_marker_starts_an_empty_store_deliberately(tmp_path: Path) -> None:
    store = await opened(tmp_path)
    await store.close()
    (tmp_path / "gateway.db").unlink()
    (tmp_path / "gateway.store-id").unlink()
    fresh = await opened(tmp_path)
    try:
        assert fresh.identity is not None
        assert fresh.identity != store.identity
        assert await fresh.operation_by_key("finance", "K") is None
    finally:
        await fresh.close()
    assert marker_of(tmp_path)["store_id"] == fresh.identity.store_id


async def test_a_replaced_database_stops_the_start(tmp_path: Path) -> None:
    mine, other = tmp_path / "mine", tmp_path / "other"
    for data_dir in (mine, other):
        await (await opened(data_dir)).close()
    shutil.copy(other / "gateway.db", mine / "gateway.db")

    with pytest.raises(StoreUnavailable) as refused:
        await opened(mine)
    message = refused.value.message
    assert f"is store {marker_of(other)['store_id']}" in message
    assert f"records store {marker_of(mine)['store_id']}" in message
    assert "the database was replaced" in message
    assert f"remove {mine / 'gateway.store-id'}" in message


async def test_an_empty_database_file_in_place_of_the_store_stops_the_start(tmp_path: Path) -> None:
    await (await opened(tmp_path)).close()
    (tmp_path / "gateway.db").write_bytes(b"")
    with pytest.raises(StoreUnavailable, match="has no store id"):
        await opened(tmp_path)
    assert (tmp_path / "gateway.db").stat().st_size == 0  # refused before migrating anything into it


async def test_a_store_from_before_markers_is_adopted_with_its_rows(tmp_path: Path) -> None:
    """A store made before store ids (migration steps 1 and 2 only), with no marker: upgraded and recorded."""
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(sqlite_url(tmp_path))
    await migrate(engine, MIGRATIONS[:2])
    await Store(engine).claim_operation(operation("K", **SUCCEEDED))
    await engine.dispose()
    assert not (tmp_path / "gateway.store-id").exists()

    store = await opened(tmp_path)
    try:
        assert store.identity is not None
        kept = await store.operation_by_key("finance", "K")
        assert kept is not None
        assert kept.result == {"transferId": "t1"}
    finally:
        await store.close()
    assert marker_of(tmp_path)["store_id"] == store.identity.store_id


async def test_an_unreadable_marker_stops_the_start(tmp_path: Path) -> None:
    await (await opened(tmp_path)).close()
    (tmp_path / "gateway.store-id").write_text("{not json")
    with pytest.raises(StoreUnavailable, match=r"gateway\.store-id cannot be read"):
        await opened(tmp_path)


async def test_a_database_deleted_while_serving_is_unavailable_not_empty(tmp_path: Path) -> None:
    store = await opened(tmp_path)
    try:
        await store.claim_operation(operation("K", **SUCCEEDED))
        await store.check()
        (tmp_path / "gateway.db").unlink()
        with pytest.raises(StoreUnavailable, match="was deleted while the gateway was running"):
            await store.claim_operation(operation("K2", **SUCCEEDED))
        with pytest.raises(StoreUnavailable, match="was deleted"):
            await store.operation_by_key("finance", "K")
        with pytest.raises(StoreUnavailable, match="was deleted"):
            await store.check()
    finally:
        await store.close()
    assert not (tmp_path / "gateway.db").exists()
    with pytest.raises(StoreUnavailable, match="is missing"):  # and the restart refuses
        await opened(tmp_path)


async def test_a_store_in_memory_has_an_id_and_no_marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = await open_store("sqlite+aiosqlite:///:memory:")
    try:
        assert store.identity is not None
        await store.check()
    finally:
        await store.close()
    assert os.listdir(tmp_path) == []


async def test_on_postgresql_the_id_lives_in_the_database(
    postgres: Place, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No data directory, no marker: the id row is the store's identity across restarts."""
    monkeypatch.chdir(tmp_path)
    first = await open_store(postgres.url, **postgres.options)
    await first.close()
    second = await open_store(postgres.url, **postgres.options)
    try:
        assert second.identity == first.identity
        assert second.database is None
        await second.check()
    finally:
        await second.close()
    assert os.listdir(tmp_path) == []
