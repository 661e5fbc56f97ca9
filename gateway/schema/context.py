"""What every resolver receives as ``info.context``."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.auth import Principal
from gateway.service import Gateway

__all__ = ["Context"]


@dataclass(slots=True)
class Context:
    gateway: Gateway
    principal: Principal
