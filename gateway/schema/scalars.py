"""The ``Decimal`` scalar, checked at the boundary: an amount is exact, finite and of a sane size.

strawberry's own ``Decimal`` takes whatever ``decimal.Decimal`` does: ``NaN``, ``Infinity``, ``1e309``, and
JSON numbers already rounded to binary floats. Here:

- a literal (``amount: "12.30"``, ``amount: 12.30``) is read from its text, exactly;
- a variable may be a string or an integer; a JSON number with a fraction arrives as a float, so it is taken
  only when it has at most 15 significant digits (``sys.float_info.dig``: such a number survives the float
  exactly); anything longer must be sent as a string;
- ``NaN``, infinities, more than ``MAX_DIGITS`` significant digits and exponents beyond ``±MAX_EXPONENT`` are
  refused with ``BAD_USER_INPUT``.
"""

from __future__ import annotations

import sys
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import FloatValueNode, IntValueNode, StringValueNode, ValueNode
from strawberry.types.scalar import ScalarDefinition

from gateway.errors import InvalidInput

__all__ = ["MAX_DIGITS", "MAX_EXPONENT", "DecimalScalar", "parse_decimal"]

#: No amount, rate or quantity needs more: 28 is ``decimal``'s default precision.
MAX_DIGITS = 28
MAX_EXPONENT = 28
_MAX_TEXT = 100


def parse_decimal(value: object) -> Decimal:
    """A client's decimal (see the module docstring), or ``InvalidInput``."""
    if isinstance(value, bool):
        raise InvalidInput('a decimal is a string such as "12.30", not a boolean')
    if isinstance(value, float):
        text = repr(value)
        digits = Decimal(text).as_tuple().digits if value == value and abs(value) != float("inf") else ()
        if len(digits) > sys.float_info.dig:
            raise InvalidInput(
                f"a decimal of more than {sys.float_info.dig} significant digits must be sent as a string"
            )
        value = text
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise InvalidInput('a decimal is a string such as "12.30"')
    if len(value) > _MAX_TEXT:
        raise InvalidInput(f"a decimal has at most {_MAX_TEXT} characters")
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise InvalidInput("not a decimal number") from None
    if not number.is_finite():
        raise InvalidInput("a decimal must be a finite number (no NaN, no Infinity)")
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    if len(digits) > MAX_DIGITS or number.adjusted() > MAX_EXPONENT or exponent < -MAX_EXPONENT:
        raise InvalidInput(
            f"a decimal has at most {MAX_DIGITS} significant digits, and no digit beyond 10^±{MAX_EXPONENT}"
        )
    return number


def _parse_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> Decimal:
    if isinstance(node, StringValueNode | IntValueNode | FloatValueNode):
        return parse_decimal(node.value)
    raise InvalidInput('a decimal is a string such as "12.30"')


DecimalScalar = ScalarDefinition(
    name="Decimal",
    description="Decimal (fixed-point)",
    specified_by_url=None,
    serialize=str,
    parse_value=parse_decimal,
    parse_literal=_parse_literal,
    origin=Decimal,
)
