"""``RedisState`` against the real Redis on this machine: two states stand for two gateway processes (each
its own client, connections and subscription) sharing one key prefix.

What the replicas rely on: a bucket's tokens are taken once across both (never overdrawn under
concurrency), values and claims expire, exactly one claim wins, a put or release in one wakes a waiter in
the other (also when it lands between the waiter's look and its wait), and a Redis that refuses, hangs
or comes back is served around: the state answers from the process's memory, tries Redis again only after
``retry_seconds`` and with one call, and shares again once Redis answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from gateway.app import create_app
from gateway.config import REDIS_URL_ENV, parse_config
from gateway.config_tables import LimitsConfig, RedisConfig
from gateway.errors import ConfigError
from gateway.observability.metrics import REDIS_DEGRADED, REDIS_FALLBACKS
from gateway.ratelimit import SharedBuckets
from gateway.registry import Registry
from gateway.testing import running
from gateway.upstream.redis_state import RedisState
from tests.support.backing import REDIS, redis_prefix
from tests.support.fakes import FakePlugin
from tests.support.servers import free_port
from tests.test_app import config_for
from tests.test_endpoint import COUNT, with_keys

pytestmark = pytest.mark.anyio

ADMIN = {"x-api-key": "admin-key-0123456789"}


@pytest.fixture
def prefix() -> Iterator[str]:
    with redis_prefix() as chosen:
        yield chosen


def settings(url: str, prefix: str, **overrides: float) -> RedisConfig:
    return RedisConfig(url=url, key_prefix=prefix, **overrides)


@contextlib.asynccontextmanager
async def started(config: RedisConfig) -> AsyncIterator[RedisState]:
    state = RedisState(config)
    await state.start()
    try:
        yield state
    finally:
        await state.close()


@contextlib.asynccontextmanager
async def two(prefix: str) -> AsyncIterator[tuple[RedisState, RedisState]]:
    """Two replicas' states on the same Redis and prefix."""
    async with started(settings(REDIS, prefix)) as a, started(settings(REDIS, prefix)) as b:
        await subscribed(a, b)
        yield a, b


async def until(condition: Callable[[], bool], within: float = 10) -> None:
    """Wait until ``condition`` holds: state the code under test keeps, with no event to wait on."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - the state under test offers no event
            await asyncio.sleep(0.01)


async def subscribed(*states: RedisState) -> None:
    """Wait until each state's subscription is made (it is made in the background after ``start``)."""
    await until(lambda: all(state._subscribed for state in states))


async def raw() -> Redis:
    return Redis.from_url(REDIS)


# --- token buckets ------------------------------------------------------------------------------------


async def test_a_bucket_is_one_bucket_across_two_replicas_and_other_prefixes_have_their_own(prefix: str) -> None:
    rate = 5 / 3600  # 5 an hour: no refill worth a token during the test
    async with two(prefix) as (a, b):
        waits = [await (a if n % 2 else b).take("principal:k", rate=rate, burst=5) for n in range(8)]
        assert waits[:5] == [0.0] * 5
        for wait in waits[5:]:  # a token in 720 s, less the little refilled meanwhile
            assert 700 < wait <= 720
        with redis_prefix() as other:
            async with started(settings(REDIS, other)) as c:
                assert await c.take("principal:k", rate=rate, burst=5) == 0.0


async def test_concurrent_takes_from_two_replicas_never_overdraw(prefix: str) -> None:
    async with two(prefix) as (a, b):
        waits = await asyncio.gather(
            *(state.take("upstream:acct:rate", rate=0.001, burst=10) for _ in range(30) for state in (a, b))
        )
        assert sum(wait == 0.0 for wait in waits) == 10
        assert all(wait > 0 for wait in waits if wait != 0.0)


