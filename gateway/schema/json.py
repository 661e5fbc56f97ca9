"""``extra`` as a JSON value: decimals and datetimes become strings, so money never becomes a float."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["jsonable"]

# strawberry.scalars.JSON is typed as a NewType of object; the JSON fields take any JSON-able value.


def jsonable(value: object) -> Any:
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)  # Decimal, datetime, float (never expected), enums
