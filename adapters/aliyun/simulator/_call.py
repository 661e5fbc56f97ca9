"""What an operation handler gets, and helpers to read its parameters."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.aliyun.simulator._responses import BusinessError, GatewayRefusal
from adapters.aliyun.simulator._state import EndAccount, PartnerState, SimulatorState

__all__ = [
    "Call",
    "Handler",
    "decimal_param",
    "indexed_list",
    "optional_int",
    "own_account",
    "paged",
    "require_distributor",
    "required_int",
    "required_str",
]


@dataclass(frozen=True, slots=True)
class Call:
    """One verified operation call: the caller's partner data and its decoded parameters."""

    state: SimulatorState
    partner: PartnerState
    action: str
    version: str
    params: Mapping[str, str]
    request_id: str
    base_url: str = ""
    """Where the simulator was reached (``http://host:port``): the bill download links point there."""

    def text(self, name: str) -> str:
        return self.params.get(name, "").strip()

    def applied(self) -> None:
        """Record that this write changed the state (fault-injection tests count these)."""
        self.partner.journal.append((self.action, self.request_id))


#: An operation: returns the HTTP 200 body (without RequestId), or raises ``BusinessError`` or
#: ``GatewayRefusal``.
Handler = Callable[[Call], dict[str, Any]]


def _invalid(name: str) -> GatewayRefusal:
    return GatewayRefusal(400, "InvalidParameter", f"Specified parameter {name} is not valid.")


def _missing(name: str) -> GatewayRefusal:
    # The POP gateway checks required parameters before the operation runs (``Missing<Name>``:
    # "<Name> is mandatory for this action."; inferred naming, see _auth.py).
    return GatewayRefusal(400, f"Missing{name}", f"{name} is mandatory for this action.")


def required_int(call: Call, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """A required integer parameter (a 400 refusal when absent or not an integer)."""
    value = optional_int(call, name, low=low, high=high)
    if value is None:
        raise _missing(name)
    return value


def optional_int(call: Call, name: str, *, low: int | None = None, high: int | None = None) -> int | None:
    raw = call.text(name)
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise _invalid(name) from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise _invalid(name)
    return value


def required_str(call: Call, name: str) -> str:
    value = call.text(name)
    if not value:
        raise _missing(name)
    return value


def decimal_param(call: Call, name: str, code: str, what: str) -> Decimal:
    """A required amount sent as a decimal string (SetCreditLine ``CreditLine``, A.4.7): non-negative,
    at most two decimals; otherwise the operation's own business code (e.g. 3041)."""
    raw = call.text(name)
    if not raw:
        raise _missing(name)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise BusinessError(code, what) from None
    if not value.is_finite() or value < 0 or value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise BusinessError(code, what)
    return value.quantize(Decimal("0.01"))


_INDEXED = re.compile(r"^(?P<list>\w+)\.(?P<n>\d+)\.(?P<field>\w+)$")


def indexed_list(call: Call, name: str) -> list[dict[str, str]]:
    """``Name.1.Field``, ``Name.2.Field``... (A.2.2, 1-based) as a list of dicts, in index order."""
    rows: dict[int, dict[str, str]] = {}
    for key, value in call.params.items():
        match = _INDEXED.match(key)
        if match and match["list"] == name:
            rows.setdefault(int(match["n"]), {})[match["field"]] = value.strip()
    if rows and (min(rows) < 1 or sorted(rows) != list(range(1, len(rows) + 1))):
        raise _invalid(name)
    return [rows[index] for index in sorted(rows)]


def own_account(call: Call, uid: int | None) -> EndAccount:
    """The caller's sub-account ``uid``; 3029 "Invalid UID" (A.4.3) for anyone else's or nobody's."""
    account = call.partner.account(uid) if uid is not None else None
    if account is None:
        raise BusinessError("3029", "Invalid UID.")
    return account


def require_distributor(call: Call) -> None:
    """Operations on T2 partners are a distributor's (DOMAIN.md; X.3). Simulator-chosen code."""
    if not call.partner.is_distributor:
        raise BusinessError(
            "Forbidden.NotDistributor", "Only a distributor partner may call this operation.", http_status=403
        )


def paged(items: list[Any], page: int, size: int) -> list[Any]:
    return items[(page - 1) * size : page * size]
