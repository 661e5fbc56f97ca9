"""``extra`` as a JSON value (gateway.schema.json.jsonable): what is JSON stays as it is, mappings and sequences are
converted through, and everything else (money, times, enums) becomes its string, never a float."""

from __future__ import annotations

import enum
from collections import OrderedDict
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType

from gateway.schema.json import jsonable


class Kind(enum.StrEnum):
    AGENCY = "AGENCY"


class Level(enum.Enum):
    HIGH = 1


def test_every_kind_of_value() -> None:
    extra = MappingProxyType(
        {
            "name": "客户",
            "count": 3,
            "big": 2**80,
            "flag": True,
            "none": None,
            "credit": Decimal("12.30"),
            "at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            "list": [1, (2, "3"), {"inner": Decimal("0.50")}],
            "kind": Kind.AGENCY,
            "level": Level.HIGH,
            7: OrderedDict(ratio=1.5),
        }
    )
    converted = jsonable(extra)
    assert converted == {
        "name": "客户",
        "count": 3,
        "big": 2**80,
        "flag": True,
        "none": None,
        "credit": "12.30",
        "at": "2026-01-02 03:04:05+00:00",
        "list": [1, [2, "3"], {"inner": "0.50"}],
        "kind": "AGENCY",
        "level": "Level.HIGH",
        "7": {"ratio": "1.5"},
    }
    assert type(converted) is dict
    assert type(converted["flag"]) is bool
    assert converted["kind"] is Kind.AGENCY  # a str: kept as it is
    assert type(converted["list"][1]) is list
