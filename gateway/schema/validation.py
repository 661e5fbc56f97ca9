"""Text in a mutation's input object, checked at the boundary before anything is built or sent.

Every string field of an ``input:`` argument (and of the input objects inside it) has a length limit: the
upstreams' own are lower still for some fields (they answer with their own errors), but nothing over these
is ever sent or stored. A NUL character is refused everywhere: no upstream or store takes one.
"""

from __future__ import annotations

import dataclasses

from strawberry.utils.str_converters import to_camel_case

from gateway.errors import InvalidInput

__all__ = ["DEFAULT_MAX_LENGTH", "MAX_LENGTHS", "check_month", "check_quarter", "check_text"]

DEFAULT_MAX_LENGTH = 200
#: Free-text fields, longer than names and codes.
MAX_LENGTHS = {"content": 2000, "description": 2000, "contact_information": 500}


def check_text(value: object, path: str = "input") -> None:
    """``InvalidInput`` at ``input.<field>`` (as the client wrote it) for text over its limit or with a NUL."""
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return
    for field in dataclasses.fields(value):
        item = getattr(value, field.name)
        where = f"{path}.{to_camel_case(field.name)}"
        if isinstance(item, str):
            limit = MAX_LENGTHS.get(field.name, DEFAULT_MAX_LENGTH)
            if len(item) > limit:
                raise InvalidInput(f"{where} has at most {limit} characters, not {len(item)}", field=where)
            if "\x00" in item:
                raise InvalidInput(f"{where} must not contain a NUL character", field=where)
        else:
            check_text(item, where)


def check_month(month: str, field: str) -> None:
    """``InvalidInput`` at ``field`` unless ``month`` is a month ``YYYY-MM``."""
    year, dash, number = month.partition("-")
    if not (dash and len(year) == 4 and year.isdigit() and len(number) == 2 and number.isdigit()):
        raise InvalidInput(f"{field} is a month YYYY-MM, not {month[:20]!r}", field=field)
    if not 1 <= int(number) <= 12:
        raise InvalidInput(f"{field} is a month YYYY-MM, not {month[:20]!r}", field=field)


def check_quarter(quarter: str, field: str) -> None:
    """``InvalidInput`` at ``field`` unless ``quarter`` is a fiscal quarter ``YYYYQn`` (n from 1 to 4)."""
    year, q, number = quarter[:4], quarter[4:5], quarter[5:]
    if not (len(quarter) == 6 and year.isdigit() and q == "Q" and number in ("1", "2", "3", "4")):
        raise InvalidInput(f"{field} is a fiscal quarter YYYYQn, not {quarter[:20]!r}", field=field)
