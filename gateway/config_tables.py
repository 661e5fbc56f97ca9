"""The configuration's plain tables, declared as pydantic models.

A table is a model: its keys, their types and bounds, in one place. ``parse_table`` turns the first
validation failure into a ``ConfigError`` that names the key as the file spells it
(``upstream.timeout_seconds: ...``), like every other configuration error. Tables whose shape depends
on the installed plug-ins (``[[accounts]]``: roles, settings, credentials) are read by ``gateway.config``.

pydantic, because the configuration grows by a table per feature (limits, sign-in, CORS, notifications):
declaring each beats hand-written checks, and its errors carry the path of the offending key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gateway.errors import ConfigError

__all__ = ["Table", "UpstreamConfig", "WritesConfig", "parse_table"]


class Table(BaseModel):
    """A configuration table: unknown keys are errors, values are taken as written (no "15" for 15)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class UpstreamConfig(Table):
    """``[upstream]``: how long the gateway waits for a cloud."""

    timeout_seconds: float = Field(15.0, gt=0, le=600)
    """For each read of the answer (and each write of the request): past it the call fails, and a write's
    outcome is unknown."""
    connect_timeout_seconds: float = Field(5.0, gt=0, le=600)
    """For opening a connection: past it nothing was sent."""


class WritesConfig(Table):
    """``[writes]``: how unknown outcomes are settled."""

    settle_seconds: float = Field(120.0, ge=0, le=86_400)
    """How long a request, once sent, may take to land upstream. A write whose outcome is unknown stays
    pending while the upstream's records show nothing, until ``attempt_seconds + settle_seconds`` after it
    started; only then may the gateway conclude "not applied" and let the same key try again. It must
    exceed the upstream timeout."""
    attempt_seconds: float = Field(60.0, gt=0, le=3_600)
    """How long one attempt of a write may go on (the adapter retries a request the upstream refused or
    that never left): it is cut off then, so its last request went out within this time."""


T = TypeVar("T", bound=Table)


def parse_table(model: type[T], raw: object, key: str) -> T:
    """``raw`` (the TOML table at ``key``, ``{}`` when absent) as ``model``, or a ``ConfigError`` at the key."""
    if not isinstance(raw, Mapping):
        raise ConfigError(key, "must be a table")
    try:
        return model.model_validate(dict(raw))
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        raise ConfigError(_path(key, error["loc"]), _problem(error)) from None


def _path(key: str, loc: tuple[int | str, ...]) -> str:
    path = key
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _problem(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key"
    message = str(error["msg"])
    message = message[0].lower() + message[1:] if message else "is invalid"
    # Never echo a value: it may be a secret pasted into the wrong key.
    return message.replace("Input should be", "must be").replace("input should be", "must be")
