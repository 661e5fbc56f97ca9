"""A stand-in for ``asyncio.sleep`` in retry tests: returns at once and remembers what it was asked."""

from __future__ import annotations

__all__ = ["Sleeps"]


class Sleeps:
    """Pass as a provider's or client's ``sleep``: the retry waits are recorded, not slept."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
