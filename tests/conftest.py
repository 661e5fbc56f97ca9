from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (the anyio pytest plug-in ships with anyio, an httpx dependency)."""
    return "asyncio"
