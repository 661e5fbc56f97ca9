"""``SharedState`` in Redis, so that several gateway processes count, cache and single-flight together
(``[redis]``, ``gateway.config_tables.RedisConfig``).

Every key and channel starts with ``[redis] key_prefix``: gateways with the same prefix share their state,
others (another deployment, a test) share only the server.

* Token buckets (``take``): a hash ``{tokens, at}`` per bucket, refilled and taken from by one Lua script on
  the server's clock (atomic across replicas; replicas with skewed clocks count alike). A bucket expires
  once it would be full again, so idle principals and accounts cost nothing.
* Values (``get``/``put``): strings with a PX expiry. Claims: ``SET NX PX`` (exactly one caller among all
  replicas gets it; it lapses unless released); ``release``: ``DEL``.
* ``changed``: ``put`` and ``release`` PUBLISH on a channel named like the key; each process holds one
  pattern subscription to its prefix and wakes its own waiters (no keyspace notifications to configure).

**Redis failing does not take the gateway down.** Every replica shares the one Redis, so a Redis outage
must not become a gateway outage: a call that fails, or does not answer within ``timeout_seconds``, is
served by an in-process ``LocalState`` instead, and Redis is left alone for ``retry_seconds``, then tried
again with a single call. Meanwhile each replica is on its own: rate limits are counted per process (each
replica allows the whole limit, so at most replicas times the limit overall), reads are cached and
single-flighted per process (more upstream reads, never a wrong answer: only reads are shared). Writes do
not depend on Redis: idempotency and one write per target are held by the store (PostgreSQL). Both
transitions are logged (a warning when Redis fails, info when it is back) and measured
(``partner_gateway_redis_degraded``, ``partner_gateway_redis_fallbacks{call}``); ``/readyz`` reports it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import math
import re
import time
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError, RedisError

from gateway.config_tables import RedisConfig
from gateway.observability.metrics import REDIS_DEGRADED, REDIS_FALLBACKS
from gateway.upstream.shared import LocalState

__all__ = ["RedisState"]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: One token bucket step, atomic: refill by the time passed on the server's clock, take one if there is
#: one. The reply is the wait in seconds ("0": taken; "-1": never, a bucket that does not refill), as a
#: string because Lua numbers come back as integers.
_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local tokens = burst
local held = redis.call('HMGET', KEYS[1], 'tokens', 'at')
if held[1] and held[2] then
  tokens = math.min(burst, tonumber(held[1]) + math.max(0, now - tonumber(held[2])) * rate)
end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
elseif rate > 0 then
  wait = (1 - tokens) / rate
else
  wait = -1
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%.17g', now))
if rate > 0 then
  redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
end
return string.format('%.17g', wait)
"""

#: How long the subscriber waits for a message before looking again: it notices it is to stop then, at the
#: latest (redis-py can swallow a task's cancellation while it connects: redis/redis-py#2028 and kin).
LISTEN_POLL = 0.5
#: Changes remembered per process (key -> when heard), for ``changed``'s check; the oldest are forgotten.
HEARD_MAX = 10_000
#: Keys a task remembers having asked about (``_ASKED``).
ASKED_MAX = 16

#: Per task (context): Redis key -> the change count of this process when the task last asked Redis about it.
_ASKED: contextvars.ContextVar[dict[str, int] | None] = contextvars.ContextVar("redis_state_asked", default=None)


