"""What an upstream request is, as its adapter tags it: ``client.build_request(..., extensions=tag(...))``.

The transport layers (``gateway.upstream``) read the tag: metrics and spans name the operation, only reads
are shared or cached, and ``cache_seconds`` says how long an answer may be served again (``funds``: as long as
the account's ``[upstream] funds_cache_seconds`` says).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

__all__ = ["EXTENSION", "UpstreamCall", "call_of", "tag"]

#: The ``httpx.Request.extensions`` key that carries the ``UpstreamCall``.
EXTENSION = "partner_gateway.call"


@dataclass(frozen=True, slots=True)
class UpstreamCall:
    operation: str
    """The upstream's own name for it (an Aliyun action, a Huawei SDK method)."""
    idempotent: bool
    """A read: repeating or sharing it changes nothing upstream."""
    cache_seconds: float = 0.0
    """How long its answer may be served to other callers (slow-changing reads only; 0: never)."""
    funds: bool = False
    """A read of customers' money figures (balances, credit lines): its answer is served again for the account's
    ``[upstream] funds_cache_seconds``, a lifetime the operator chooses, unless ``cache_seconds`` gives one."""


def tag(operation: str, *, idempotent: bool, cache_seconds: float = 0.0, funds: bool = False) -> dict[str, object]:
    """The ``extensions`` to build a request with."""
    return {EXTENSION: UpstreamCall(operation, idempotent, cache_seconds, funds)}


def call_of(request: httpx.Request) -> UpstreamCall:
    """The request's tag; an untagged request is named by its method and path, and is not a read."""
    call = request.extensions.get(EXTENSION)
    if isinstance(call, UpstreamCall):
        return call
    return UpstreamCall(f"{request.method} {request.url.path}", idempotent=False)
