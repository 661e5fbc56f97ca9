"""Helpers for comparing whole GraphQL answers."""

from __future__ import annotations

from typing import Any

__all__ = ["without_cost"]


def without_cost(body: Any) -> Any:
    """``body`` without ``extensions.cost`` (and without ``extensions`` if nothing else is in it): every answer
    reports its cost (``gateway.schema.limits``), which tests of other things need not spell out."""
    if not isinstance(body, dict) or not isinstance(body.get("extensions"), dict):
        return body
    extensions = {k: v for k, v in body["extensions"].items() if k != "cost"}
    rest = {k: v for k, v in body.items() if k != "extensions"}
    return {**rest, "extensions": extensions} if extensions else rest
