"""Customer assignments as each replica keeps them (gateway.store._assignments): a write through one store is seen
there at once, another replica's within ``ASSIGNMENTS_TTL``; on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest

from gateway.errors import StoreUnavailable
from gateway.store import ASSIGNMENTS_TTL, open_store
from gateway.store._assignments import Assignments
from tests.store.conftest import T0, Place

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_write_is_seen_at_once_by_its_replica_and_within_the_bound_by_another(place: Place) -> None:
    one, other = await open_store(place.url, **place.options), await open_store(place.url, **place.options)
    clocks = Clock(), Clock()
    one.assigned.clock, other.assigned.clock = clocks
    try:
        assert await one.assignments("hw") == {}
        assert await other.assignments("hw") == {}

        await one.assign("hw", "c1", "wang", "admin", T0)
        assert await one.assignments("hw") == {"c1": "wang"}  # its own write: at once
        clocks[1].now += ASSIGNMENTS_TTL / 2
        assert await other.assignments("hw") == {}  # another replica's: its copy still stands...
        clocks[1].now += ASSIGNMENTS_TTL / 2
        assert await other.assignments("hw") == {"c1": "wang"}  # ...for ASSIGNMENTS_TTL at most

        await other.assign("hw", "c1", "li", "admin", T0)  # a reassignment, the other way round
        assert await other.assignments("hw") == {"c1": "li"}
        assert await one.assignments("hw") == {"c1": "wang"}
        clocks[0].now += ASSIGNMENTS_TTL
        assert await one.assignments("hw") == {"c1": "li"}
        assert await one.assignments("other-account") == {}
    finally:
        await one.close()
        await other.close()


async def test_a_read_under_way_when_a_write_ends_is_not_kept() -> None:
    """A read that started before the write committed may miss it: its answer goes to its callers only."""
    started, gate = asyncio.Event(), asyncio.Event()
    table = {"c1": "wang"}

    async def read(account_id: str) -> Mapping[str, str]:
        before = dict(table)
        started.set()
        await gate.wait()
        return before

    kept = Assignments(read, clock=Clock())
    under_way = asyncio.ensure_future(kept.get("hw"))
    await started.wait()
    table["c1"] = "li"  # the write commits...
    kept.forget("hw")  # ...and drops the copy (Store.assign)
    gate.set()
    assert await under_way == {"c1": "wang"}
    assert await kept.get("hw") == {"c1": "li"}


async def test_concurrent_reads_share_one_read_and_a_failed_one_is_not_kept() -> None:
    reads: list[str] = []
    answers: list[Mapping[str, str] | Exception] = [StoreUnavailable("down"), {"c1": "wang"}]
    gate = asyncio.Event()

    async def read(account_id: str) -> Mapping[str, str]:
        reads.append(account_id)
        await gate.wait()
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    clock = Clock()
    kept = Assignments(read, clock=clock)
    waiting = [asyncio.ensure_future(kept.get("hw")) for _ in range(5)]
    await asyncio.sleep(0)
    gate.set()
    outcomes = await asyncio.gather(*waiting, return_exceptions=True)
    assert reads == ["hw"]  # five callers, one read
    assert all(isinstance(outcome, StoreUnavailable) for outcome in outcomes)

    assert await kept.get("hw") == {"c1": "wang"}  # the failure was not kept: read again
    assert await kept.get("hw") == {"c1": "wang"}
    assert reads == ["hw", "hw"]
    clock.now += ASSIGNMENTS_TTL
    answers.append({})
    assert await kept.get("hw") == {}
    assert reads == ["hw", "hw", "hw"]


async def test_a_cancelled_caller_leaves_the_shared_read_to_the_others() -> None:
    gate = asyncio.Event()

    async def read(account_id: str) -> Mapping[str, str]:
        await gate.wait()
        return {"c1": "wang"}

    kept = Assignments(read, clock=Clock())
    first, second = asyncio.ensure_future(kept.get("hw")), asyncio.ensure_future(kept.get("hw"))
    await asyncio.sleep(0)
    first.cancel()
    gate.set()
    assert await second == {"c1": "wang"}
    assert first.cancelled()
