"""``extra`` as a JSON value: decimals and datetimes become strings, so money never becomes a float."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["jsonable"]

# strawberry.scalars.JSON is typed as a NewType of object; the JSON fields take any JSON-able value.

#: The exact types met on every row, checked before the ABC checks below (slow on a hundred rows' fields).
_AS_IS = frozenset({str, int, bool, type(None)})
_MAPPINGS = frozenset({dict, MappingProxyType})


def jsonable(value: object) -> Any:
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind in _MAPPINGS or isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}  # type: ignore[attr-defined]
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, bool | int | str):  # their subclasses (a str enum) as they are
        return value
    return str(value)  # Decimal, datetime, float (never expected), other enums