async def test_a_bucket_refills_at_its_rate_and_expires_once_it_would_be_full(prefix: str) -> None:
    # 2 a second: a token every 500 ms, so the second take waits even when the machine is slow between the two
    # (at 20 a second, 50 ms between them on a loaded machine found the bucket refilled).
    async with two(prefix) as (a, b):
        assert await a.take("b", rate=2, burst=1) == 0.0
        wait = await b.take("b", rate=2, burst=1)
        assert 0 < wait <= 0.5
        await asyncio.sleep(wait + 0.05)
        assert await b.take("b", rate=2, burst=1) == 0.0
        client = await raw()
        async with client:
            ttl = await client.pttl(f"{prefix}b")
        # Refilled within 500 ms (1 token at 2/s), plus a second's slack: then gone, holding nothing.
        assert 0 < ttl <= 1500


async def test_a_bucket_that_never_refills_says_so(prefix: str) -> None:
    async with two(prefix) as (a, _):
        assert await a.take("never", rate=0, burst=1) == 0.0
        assert await a.take("never", rate=0, burst=1) == math.inf


async def test_the_rate_limiter_counts_across_replicas(prefix: str) -> None:
    async with two(prefix) as (a, b):
        limiters = [SharedBuckets(a, 3), SharedBuckets(b, 3)]
        answers = [await limiters[n % 2].acquire("billing-job") for n in range(5)]
        assert answers[:3] == [None, None, None]
        assert answers[3:] == [20, 20]  # 3 a minute: a token every 20 s
        assert await limiters[0].acquire("another-principal") is None


# --- values and claims ---------------------------------------------------------------------------------


async def test_a_value_put_by_one_replica_is_read_by_the_other_until_it_expires(prefix: str) -> None:
    async with two(prefix) as (a, b):
        await a.put("upstream:acct:cache:regions", b"\x00answer\xff", ttl=0.3)
        assert await b.get("upstream:acct:cache:regions") == b"\x00answer\xff"
        assert await b.get("upstream:acct:cache:other") is None
        await asyncio.sleep(0.4)
        assert await b.get("upstream:acct:cache:regions") is None


async def test_exactly_one_claim_wins_across_replicas_until_released_or_lapsed(prefix: str) -> None:
    async with two(prefix) as (a, b):
        won = await asyncio.gather(*(state.claim("flight:x", ttl=0.3) for _ in range(20) for state in (a, b)))
        assert sum(won) == 1
        await a.release("flight:x")
        assert await b.claim("flight:x", ttl=0.3) is True
        assert await a.claim("flight:x", ttl=0.3) is False
        await asyncio.sleep(0.4)  # nobody released it: the claim lapses
        assert await a.claim("flight:x", ttl=0.3) is True


# --- change notices ------------------------------------------------------------------------------------


async def test_a_put_or_release_in_one_replica_wakes_the_waiters_in_the_other(prefix: str) -> None:
    async with two(prefix) as (a, b):
        assert await a.claim("flight:y", ttl=30)
        assert not await b.claim("flight:y", ttl=30)
        waiting = asyncio.create_task(b.changed("flight:y"))
        elsewhere = asyncio.create_task(b.changed("flight:other"))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        await a.release("flight:y")
        await asyncio.wait_for(waiting, 5)
        assert not elsewhere.done()  # a change to another key wakes nobody here
        put_wait = asyncio.create_task(b.changed("flight:other"))
        await asyncio.sleep(0.05)
        await a.put("flight:other", b"v", ttl=30)
        await asyncio.wait_for(asyncio.gather(elsewhere, put_wait), 5)


async def test_a_change_between_the_waiters_look_and_its_wait_is_not_missed(prefix: str) -> None:
    async with two(prefix) as (a, b):
        assert await a.claim("flight:z", ttl=30)
        assert not await b.claim("flight:z", ttl=30)  # b looks: a holds it
        heard = b._changes
        await a.put("flight:z", b"answer", ttl=30)  # ... a finishes before b starts waiting
        await until(lambda: b._changes > heard)  # b's subscription has heard it, with nobody waiting yet
        await asyncio.wait_for(b.changed("flight:z"), 1)  # returns at once: no lost wake-up