class RedisState:
    """``SharedState`` over Redis (redis-py's asyncio client), served in this process while Redis fails.

    ``start`` connects (a Redis that does not answer then is a degraded start, not a failed one), ``close``
    disconnects. ``health`` is for ``/readyz``.
    """

    def __init__(self, config: RedisConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self._clock = clock
        self._prefix = config.key_prefix
        self._pattern = re.sub(r"([*?\[\]\\])", r"\\\1", self._prefix) + "*"
        self._budget = config.connect_timeout_seconds + config.timeout_seconds
        self._redis: Redis | None = None
        self._take: Any = None
        self._local = LocalState()
        self._local_waits: Counter[str] = Counter()
        self._listener: tuple[asyncio.Task[None], asyncio.Event] | None = None
        self._subscribed = False
        self._waiters: dict[str, set[asyncio.Future[None]]] = {}
        self._heard: OrderedDict[str, int] = OrderedDict()
        self._changes = 0
        """Changes heard by this process so far (a sequence, not a clock: see ``changed``)."""
        self._subscribed_at = 0
        """``_changes`` when the subscription was last made: changes before it may have gone unheard."""
        self._down_at: float | None = None
        self._retry_at = 0.0
        self._probing = False

    # --- lifecycle ----------------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect and subscribe. A Redis that does not answer is logged, and the state serves from this
        process until Redis answers (tried every ``retry_seconds``)."""
        self._redis = Redis.from_url(
            self.config.url,
            socket_connect_timeout=self.config.connect_timeout_seconds,
            socket_timeout=self.config.timeout_seconds,
            # One immediate retry on a fresh connection when a pooled one was closed (Redis restarted); none
            # after a timeout, and no backoff: a call is bounded by its budget, then served here instead.
            retry=Retry(NoBackoff(), 1, supported_errors=(ConnectionError,)),
            client_name="partner-gateway",
        )
        self._take = self._redis.register_script(_TAKE)
        await self.health()
        self._start_listener()

    async def close(self) -> None:
        await self._stop_listener()
        self._wake_all()
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None
        await self._local.close()
        REDIS_DEGRADED.set(0)

    @property
    def up(self) -> bool:
        """Whether calls go to Redis now (False: served in this process until Redis answers again)."""
        return self._down_at is None

    async def health(self) -> dict[str, Any]:
        """Redis answers a PING in time: ``{"ok": true}``, else why not and that this process serves alone."""
        redis = self._client()
        try:
            async with asyncio.timeout(self._budget):
                await redis.ping()
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed(exc)
            return {
                "ok": False,
                "error": {"message": f"Redis did not answer: {_describe(exc)}", "code": "REDIS_UNAVAILABLE"},
                "serving": "in-process: rate limits per replica, caches and single flight per replica",
            }
        REDIS_DEGRADED.set(0)
        await self._recovered()
        return {"ok": True}

    # --- SharedState --------------------------------------------------------------------------------

    async def take(self, key: str, *, rate: float, burst: float) -> float:
        async def remote(redis: Redis) -> float:
            wait = float(await self._take(keys=[self._prefix + key], args=[repr(rate), repr(burst)], client=redis))
            return math.inf if wait < 0 else wait

        return await self._shared("take", remote, lambda: self._local.take(key, rate=rate, burst=burst))

    async def get(self, key: str) -> bytes | None:
        async def remote(redis: Redis) -> bytes | None:
            name = self._asked(key)
            value = await redis.get(name)
            return value.encode() if isinstance(value, str) else value

        return await self._shared("get", remote, lambda: self._local.get(key))

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        async def remote(redis: Redis) -> None:
            name = self._prefix + key
            async with redis.pipeline(transaction=False) as pipe:
                if ttl > 0:
                    pipe.set(name, value, px=_milliseconds(ttl))
                else:
                    pipe.delete(name)
                pipe.publish(name, b"put")
                await pipe.execute()

        await self._shared("put", remote, lambda: self._local.put(key, value, ttl))

    async def claim(self, key: str, ttl: float) -> bool:
        async def remote(redis: Redis) -> bool:
            name = self._asked(key)
            return bool(await redis.set(name, b"", nx=True, px=_milliseconds(ttl)))

        return await self._shared("claim", remote, lambda: self._local.claim(key, ttl))

    async def release(self, key: str) -> None:
        async def remote(redis: Redis) -> None:
            name = self._prefix + key
            async with redis.pipeline(transaction=False) as pipe:
                pipe.delete(name)
                pipe.publish(name, b"released")
                await pipe.execute()

        await self._shared("release", remote, lambda: self._local.release(key))

    async def changed(self, key: str) -> None:
        """Wait until ``key`` is put or released by any replica.

        A change can land between the caller's last look (``get``/``claim``) and this call, its message
        heard before there was a waiter to wake. So a task's looks are numbered against the changes this
        process has heard (``_ASKED``): a change heard after the caller last asked about ``key`` returns at
        once (it may be news to the caller: at worst a spurious wake-up, which callers re-check anyway),
        one heard before is already in what the caller saw. While the subscription is lost nothing is heard:
        a caller that asked before it was made again returns at once too. Every waiter is woken whenever the
        subscription is made or lost, and when Redis fails (then the caller goes on in this process).
        """
        if not self.up:
            REDIS_FALLBACKS.labels("changed").inc()
            self._local_waits[key] += 1
            try:
                await self._local.changed(key)
            finally:
                self._local_waits[key] -= 1
                if self._local_waits[key] <= 0:
                    del self._local_waits[key]
            return
        name = self._prefix + key
        asked = (_ASKED.get() or {}).get(name)
        if asked is not None and (self._heard.get(name, -1) > asked or self._subscribed_at > asked):
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(name, set()).add(future)
        try:
            await future
        finally:
            waiting = self._waiters.get(name)
            if waiting is not None:
                waiting.discard(future)
                if not waiting:
                    del self._waiters[name]

    # --- Redis or this process ----------------------------------------------------------------------

    def _client(self) -> Redis:
        if self._redis is None:
            raise RuntimeError("RedisState.start() was not called, or close() was")
        return self._redis

    async def _shared(self, call: str, remote: Callable[[Redis], Awaitable[T]], local: Callable[[], Awaitable[T]]) -> T:
        """``remote`` on Redis while it answers, else ``local`` (this process's memory)."""
        redis = self._client()
        if self._try_redis():
            try:
                async with asyncio.timeout(self._budget):
                    result = await remote(redis)
            except (RedisError, OSError, TimeoutError) as exc:
                self._failed(exc)
            else:
                await self._recovered()
                return result
            finally:
                self._probing = False
        REDIS_FALLBACKS.labels(call).inc()
        return await local()

    def _try_redis(self) -> bool:
        """Up: yes. Down: only once ``retry_seconds`` have passed, and then for one call at a time."""
        if self._down_at is None:
            return True
        if self._probing or self._clock() < self._retry_at:
            return False
        self._probing = True
        return True

    def _failed(self, exc: BaseException) -> None:
        now = self._clock()
        self._retry_at = now + self.config.retry_seconds
        if self._down_at is not None:
            return
        self._down_at = now
        REDIS_DEGRADED.set(1)
        log.warning(
            "Redis failed (%s): rate limits, caches and single flight are served from this process's memory "
            "(each replica on its own) until it answers; trying again in %g s",
            _describe(exc),
            self.config.retry_seconds,
        )
        self._wake_all()  # those waiting on Redis go on in this process

    async def _recovered(self) -> None:
        if self._down_at is None:
            return
        REDIS_DEGRADED.set(0)
        log.info(
            "Redis answers again after %.1f s: state is shared across replicas again", self._clock() - self._down_at
        )
        self._down_at = None
        for key in list(self._local_waits):
            await self._local.release(key)  # wakes those waiting in this process: they go on with Redis
        if self._listener is not None:
            # The subscription may sit on a connection that died silently: make a new one.
            await self._stop_listener()
            self._start_listener()

    # --- change notices ------------------------------------------------------------------------------

    def _asked(self, key: str) -> str:
        """Note that this task asks Redis about ``key`` now (see ``changed``); the Redis key."""
        name = self._prefix + key
        asked = dict(_ASKED.get() or {})
        asked.pop(name, None)
        asked[name] = self._changes
        while len(asked) > ASKED_MAX:
            del asked[next(iter(asked))]
        _ASKED.set(asked)
        return name

    async def _listen(self, stop: asyncio.Event) -> None:
        """Hold the pattern subscription and wake the waiters of each change heard; wake all of them whenever
        the subscription is made or lost (a change may have gone unheard in between). Ends when ``stop`` is
        set, also if the cancellation that goes with it was lost."""
        while not stop.is_set():
            pubsub = self._client().pubsub()
            try:
                await pubsub.psubscribe(self._pattern)
                while not stop.is_set():
                    message = await pubsub.get_message(timeout=LISTEN_POLL)
                    if message is None:
                        continue
                    if message["type"] == "psubscribe":
                        self._subscribed = True
                        self._changes += 1
                        self._subscribed_at = self._changes
                        self._wake_all()
                    elif message["type"] == "pmessage":
                        self._heard_change(message["channel"].decode("utf-8", "replace"))
            except (RedisError, OSError) as exc:
                log.debug("Redis subscription lost: %s", _describe(exc))
            finally:
                self._subscribed = False
                self._wake_all()
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(1.0, self.config.retry_seconds)):
                    await stop.wait()

    def _heard_change(self, name: str) -> None:
        self._changes += 1
        self._heard[name] = self._changes
        self._heard.move_to_end(name)
        while len(self._heard) > HEARD_MAX:
            self._heard.popitem(last=False)
        for future in self._waiters.pop(name, ()):
            if not future.done():
                future.set_result(None)

    def _wake_all(self) -> None:
        waiters, self._waiters = self._waiters, {}
        for futures in waiters.values():
            for future in futures:
                if not future.done():
                    future.set_result(None)

    def _start_listener(self) -> None:
        stop = asyncio.Event()
        self._listener = (asyncio.create_task(self._listen(stop), name="redis-state-listener"), stop)

    async def _stop_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            task, stop = listener
            stop.set()
            task.cancel()
            await asyncio.wait([task])  # not ``await task``: a cancellation of the caller's own must go through


def _milliseconds(seconds: float) -> int:
    return max(1, math.ceil(seconds * 1000))


def _describe(exc: BaseException) -> str:
    """The error's kind and message: redis-py names the host and port, never the password."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
