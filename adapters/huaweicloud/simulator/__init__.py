"""A stateful simulator of the Huawei Cloud BSS v2 partner API (an ASGI app), shipped with the plug-in."""

from ._app import HANDLERS, create_app
from ._errors import ApiError
from ._seed import SALESPEOPLE, seed_customers
from ._state import PartnerState, SimAccount, SimulatorState, SubCustomer

__all__ = [
    "HANDLERS",
    "SALESPEOPLE",
    "ApiError",
    "PartnerState",
    "SimAccount",
    "SimulatorState",
    "SubCustomer",
    "create_app",
    "seed_customers",
]
