"""A store call runs to its end even when its caller is cancelled: the in-memory store (tests, the
embedded demo) has one connection, and a statement cut off half-way used to drop it and with it every
table; a file or PostgreSQL store would lose the write the call was making."""

from __future__ import annotations

import asyncio

import pytest

from gateway.store import MEMORY_URL, open_store
from tests.store.conftest import operation

pytestmark = pytest.mark.anyio


async def test_a_cancelled_caller_neither_empties_the_store_nor_loses_the_write() -> None:
    store = await open_store(MEMORY_URL)
    try:
        kept, _ = await store.claim_operation(operation("kept"))
        for attempt in range(20):  # cancel at different points of the call
            call = asyncio.ensure_future(store.claim_operation(operation(f"k{attempt}")))
            for _ in range(attempt):
                await asyncio.sleep(0)
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
        await asyncio.sleep(0.2)  # the shielded calls finish on their own
        assert await store.get_operation(kept.id) is not None  # the database is still the same one
        # Cancelled once it had started (attempt 0 never started): each write is there all the same.
        claimed = [await store.operation_by_key("finance", f"k{attempt}") for attempt in range(1, 20)]
        assert all(record is not None for record in claimed)  # every write the callers gave up on is there
    finally:
        await store.close()
