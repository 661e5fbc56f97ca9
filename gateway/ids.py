"""Opaque global ids and cursors.

A global id is ``base64url("<Type>:<part>:<part>...")`` without padding: opaque to clients, but built
only from stable data (type, partner account id, upstream id), so it survives a restart.
"""

from __future__ import annotations

import base64
import binascii

from gateway.errors import InvalidInput

__all__ = ["decode_global_id", "decode_opaque", "encode_global_id", "encode_opaque"]


def encode_opaque(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_opaque(token: str, what: str, field: str) -> str:
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput(f"malformed {what}", field=field) from None


def encode_global_id(type_name: str, *parts: str) -> str:
    return encode_opaque(":".join((type_name, *parts)))


def decode_global_id(global_id: str, expected_type: str, parts: int) -> tuple[str, ...]:
    """The parts of a global id of ``expected_type``; ``InvalidInput`` if it is not one.

    The last part may itself contain ``:`` (upstream ids are opaque to us).
    """
    type_name, _, rest = decode_opaque(global_id, "id", "id").partition(":")
    values = tuple(rest.split(":", parts - 1)) if rest else ()
    if type_name != expected_type or len(values) != parts or not all(values):
        raise InvalidInput(f"not a {expected_type} id", field="id")
    return values
