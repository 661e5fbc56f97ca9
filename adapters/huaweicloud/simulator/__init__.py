"""A stateful simulator of the Huawei Cloud BSS v2 partner API (an ASGI app), shipped with the plug-in."""

from ._app import CODES_PATH, HANDLERS, SimulatorApp, create_app
from ._errors import ApiError
from ._seed import SALESPEOPLE, seed_customers
from ._state import Coupon, PartnerState, Quota, SimAccount, SimulatorState, SubCustomer

__all__ = [
    "CODES_PATH",
    "HANDLERS",
    "SALESPEOPLE",
    "ApiError",
    "Coupon",
    "PartnerState",
    "Quota",
    "SimAccount",
    "SimulatorApp",
    "SimulatorState",
    "SubCustomer",
    "create_app",
    "seed_customers",
]
