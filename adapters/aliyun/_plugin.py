"""The plug-in object the ``partner_gateway.providers`` entry point resolves to."""

from __future__ import annotations

import argparse

import httpx

from adapters.aliyun.provider import MAX_PAGE_SIZE, AliyunProvider
from adapters.aliyun.simulator import HANDLERS, SimulatedPartner, create_app
from gateway.models import PartnerAccount, PartnerRole, Secret
from gateway.provider import ASGIApp, Credentials, DemoUpstream, Provider, SettingSpec

__all__ = ["AliyunPlugin", "plugin"]

DEFAULT_ENDPOINT = "https://agency.aliyuncs.com"  # A.1

# Simulator-only credentials: they open nothing but the simulator.
_DEMO = SimulatedPartner(
    access_key_id="LTAI5tDemoAgencyDistributor",
    access_key_secret="demo-secret-aliyun-distributor",  # noqa: S106 -- the simulator's own key
    role=PartnerRole.DISTRIBUTOR,
    name="Demo Aliyun distributor",
)
_SIM_ACCESS_KEY_ID = "LTAI5tSimAgencyDistributor"
_SIM_ACCESS_KEY_SECRET = "sim-secret-aliyun-distributor"  # noqa: S105 -- the simulator's own key
_SIM_RESELLER = SimulatedPartner(
    access_key_id="LTAI5tSimAgencyReseller",
    access_key_secret="sim-secret-aliyun-reseller",  # noqa: S106 -- the simulator's own key
    role=PartnerRole.RESELLER,
    name="Simulated Aliyun reseller",
)


class AliyunPlugin:
    """Alibaba Cloud Agency API (distributors and their resellers)."""

    name = "aliyun"
    title = "Alibaba Cloud"
    roles = frozenset({PartnerRole.DISTRIBUTOR, PartnerRole.RESELLER})
    default_endpoint = DEFAULT_ENDPOINT
    credential_names = ("access_key_id", "access_key_secret")
    settings = (
        SettingSpec("page_size", int, help="GetAccountInfo page size (default 20)", minimum=1, maximum=MAX_PAGE_SIZE),
    )

    def create(self, account: PartnerAccount, credentials: Credentials, http: httpx.AsyncClient) -> Provider:
        return AliyunProvider(account, credentials, http)

    def demo(self) -> DemoUpstream:
        account = PartnerAccount(
            id="aliyun-demo",
            provider=self.name,
            name=_DEMO.name,
            role=_DEMO.role,
            endpoint=DEFAULT_ENDPOINT,
        )
        credentials = {
            "access_key_id": Secret(_DEMO.access_key_id),
            "access_key_secret": Secret(_DEMO.access_key_secret),
        }
        return DemoUpstream(account=account, credentials=credentials, app=create_app([_DEMO], seed=0))

    def add_simulator_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default %(default)s)")
        parser.add_argument("--port", type=int, default=8101, help="port to listen on (default %(default)s)")
        parser.add_argument(
            "--access-key-id", default=_SIM_ACCESS_KEY_ID, help="distributor AccessKeyId (default %(default)s)"
        )
        parser.add_argument(
            "--access-key-secret",
            default=_SIM_ACCESS_KEY_SECRET,
            help="distributor AccessKey secret (default %(default)s)",
        )
        parser.add_argument("--seed", type=int, default=0, help="seed of the generated data (default 0)")

    def simulator(self, options: argparse.Namespace) -> tuple[ASGIApp, list[str]]:
        distributor = SimulatedPartner(
            access_key_id=options.access_key_id,
            access_key_secret=options.access_key_secret,
            role=PartnerRole.DISTRIBUTOR,
            name="Simulated Aliyun distributor",
        )
        app = create_app([distributor, _SIM_RESELLER], seed=options.seed)
        address = f"{options.host}:{options.port}"
        operations = ", ".join(f"{action} ({version})" for version, action in sorted(HANDLERS))
        lines = [
            f"Alibaba Cloud Agency API simulator on http://{address} (seed {options.seed})",
            f"  distributor: access_key_id={distributor.access_key_id} "
            f"access_key_secret={distributor.access_key_secret}",
            f"  reseller:    access_key_id={_SIM_RESELLER.access_key_id} "
            f"access_key_secret={_SIM_RESELLER.access_key_secret}",
            f"  operations:  {operations}",
            f"  gateway account endpoint: http://{address}; "
            f'official SDK: Config(endpoint="{address}", protocol="http")',
        ]
        return app, lines


plugin = AliyunPlugin()
