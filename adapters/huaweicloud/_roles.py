"""The Huawei Cloud partner program's roles: the names an account's ``role`` takes (the plug-in declares them)."""

from __future__ import annotations

import enum

__all__ = ["PartnerRole"]


class PartnerRole(enum.StrEnum):
    """A partner account's place in the Huawei Cloud partner program (DOMAIN.md, seeds 002-004)."""

    TIER1_DISTRIBUTOR = "tier1-distributor"  # 总经销商 / 一级经销商
    TIER2_RESELLER = "tier2-reseller"  # 云经销商 / 二级经销商
    SOLUTION_PROVIDER = "solution-provider"  # 解决方案提供商
