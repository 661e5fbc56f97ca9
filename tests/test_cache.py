from __future__ import annotations

import asyncio

import pytest

from gateway.cache import TTLCache

pytestmark = pytest.mark.anyio


async def test_a_value_is_loaded_once_while_fresh_and_again_when_stale() -> None:
    now = [0.0]
    cache: TTLCache[str, int] = TTLCache(ttl=60, clock=lambda: now[0])
    loads = []

    async def load() -> int:
        loads.append(1)
        return len(loads)

    assert await cache.get_or_load("k", load) == 1
    assert await cache.get_or_load("k", load) == 1
    now[0] = 61
    assert await cache.get_or_load("k", load) == 2


async def test_concurrent_misses_share_one_load_and_failures_are_not_cached() -> None:
    cache: TTLCache[str, str] = TTLCache(ttl=60)
    calls = 0

    async def slow() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return "v"

    assert await asyncio.gather(*(cache.get_or_load("k", slow) for _ in range(10))) == ["v"] * 10
    assert calls == 1

    async def broken() -> str:
        raise RuntimeError("upstream down")

    with pytest.raises(RuntimeError):
        await cache.get_or_load("x", broken)
    assert await cache.get_or_load("x", slow) == "v"


async def test_the_oldest_entries_go_past_maxsize() -> None:
    cache: TTLCache[int, int] = TTLCache(ttl=60, maxsize=2)
    for key in range(3):
        await cache.get_or_load(key, lambda key=key: asyncio.sleep(0, result=key))  # type: ignore[misc]
    reloaded = []

    async def again() -> int:
        reloaded.append(0)
        return -1

    assert await cache.get_or_load(0, again) == -1
    assert reloaded == [0]
