"""JSON as BSS speaks it: money as ``Decimal`` both ways, never through ``float``.

The official SDK sends bodies with ``simplejson.dumps(..., use_decimal=True)`` (CONTRACTS.md H.1) and
reads every JSON float as ``Decimal`` (CONTRACTS.md 0.2). ``dumps`` uses simplejson's default separators
(``", "`` and ``": "``), so the body of the H.2 POST test vector comes out byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

__all__ = ["dumps", "loads"]


def dumps(value: object) -> str:
    """Serialise ``value``; a ``Decimal`` becomes a JSON number, a ``float`` is refused."""
    if value is None or isinstance(value, (bool, str, int)):
        return json.dumps(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} cannot be sent as a JSON number")
        return str(value)
    if isinstance(value, float):
        raise TypeError("floats are not sent upstream; use Decimal for amounts")
    if isinstance(value, Mapping):
        members = (f"{json.dumps(str(key))}: {dumps(item)}" for key, item in value.items())
        return "{" + ", ".join(members) + "}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(dumps(item) for item in value) + "]"
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def loads(data: bytes | str) -> Any:
    """Parse JSON with every non-integer number as ``Decimal`` (raises ``ValueError`` if malformed)."""
    return json.loads(data, parse_float=Decimal)
