"""[limits] requests_per_minute: token buckets per principal, and 429 with Retry-After over HTTP."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gateway.app import create_app
from gateway.config_tables import LimitsConfig
from gateway.ratelimit import PRUNE_AT, TokenBuckets
from gateway.registry import Registry
from gateway.testing import running
from tests.support.fakes import FakePlugin
from tests.test_app import config_for
from tests.test_endpoint import COUNT, with_keys

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_burst_of_a_minute_passes_then_the_next_waits_for_a_token() -> None:
    clock = Clock()
    buckets = TokenBuckets(60, clock)
    assert [await buckets.acquire("k") for _ in range(60)] == [None] * 60
    assert await buckets.acquire("k") == 1  # 60/min refills one a second
    clock.now += 0.5
    assert await buckets.acquire("k") == 1  # never less than 1: half a token is not a request
    clock.now += 0.5
    assert await buckets.acquire("k") is None
    assert await buckets.acquire("k") == 1


async def test_retry_after_is_the_whole_seconds_until_the_next_token() -> None:
    clock = Clock()
    buckets = TokenBuckets(6, clock)  # one token every 10 s
    for _ in range(6):
        assert await buckets.acquire("k") is None
    assert await buckets.acquire("k") == 10
    clock.now += 7.5
    assert await buckets.acquire("k") == 3
    clock.now += 2.5
    assert await buckets.acquire("k") is None


async def test_principals_are_counted_apart_and_refill_no_higher_than_a_minute() -> None:
    clock = Clock()
    buckets = TokenBuckets(2, clock)
    assert [await buckets.acquire("a") for _ in range(3)] == [None, None, 30]
    assert await buckets.acquire("b") is None
    clock.now += 3600  # an idle hour saves up one minute's worth, not sixty
    assert [await buckets.acquire("a") for _ in range(3)] == [None, None, 30]


async def test_many_principals_do_not_grow_memory_without_bound() -> None:
    clock = Clock()
    buckets = TokenBuckets(60, clock)
    for n in range(PRUNE_AT):
        await buckets.acquire(f"p{n}")
    clock.now += 60  # all refilled: nothing to remember
    await buckets.acquire("new")
    assert len(buckets._buckets) == 1


async def test_a_scan_that_frees_nothing_is_not_repeated_for_every_new_principal() -> None:
    clock = Clock()
    buckets = TokenBuckets(60, clock)
    for n in range(PRUNE_AT):
        await buckets.acquire(f"p{n}")  # every bucket just used: none is full
    scans = 0
    prune = buckets._prune

    def counted(now: float) -> None:
        nonlocal scans
        scans += 1
        prune(now)

    buckets._prune = counted  # type: ignore[method-assign]
    for n in range(50):
        await buckets.acquire(f"late{n}")
    assert scans == 1  # one scan, not fifty: it frees nothing until a refill time has passed
    clock.now += 60
    await buckets.acquire("later")
    assert scans == 2
    assert len(buckets._buckets) == 1  # and then it frees the refilled ones


async def test_past_the_rate_a_principal_gets_429_with_retry_after_before_anything_runs() -> None:
    plugin = FakePlugin({"one": 5})
    config = replace(with_keys(config_for("one")), limits=LimitsConfig(requests_per_minute=3))
    admin = {"x-api-key": "admin-key-0123456789"}
    async with running(create_app(config, Registry([plugin]))) as client:
        for _ in range(3):
            assert (await client.post("/graphql", json={"query": COUNT}, headers=admin)).status_code == 200
        calls = sum(p.counts.total() for p in plugin.created.values())
        refused = await client.post("/graphql", json={"query": COUNT}, headers=admin)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 20  # 3 a minute: a token every 20 s
        body = refused.json()
        assert "data" not in body
        assert body["errors"][0]["extensions"] == {
            "code": "RATE_LIMITED",
            "retryAfter": int(refused.headers["retry-after"]),
        }
        assert sum(p.counts.total() for p in plugin.created.values()) == calls  # nothing executed
        # Another principal has its own allowance.
        other = await client.post("/graphql", json={"query": COUNT}, headers={"x-api-key": "sales-key-0123456789"})
        assert other.status_code == 200


async def test_requests_per_minute_zero_means_no_limit() -> None:
    config = replace(config_for("one"), limits=LimitsConfig(requests_per_minute=0))
    async with running(create_app(config, Registry([FakePlugin({"one": 5})]))) as client:
        for _ in range(30):
            assert (await client.post("/graphql", json={"query": COUNT})).status_code == 200
