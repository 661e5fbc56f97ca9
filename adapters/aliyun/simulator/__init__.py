"""A stateful simulator of the Alibaba Cloud Agency API, shipped with the plug-in.

It checks ACS3-HMAC-SHA256 signatures like the real gateway, holds several partner accounts keyed by
AccessKeyId (each with seeded customers, T2 partners and invitations) and answers with the real
wire shapes of CONTRACTS.md part A. ``create_app`` builds one; ``SimulatedClock`` moves its time.
"""

from adapters.aliyun.simulator._app import HANDLERS, AgencySimulator, create_app
from adapters.aliyun.simulator._seed import SALESPEOPLE
from adapters.aliyun.simulator._state import (
    EndAccount,
    Invitation,
    InvitationStatus,
    PartnerState,
    SimulatedClock,
    SimulatedPartner,
    SimulatorState,
)

__all__ = [
    "HANDLERS",
    "SALESPEOPLE",
    "AgencySimulator",
    "EndAccount",
    "Invitation",
    "InvitationStatus",
    "PartnerState",
    "SimulatedClock",
    "SimulatedPartner",
    "SimulatorState",
    "create_app",
]
