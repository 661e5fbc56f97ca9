"""What the gateway's logs may never show: credentials sent where they do not belong.

A client that puts its key in the URL (``?api_key=...``, ``?access_token=...``) is refused, but the
server's access log would still write the full URL. ``RedactQueryCredentials`` rewrites such values to
``***`` in uvicorn's access-log records before any handler formats them.
"""

from __future__ import annotations

import logging
import re

__all__ = ["RedactQueryCredentials", "install", "redact_url"]

#: Query parameters that carry credentials in the wild (OAuth, API gateways, our own key names), and any name
#: ending in secret or token (e.g. the Aliyun OSS ``OssAccessKeySecret`` / ``OssSecurityToken``, A.8).
_SENSITIVE = re.compile(
    r"(?i)([?&](?:api[_-]?key|apikey|key|token|access[_-]?token|id[_-]?token|auth|authorization|secret|"
    r"password|passwd|signature|sig|code|\w*secret|\w*token)=)[^&#\s]*"
)


def redact_url(url: str) -> str:
    """``/graphql?api_key=pgw_x&first=2`` -> ``/graphql?api_key=***&first=2``."""
    return _SENSITIVE.sub(r"\1***", url)


class RedactQueryCredentials(logging.Filter):
    """For uvicorn's access log, whose record args are (client, method, path with query, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_url(args[2]), *args[3:])
        return True


def install() -> None:
    """Put the filter on uvicorn's access logger (before ``uvicorn.run``; its logging set-up keeps it)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactQueryCredentials) for f in access.filters):
        access.addFilter(RedactQueryCredentials())
