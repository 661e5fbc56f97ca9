"""Store failures as one typed error: whatever SQLAlchemy or a driver raises because the database cannot be
reached, read or written becomes ``StoreUnavailable`` (``STORE_UNAVAILABLE``), raised from the original.

The message keeps the driver's own words (``attempt to write a readonly database``, ``Connect call
failed``), never the SQL or its parameters, and never the password of the store's URL.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from urllib.parse import quote, quote_plus

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL

from gateway.errors import StoreUnavailable

__all__ = ["FAILURES", "Failures"]

log = logging.getLogger("gateway.store")

#: What a database that cannot be used raises. SQLAlchemy wraps the drivers' errors (asyncpg's included) in
#: ``DBAPIError`` (``OperationalError``: SQLite's read-only, locked or missing file); a refused or timed-out connection
#: surfaces as ``OSError`` (``ConnectionRefusedError``, ``TimeoutError``); the pool's own timeout is
#: SQLAlchemy's ``TimeoutError``.
FAILURES: tuple[type[BaseException], ...] = (
    sa_exc.DBAPIError,
    sa_exc.TimeoutError,
    sa_exc.DisconnectionError,
    OSError,
    sqlite3.Error,
)


class Failures:
    """Translates the failures of one store (whose URL's password it keeps out of every message)."""

    def __init__(self, url: URL) -> None:
        password = url.password
        self._secrets = (
            sorted({password, quote(password, safe=""), quote_plus(password)}, key=len, reverse=True)
            if password
            else []
        )

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def unavailable(self, exc: BaseException) -> StoreUnavailable:
        return StoreUnavailable(f"the gateway's store cannot be used: {self.scrub(_detail(exc))}")

    @contextlib.contextmanager
    def translated(self, doing: str, *, report: bool = True) -> Iterator[None]:
        """Raise ``StoreUnavailable`` from any failure of the database while ``doing`` (a method's name);
        ``report``: log it too (an incident while serving, which GraphQL answers do not log)."""
        try:
            yield
        except FAILURES as exc:
            error = self.unavailable(exc)
            if report:
                log.error("store: %s failed: %s", doing, error.message)
            raise error from exc


def _detail(exc: BaseException) -> str:
    original = exc.orig if isinstance(exc, sa_exc.DBAPIError) and exc.orig is not None else exc
    if isinstance(original, TimeoutError) and not str(original):
        return "no answer in time (TimeoutError)"
    text = str(original).strip().splitlines()[0] if str(original).strip() else ""
    return f"{text} ({type(original).__name__})" if text else type(original).__name__
