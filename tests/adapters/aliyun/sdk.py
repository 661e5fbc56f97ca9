"""Helpers for the contract tests: the official Aliyun SDK clients (both versions) against a simulator
served over loopback HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
from alibabacloud_agency20221216.client import Client as Client2022
from alibabacloud_agency20250227.client import Client as Client2025
from alibabacloud_tea_openapi.models import Config

from adapters.aliyun._roles import PartnerRole
from adapters.aliyun.simulator import AgencySimulator, PartnerState, SimulatedPartner, create_app
from tests.support.servers import live_server

REQUEST_ID = re.compile(r"^[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}$")
DISTRIBUTOR = SimulatedPartner("LTAI5tContractDistributor", "contract-secret", PartnerRole.DISTRIBUTOR, customers=40)
RESELLER = SimulatedPartner("LTAI5tContractReseller", "contract-reseller", PartnerRole.RESELLER, customers=20)


@dataclass
class Upstream:
    """A running simulator and SDK clients of both versions for each of its partners."""

    simulator: AgencySimulator
    base_url: str

    def v2022(self, partner: SimulatedPartner = DISTRIBUTOR) -> Client2022:
        return Client2022(self._config(partner))

    def v2025(self, partner: SimulatedPartner = DISTRIBUTOR) -> Client2025:
        return Client2025(self._config(partner))

    def _config(self, partner: SimulatedPartner) -> Config:
        endpoint = self.base_url.removeprefix("http://")
        return Config(
            access_key_id=partner.access_key_id,
            access_key_secret=partner.access_key_secret,
            endpoint=endpoint,
            protocol="http",
        )

    def state(self, partner: SimulatedPartner = DISTRIBUTOR) -> PartnerState:
        return self.simulator.state.partners[partner.access_key_id]

    def control(self, method: str, path: str, json: object | None = None) -> httpx.Response:
        return httpx.request(method, f"{self.base_url}/_simulator/{path}", json=json, timeout=10)


@contextmanager
def running(seed: int = 2024) -> Iterator[Upstream]:
    simulator = create_app([DISTRIBUTOR, RESELLER], seed=seed)
    with live_server(simulator) as url:
        yield Upstream(simulator, url)
