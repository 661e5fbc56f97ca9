"""Opaque global ids and cursors.

A global id is ``base64url("<Type>:<part>:<part>...")`` without padding: opaque to clients, but built
only from stable data (type, partner account id, upstream id), so it survives a restart.
"""

from __future__ import annotations

import base64
import binascii
import re

from gateway.errors import InvalidInput

__all__ = ["decode_global_id", "decode_number_id", "decode_opaque", "encode_global_id", "encode_opaque"]


def encode_opaque(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_opaque(token: str, what: str, field: str) -> str:
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput(f"malformed {what}", field=field) from None


def encode_global_id(type_name: str, *parts: str) -> str:
    return encode_opaque(":".join((type_name, *parts)))


#: Longer than any id this gateway makes (a type, an account id of at most 63 characters, a 64-bit id).
MAX_ID_LENGTH = 400


def decode_global_id(global_id: str, expected_type: str, parts: int, field: str = "id") -> tuple[str, ...]:
    """The parts of a global id of ``expected_type``; ``InvalidInput`` at ``field`` (the argument as the
    client wrote it, e.g. ``customerId``) if it is not one.

    The last part may itself contain ``:`` (upstream ids are opaque to us); every part is printable text
    (no control characters), and the whole id has at most ``MAX_ID_LENGTH`` characters.
    """
    if len(global_id) > MAX_ID_LENGTH:
        raise InvalidInput(f"an id has at most {MAX_ID_LENGTH} characters", field=field)
    type_name, _, rest = decode_opaque(global_id, "id", field).partition(":")
    values = tuple(rest.split(":", parts - 1)) if rest else ()
    if type_name != expected_type or len(values) != parts or not all(v.isprintable() for v in values):
        raise InvalidInput(f"not a {expected_type} id", field=field)
    if not all(values):
        raise InvalidInput(f"not a {expected_type} id", field=field)
    return values


_NUMBER = re.compile(r"[0-9]{1,18}")  # ASCII, and within a signed 64-bit integer


def decode_number_id(global_id: str, expected_type: str, field: str = "id") -> str:
    """The number in a global id of the gateway's own numbered objects (``Project:<n>``)."""
    (number,) = decode_global_id(global_id, expected_type, 1, field)
    if not _NUMBER.fullmatch(number):
        raise InvalidInput(f"not a {expected_type} id", field=field)
    return number
