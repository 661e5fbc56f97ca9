"""A stateful simulator of the Alibaba Cloud Agency API, shipped with the plug-in.

It checks ACS3-HMAC-SHA256 signatures like the real gateway, holds several partner accounts keyed by
AccessKeyId (each with seeded customers, T2 partners and invitations) and answers with the real
wire shapes of CONTRACTS.md part A. ``create_app`` builds one; ``SimulatedClock`` moves its time.
See docs/simulator-aliyun.md.
"""

from adapters.aliyun.simulator._app import HANDLERS, AgencySimulator, create_app
from adapters.aliyun.simulator._records import Coupon, CouponTemplate, CustomerFiling, Note, Order, OrderStatus
from adapters.aliyun.simulator._registration import RegistrationError
from adapters.aliyun.simulator._seed import SALESPEOPLE
from adapters.aliyun.simulator._seed_business import COUNTRIES, FOREIGN_ACCOUNTS
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
    "COUNTRIES",
    "FOREIGN_ACCOUNTS",
    "HANDLERS",
    "SALESPEOPLE",
    "AgencySimulator",
    "Coupon",
    "CouponTemplate",
    "CustomerFiling",
    "EndAccount",
    "Invitation",
    "InvitationStatus",
    "Note",
    "Order",
    "OrderStatus",
    "PartnerState",
    "RegistrationError",
    "SimulatedClock",
    "SimulatedPartner",
    "SimulatorState",
    "create_app",
]