async def test_a_change_heard_before_the_look_does_not_cut_the_wait_short(prefix: str) -> None:
    async with two(prefix) as (a, b):
        heard = b._changes
        await a.put("flight:w", b"old", ttl=30)
        await until(lambda: b._changes > heard)
        assert await b.get("flight:w") == b"old"  # the look comes after the change: it has seen it
        waiting = asyncio.create_task(b.changed("flight:w"))
        await asyncio.sleep(0.2)
        assert not waiting.done()  # no spurious wake-up: it waits for the next change
        await a.release("flight:w")
        await asyncio.wait_for(waiting, 5)


async def test_closing_ends_even_when_the_client_library_swallows_the_cancellation(
    prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """redis-py can swallow a task's cancellation while a subscription connects (redis/redis-py#2028 and
    kin; seen here as a close that never returned): the subscriber stops on a flag as well."""
    subscribe = PubSub.psubscribe

    async def swallowing(self: PubSub, *args: Any, **kwargs: Any) -> Any:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0.2)  # connecting, when the cancellation comes: lost
        return await subscribe(self, *args, **kwargs)

    monkeypatch.setattr(PubSub, "psubscribe", swallowing)
    state = RedisState(settings(REDIS, prefix))
    await state.start()
    await asyncio.sleep(0.05)
    async with asyncio.timeout(5):
        await state.close()


# --- Redis failing -------------------------------------------------------------------------------------


class Hung:
    """A Redis that accepts connections and their set-up (``HELLO``, ``CLIENT ...``) and then never answers a
    command; what it was sent is counted per command."""

    def __init__(self) -> None:
        self.commands: Counter[bytes] = Counter()
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"redis://127.0.0.1:{port}/0"

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while line := await reader.readline():  # RESP: *<n> then n bulk strings $<len>
                count = int(line[1:])
                args = []
                for _ in range(count):
                    size = int((await reader.readline())[1:])
                    args.append((await reader.readexactly(size + 2))[:-2])
                name = args[0].upper()
                self.commands[name] += 1
                if name == b"HELLO":  # RESP3, as redis-py asks
                    writer.write(b"%2\r\n+server\r\n+redis\r\n+proto\r\n:3\r\n")
                elif name == b"CLIENT":
                    writer.write(b"+OK\r\n")


class Proxy:
    """A TCP proxy to the real Redis that can be cut (connections dropped, new ones refused) and restored."""

    def __init__(self) -> None:
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host, port = REDIS.split("//")[1].split("/")[0].split(":")
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
        self._writers |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while chunk := await source.read(65536):
                    sink.write(chunk)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


def fallbacks(call: str) -> float:
    return REDIS_FALLBACKS.labels(call)._value.get()


def degraded() -> float:
    return REDIS_DEGRADED._value.get()


async def test_a_redis_nobody_listens_on_is_served_around_in_this_process(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="gateway.upstream.redis_state")
    before = fallbacks("take")
    async with started(settings(f"redis://127.0.0.1:{free_port()}/0", "p:", retry_seconds=60)) as state:
        assert not state.up  # the start is degraded, not failed
        assert degraded() == 1
        health = await state.health()
        assert health["ok"] is False
        assert health["error"]["code"] == "REDIS_UNAVAILABLE"
        # Rate limits: the process's own buckets.
        assert [await state.take("k", rate=0.001, burst=2) for _ in range(3)][:2] == [0.0, 0.0]
        assert await state.take("k", rate=0.001, burst=2) > 0
        # Caches and claims: the process's own memory.
        await state.put("v", b"x", ttl=30)
        assert await state.get("v") == b"x"
        assert await state.claim("c", ttl=30) is True
        assert await state.claim("c", ttl=30) is False
        waiting = asyncio.create_task(state.changed("c"))
        await asyncio.sleep(0)
        await state.release("c")
        await asyncio.wait_for(waiting, 5)
        assert fallbacks("take") - before == 4
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # one warning when it failed, not one per call
    assert "served from this process" in warnings[0].getMessage()


