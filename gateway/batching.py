"""Per-request batching: keys asked for in the same turn of the event loop are loaded in one call.

A page of 100 customers asks for 100 balances one field at a time; ``Batcher`` collects those keys and
hands them to one batch function once the resolvers of that turn have all asked, then caches each
answer for the rest of the request. A write clears the cache, so what is read after it is read anew.
The batch function answers each key with its value or with the exception that key failed with, so one
failed key fails only the field that asked for it.

``Memo`` does the same for calls that are not batched, such as a page of a list: twenty customers that each
ask for their partner's first five customers make one call, which the other nineteen await (on its way or
done), and a write clears it too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

__all__ = ["BatchLoad", "Batcher", "Memo"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: Loads many keys at once: one value or exception per key, in the keys' order.
BatchLoad = Callable[[Sequence[K]], Awaitable[Sequence[V | BaseException]]]


class Batcher(Generic[K, V]):
    """Loads keys in batches and remembers the answers for one request."""

    def __init__(self, load: BatchLoad[K, V]) -> None:
        self._load = load
        self._cache: dict[K, asyncio.Future[V]] = {}
        self._queue: list[tuple[K, asyncio.Future[V]]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def load(self, key: K) -> asyncio.Future[V]:
        """The value for ``key``: from this request's cache, or from the next batch."""
        future = self._cache.get(key)
        if future is None:
            loop = asyncio.get_running_loop()
            future = loop.create_future()
            self._cache[key] = future
            if not self._queue:
                loop.call_soon(self._dispatch)  # after every resolver of this turn has asked
            self._queue.append((key, future))
        return future

    async def load_many(self, keys: Sequence[K]) -> list[V]:
        """The values for ``keys``, in order; the first failure raises (after every key has answered)."""
        answers = await asyncio.gather(*(self.load(key) for key in keys), return_exceptions=True)
        for answer in answers:
            if isinstance(answer, BaseException):
                raise answer
        return answers  # type: ignore[return-value]  # no exceptions left

    def clear(self) -> None:
        """Forget every answer: the next load of any key asks again."""
        self._cache.clear()

    def _dispatch(self) -> None:
        batch, self._queue = self._queue, []
        task = asyncio.ensure_future(self._run(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, batch: list[tuple[K, asyncio.Future[V]]]) -> None:
        try:
            values = await self._load([key for key, _ in batch])
            if len(values) != len(batch):
                raise RuntimeError(f"a batch load answered {len(values)} values for {len(batch)} keys")
        except Exception as exc:  # the whole batch failed: every key fails with it
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        except BaseException:  # cancelled: so are the keys waiting for it
            for _, future in batch:
                future.cancel()
            raise
        for (_, future), value in zip(batch, values, strict=True):
            if future.done():
                continue
            if isinstance(value, BaseException):
                future.set_exception(value)
            else:
                future.set_result(value)


class Memo(Generic[K, V]):
    """One request's identical calls made once: the first caller's call, awaited by every caller of its key."""

    def __init__(self) -> None:
        self._calls: dict[K, _Call[V]] = {}

    async def get(self, key: K, call: Callable[[], Awaitable[V]]) -> V:
        """The answer of ``call`` for ``key``: made now if no caller of this request made it yet (since the last
        ``clear``), else the one made, done or on its way, with its value or its error. A caller that goes
        (cancelled) leaves the call running for the others; the last one to go cancels it."""
        entry = self._calls.get(key)
        if entry is None or entry.future.cancelled():
            entry = self._calls[key] = _Call(asyncio.ensure_future(call()))
        entry.waiting += 1
        try:
            return await asyncio.shield(entry.future)
        except asyncio.CancelledError:
            if entry.waiting == 1:
                entry.future.cancel()  # nobody waits for it any more: it is not left running
                if self._calls.get(key) is entry:
                    del self._calls[key]
            raise
        finally:
            entry.waiting -= 1

    def clear(self) -> None:
        """Forget every call: the next ``get`` of any key calls again."""
        self._calls.clear()


class _Call(Generic[V]):
    def __init__(self, future: asyncio.Future[V]) -> None:
        self.future = future
        self.waiting = 0
        future.add_done_callback(_retrieved)


def _retrieved(future: asyncio.Future[Any]) -> None:
    """A call whose callers all went fails no one: its error is not "never retrieved"."""
    if not future.cancelled():
        future.exception()
