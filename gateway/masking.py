"""Masking of contact details for principals that may not see them (DOMAIN.md: masked by default)."""

from __future__ import annotations

__all__ = ["mask_email", "mask_phone"]


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
