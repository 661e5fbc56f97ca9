"""BSS timestamps (H.4 shared notes: UTC ``yyyy-MM-dd'T'HH:mm:ss'Z'``) as the adapter reads them: the upstream's
own format, what strptime also accepts, and None for anything unreadable."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.huaweicloud._mapping import parse_timestamp


@pytest.mark.parametrize(
    ("wire", "read"),
    [
        ("2024-01-05T03:04:05Z", datetime(2024, 1, 5, 3, 4, 5, tzinfo=UTC)),
        ("2024-02-29T23:59:59Z", datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC)),
        # Not the upstream's own spelling, but read as they always were (strptime's leniency).
        ("2024-1-5T3:4:5Z", datetime(2024, 1, 5, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-05T03:04:05z", datetime(2024, 1, 5, 3, 4, 5, tzinfo=UTC)),
        ("２０２４-01-05T03:04:05Z", datetime(2024, 1, 5, 3, 4, 5, tzinfo=UTC)),
    ],
)
def test_a_timestamp_is_read_as_utc(wire: str, read: datetime) -> None:
    parsed = parse_timestamp(wire)
    assert parsed == read
    assert parsed is not None
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "wire",
    [
        "2023-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01T23:59:60Z",
        "2024-01-01T00:00:00",
        "2024-01-01 00:00:00Z",
        "2024-01-01T00:00:00+08:00",
        "2024-01-01T00:00:00.5Z",
        " 2024-01-05T03:04:05Z",
        "0000-01-01T00:00:00Z",
        "",
        None,
        1704423845,
    ],
)
def test_anything_else_is_none(wire: object) -> None:
    assert parse_timestamp(wire) is None
