"""What an operation handler gets, and helpers to read its parameters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from adapters.aliyun.simulator._responses import GatewayRefusal
from adapters.aliyun.simulator._state import PartnerState, SimulatorState

__all__ = ["Call", "Handler", "optional_int", "required_int"]


@dataclass(frozen=True, slots=True)
class Call:
    """One verified operation call: the caller's partner data and its decoded parameters."""

    state: SimulatorState
    partner: PartnerState
    action: str
    version: str
    params: Mapping[str, str]
    request_id: str


#: An operation: returns the HTTP 200 body (without RequestId), or raises ``BusinessError`` or
#: ``GatewayRefusal``.
Handler = Callable[[Call], dict[str, Any]]


def _invalid(name: str) -> GatewayRefusal:
    return GatewayRefusal(400, "InvalidParameter", f"Specified parameter {name} is not valid.")


def required_int(call: Call, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """A required integer parameter. The POP gateway checks these before the operation runs
    (``Missing<Name>``: "<Name> is mandatory for this action."; inferred naming, see _auth.py)."""
    value = optional_int(call, name, low=low, high=high)
    if value is None:
        raise GatewayRefusal(400, f"Missing{name}", f"{name} is mandatory for this action.")
    return value


def optional_int(call: Call, name: str, *, low: int | None = None, high: int | None = None) -> int | None:
    raw = call.params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise _invalid(name) from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise _invalid(name)
    return value
