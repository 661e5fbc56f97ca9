"""Masking of contact details for principals that may not see them (DOMAIN.md: masked by default)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["mask_contact", "mask_email", "mask_phone"]

#: What a write's input may carry that is a person's contact detail or a one-time secret, and how each is
#: masked wherever the input is kept (the audit trail; the operation log once the write is settled).
_MASKS: dict[str, Callable[[str], str | None]] = {
    "email": lambda v: mask_email(v),
    "phone": lambda v: mask_phone(v),
    "contact_information": lambda v: "***",
    "verification_code": lambda v: "***",
}


def mask_contact(data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with its contact details and one-time codes masked (other keys as they are)."""
    return {k: (_MASKS[k](v) if k in _MASKS and isinstance(v, str) and v else v) for k, v in data.items()}


def mask_email(email: str | None) -> str | None:
    """``zhang.wei@example.com`` -> ``z***@example.com``."""
    if not email:
        return email
    local, at, domain = email.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_phone(phone: str | None) -> str | None:
    """``13812345678`` -> ``138****5678``; short or odd values keep at most their last two characters."""
    if not phone:
        return phone
    digits = phone.strip()
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(digits) - 2, 1) + digits[-2:]
