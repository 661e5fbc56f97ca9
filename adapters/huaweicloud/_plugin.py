"""The ``huaweicloud`` plug-in object: what the gateway finds through the entry point."""

from __future__ import annotations

import argparse

import httpx

from gateway.models import PartnerAccount, PartnerRole, Secret
from gateway.provider import ASGIApp, Credentials, DemoUpstream, SettingSpec

from ._operations import OPERATIONS
from .provider import HuaweiCloudProvider
from .simulator import HANDLERS, SimAccount, create_app

__all__ = ["HuaweiCloudPlugin"]

DEFAULT_ENDPOINT = "https://bss.myhuaweicloud.com"  # cn-north-1, the only BSS region (H.1)

# Demo / standalone simulator defaults. Not real credentials.
DEMO_ACCESS_KEY = "HWDEMOAKT1DISTRIBUTOR0"
DEMO_SECRET_KEY = "hw-demo-secret-key-t1-do-not-use-in-production"  # noqa: S105 (simulator only)
DEMO_DOMAIN_ID = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"
DEMO_SEED = 2
_T2_ACCESS_KEY = "HWDEMOAKT2RESELLER0000"
_T2_SECRET_KEY = "hw-demo-secret-key-t2-do-not-use-in-production"  # noqa: S105 (simulator only)
_T2_DOMAIN_ID = "9f8e7d6c5b4a40312f1e0d9c8b7a6f5e"


def _accounts(access_key: str, secret_key: str, domain_id: str) -> list[SimAccount]:
    """A tier-1 distributor and one tier-2 reseller under it."""
    return [
        SimAccount(access_key, secret_key, domain_id, PartnerRole.TIER1_DISTRIBUTOR, "Demo tier-1 distributor"),
        SimAccount(
            _T2_ACCESS_KEY,
            _T2_SECRET_KEY,
            _T2_DOMAIN_ID,
            PartnerRole.TIER2_RESELLER,
            "Demo tier-2 reseller",
            parent_domain_id=domain_id,
        ),
    ]


class HuaweiCloudPlugin:
    """Huawei Cloud BSS v2 partner API (tier-1 distributors, tier-2 resellers, solution providers)."""

    name = "huaweicloud"
    title = "Huawei Cloud"
    roles = frozenset({PartnerRole.TIER1_DISTRIBUTOR, PartnerRole.TIER2_RESELLER, PartnerRole.SOLUTION_PROVIDER})
    default_endpoint = DEFAULT_ENDPOINT
    credential_names = ("access_key", "secret_key")
    settings = (
        SettingSpec("domain_id", str, required=True, help="the partner's account (domain) ID, sent as X-Domain-Id"),
        SettingSpec("page_size", int, help="records per list_sub_customers call (default 100)", minimum=1, maximum=100),
    )

    def create(self, account: PartnerAccount, credentials: Credentials, http: httpx.AsyncClient) -> HuaweiCloudProvider:
        return HuaweiCloudProvider(account, credentials, http)

    def demo(self) -> DemoUpstream:
        app = create_app(_accounts(DEMO_ACCESS_KEY, DEMO_SECRET_KEY, DEMO_DOMAIN_ID), seed=DEMO_SEED)
        account = PartnerAccount(
            id="huaweicloud-demo",
            provider=self.name,
            name="Demo Huawei Cloud tier-1 distributor",
            role=PartnerRole.TIER1_DISTRIBUTOR,
            endpoint=DEFAULT_ENDPOINT,
            settings={"domain_id": DEMO_DOMAIN_ID},
        )
        credentials = {"access_key": Secret(DEMO_ACCESS_KEY), "secret_key": Secret(DEMO_SECRET_KEY)}
        return DemoUpstream(account=account, credentials=credentials, app=app)

    def add_simulator_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default %(default)s)")
        parser.add_argument("--port", type=int, default=8102, help="port to listen on (default %(default)s)")
        parser.add_argument(
            "--access-key", default=DEMO_ACCESS_KEY, help="the tier-1 partner's AK (default %(default)s)"
        )
        parser.add_argument(
            "--secret-key", default=DEMO_SECRET_KEY, help="the tier-1 partner's SK (default %(default)s)"
        )
        parser.add_argument(
            "--domain-id", default=DEMO_DOMAIN_ID, help="the tier-1 partner's domain id (default %(default)s)"
        )
        parser.add_argument(
            "--seed", type=int, default=DEMO_SEED, help="seed of the generated data (default %(default)s)"
        )

    def simulator(self, options: argparse.Namespace) -> tuple[ASGIApp, list[str]]:
        app = create_app(_accounts(options.access_key, options.secret_key, options.domain_id), seed=options.seed)
        url = f"http://{options.host}:{options.port}"
        lines = [
            f"Huawei Cloud BSS v2 simulator on {url} (seed {options.seed})",
            f"  tier-1 distributor  AK {options.access_key}",
            f"                      SK {options.secret_key}",
            f"                      domain id (X-Domain-Id) {options.domain_id}",
            f"  tier-2 reseller     AK {_T2_ACCESS_KEY}  SK {_T2_SECRET_KEY}",
            f"                      domain id {_T2_DOMAIN_ID} (the tier-1's indirect_partner_id)",
            "  operations:",
            *(f"    {op.method} {op.path}  ({op.name})" for op in OPERATIONS if op.name in HANDLERS),
        ]
        return app, lines
