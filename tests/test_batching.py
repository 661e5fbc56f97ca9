"""gateway.batching.Memo: one request's identical calls made once, their callers' cancellation and a write's clear."""

from __future__ import annotations

import asyncio

import pytest

from gateway.batching import Memo

pytestmark = pytest.mark.anyio


class Calls:
    """A call that counts how often it was made, and waits for ``gate``."""

    def __init__(self) -> None:
        self.made = 0
        self.cancelled = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self) -> int:
        self.made += 1
        try:
            await self.gate.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        return self.made


async def test_callers_of_one_key_share_one_call_on_its_way_and_after() -> None:
    memo: Memo[str, int] = Memo()
    call = Calls()
    call.gate.clear()
    waiting = [asyncio.ensure_future(memo.get("page", call)) for _ in range(20)]
    await asyncio.sleep(0)
    call.gate.set()
    assert await asyncio.gather(*waiting) == [1] * 20
    assert await memo.get("page", call) == 1  # done: the same answer
    assert await memo.get("other", call) == 2  # another key: its own call
    assert call.made == 2


async def test_a_failure_is_every_callers_and_a_clear_calls_again() -> None:
    memo: Memo[str, int] = Memo()
    made = []

    async def failing() -> int:
        made.append(1)
        raise LookupError("upstream said no")

    for _ in range(3):
        with pytest.raises(LookupError):
            await memo.get("page", failing)
    assert len(made) == 1
    memo.clear()  # a write: what is read after it is read anew
    with pytest.raises(LookupError):
        await memo.get("page", failing)
    assert len(made) == 2


async def test_the_call_goes_on_while_a_caller_waits_and_stops_when_the_last_goes() -> None:
    memo: Memo[str, int] = Memo()
    call = Calls()
    call.gate.clear()
    first, second = (asyncio.ensure_future(memo.get("page", call)) for _ in range(2))
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.sleep(0)
    assert call.cancelled == 0  # the second caller still waits for it
    second.cancel()
    await asyncio.gather(first, second, return_exceptions=True)
    await asyncio.sleep(0)
    assert call.cancelled == 1  # nobody waits: not left running
    call.gate.set()
    assert await memo.get("page", call) == 2  # a later caller makes the call anew