async def test_a_hung_redis_costs_one_timeout_then_is_left_alone_then_probed_by_one_call() -> None:
    hung = Hung()
    async with hung as url:
        config = settings(url, "p:", timeout_seconds=0.2, connect_timeout_seconds=0.2, retry_seconds=0.5)
        async with started(config) as state:
            assert not state.up  # start's PING got no answer in time
            assert hung.commands[b"PING"] == 1  # and was not sent again
            waits = await asyncio.gather(*(state.take("k", rate=1, burst=100) for _ in range(20)))
            assert waits == [0.0] * 20  # served here at once, without asking Redis
            assert hung.commands[b"EVALSHA"] == 0
            await asyncio.sleep(0.6)  # past retry_seconds: one call probes, the others are served here
            waits = await asyncio.gather(*(state.take("k", rate=1, burst=100) for _ in range(20)))
            assert waits == [0.0] * 20
            assert hung.commands[b"EVALSHA"] == 1
            assert not state.up


async def test_when_redis_comes_back_the_replicas_share_again(prefix: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gateway.upstream.redis_state")
    proxy = Proxy()
    await proxy.restore()
    config = settings(proxy.url, prefix, timeout_seconds=0.5, retry_seconds=0.3)
    try:
        async with started(config) as a, started(settings(REDIS, prefix)) as b:
            await subscribed(a, b)
            await b.put("shared", b"1", ttl=30)
            assert await a.get("shared") == b"1"
            waiting = asyncio.create_task(a.changed("flight:q"))
            await proxy.cut()
            assert await a.get("shared") is None  # Redis is gone: this process's own memory, empty
            assert not a.up
            assert degraded() == 1
            await asyncio.wait_for(waiting, 5)  # a waiter on Redis is told, and goes on in this process
            local_wait = asyncio.create_task(a.changed("flight:q"))
            await proxy.restore()
            await asyncio.sleep(0.4)  # past retry_seconds
            assert await a.get("shared") == b"1"  # shared again
            assert a.up
            assert degraded() == 0
            await asyncio.wait_for(local_wait, 5)  # those waiting in the process go on with Redis
            await subscribed(a)  # a new subscription, on a new connection
            waiting = asyncio.create_task(a.changed("flight:q"))
            await asyncio.sleep(0.05)
            await b.release("flight:q")
            await asyncio.wait_for(waiting, 5)
    finally:
        with contextlib.suppress(AssertionError):
            await proxy.cut()
    messages = [r.getMessage() for r in caplog.records]
    assert sum("Redis failed" in m for m in messages) == 1
    assert sum("Redis answers again" in m for m in messages) == 1


# --- in the app -----------------------------------------------------------------------------------------


async def test_two_apps_on_one_redis_share_requests_per_minute_and_readyz_reports_redis(prefix: str) -> None:
    config = replace(
        with_keys(config_for("one")),
        limits=LimitsConfig(requests_per_minute=4),
        redis=settings(REDIS, prefix),
    )
    async with (
        running(create_app(config, Registry([FakePlugin({"one": 5})]))) as a,
        running(create_app(config, Registry([FakePlugin({"one": 5})]))) as b,
    ):
        statuses = [
            (await client.post("/graphql", json={"query": COUNT}, headers=ADMIN)).status_code
            for client in (a, b, a, b, a, b)
        ]
        assert statuses == [200, 200, 200, 200, 429, 429]
        ready = await a.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["redis"] == {"ok": True}


async def test_with_redis_down_the_app_serves_limits_per_process_and_stays_ready() -> None:
    config = replace(
        with_keys(config_for("one")),
        limits=LimitsConfig(requests_per_minute=2),
        redis=settings(f"redis://127.0.0.1:{free_port()}/0", "p:", retry_seconds=60),
    )
    async with running(create_app(config, Registry([FakePlugin({"one": 5})]))) as client:
        statuses = [(await client.post("/graphql", json={"query": COUNT}, headers=ADMIN)).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]  # the limit still holds, counted in this process
        ready = await client.get("/readyz")
        assert ready.status_code == 200  # degraded, still serving: not taken out of service
        body = ready.json()
        assert body["status"] == "ready"
        assert body["redis"]["ok"] is False
        assert body["redis"]["error"]["code"] == "REDIS_UNAVAILABLE"


async def test_without_redis_readyz_says_nothing_of_it() -> None:
    async with running(create_app(config_for("one"), Registry([FakePlugin({"one": 5})]))) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert "redis" not in ready.json()


async def test_a_password_in_the_redis_url_is_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    config = replace(config_for("one"), redis=settings(f"redis://:s3cret-pw@127.0.0.1:{free_port()}/0", "p:"))
    async with running(create_app(config, Registry([FakePlugin({"one": 5})]))) as client:
        ready = await client.get("/readyz")
        assert ready.json()["redis"]["ok"] is False
        assert "s3cret-pw" not in ready.text
    assert caplog.records
    assert not [r for r in caplog.records if "s3cret-pw" in r.getMessage()]


# --- [redis] in the configuration --------------------------------------------------------------------------


def parsed(redis: object, environ: dict[str, str] | None = None) -> RedisConfig | None:
    table: dict[str, object] = {"redis": redis} if redis is not None else {}
    return parse_config(table, Registry.discover(), environ or {}).redis


def test_the_redis_table_is_read_with_its_defaults() -> None:
    assert parsed(None) is None  # no [redis]: each process keeps its own state
    config = parsed({"url": "redis://redis:6379/0"})
    assert config == RedisConfig(url="redis://redis:6379/0")
    assert (config.key_prefix, config.timeout_seconds, config.retry_seconds) == ("partner-gateway:", 0.5, 5.0)
    config = parsed({"url": "rediss://cache.internal:6380/2", "key_prefix": "gw-prod:", "timeout_seconds": 0.25})
    assert config is not None
    assert (config.key_prefix, config.timeout_seconds) == ("gw-prod:", 0.25)


def test_the_redis_url_from_the_environment_turns_redis_on_and_wins_over_the_file() -> None:
    secret = {REDIS_URL_ENV: "redis://:pw-from-a-secret@redis:6379/0"}
    assert parsed(None, secret) == RedisConfig(url=secret[REDIS_URL_ENV])
    config = parsed({"url": "redis://other:6379/0", "key_prefix": "gw:"}, secret)
    assert config == RedisConfig(url=secret[REDIS_URL_ENV], key_prefix="gw:")


@pytest.mark.parametrize(
    ("redis", "environ", "key", "problem"),
    [
        ({"url": "redis://:hunter2@redis:6379/0"}, {}, "redis.url", "must not hold a password"),
        ({"url": "redis://redis:6379/0?password=hunter2"}, {}, "redis.url", "must not hold a password"),
        ({"url": "http://redis:6379"}, {}, "redis.url", "redis://, rediss:// or unix://"),
        ({"url": "redis://"}, {}, "redis.url", "must name a host"),
        ({}, {}, "redis.url", f"is required (or set ${REDIS_URL_ENV})"),
        ({"url": "redis://r", "prefix": "x"}, {}, "redis.prefix", "unknown key"),
        ({"url": "redis://r", "timeout_seconds": 0}, {}, "redis.timeout_seconds", "greater than 0"),
        ({"url": "redis://r", "key_prefix": "a b"}, {}, "redis.key_prefix", "without spaces"),
        ({"url": "redis://r", "retry_seconds": "5"}, {}, "redis.retry_seconds", "must be a valid number"),
        ("redis://r", {}, "redis", "must be a table"),
        (None, {REDIS_URL_ENV: "localhost:6379"}, f"${REDIS_URL_ENV}", "redis://, rediss:// or unix://"),
    ],
)
def test_a_bad_redis_setting_names_its_key_and_never_echoes_a_password(
    redis: object, environ: dict[str, str], key: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as error:
        parsed(redis, environ)
    assert error.value.key == key
    assert problem in error.value.problem
    assert "hunter2" not in str(error.value)
