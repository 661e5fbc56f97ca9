"""The Aliyun partner program's roles: the names an account's ``role`` takes (the plug-in declares them)."""

from __future__ import annotations

import enum

__all__ = ["PartnerRole"]


class PartnerRole(enum.StrEnum):
    """A partner account's place in the Aliyun distribution program (DOMAIN.md, seeds 000, 001)."""

    DISTRIBUTOR = "distributor"
    RESELLER = "reseller"  # a distributor's tier-2 (二级分销商)
