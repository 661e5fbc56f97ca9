"""The ``huaweicloud`` plug-in object: what the gateway finds through the entry point."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx

from adapters._simkit.faults import CONTROL_PATH, Fault
from gateway.models import AccountType, PartnerAccount, ProgramFacts, Secret
from gateway.provider import ASGIApp, Credentials, DemoUpstream, SettingSpec
from gateway.retry import DEFAULT_POLICY, RetryPolicy
from gateway.writes import AllocateResellerFunds, GrantVoucherQuota, ReclaimResellerFunds, ReclaimVoucherQuota

from ._operations import OPERATIONS
from ._roles import PartnerRole
from .provider import HuaweiCloudProvider

if TYPE_CHECKING:  # the simulator is imported by the embedded demo and the simulator command only (a faster start)
    from .simulator import SimAccount

__all__ = ["PROGRAM", "HuaweiCloudPlugin"]

DEFAULT_ENDPOINT = "https://bss.myhuaweicloud.com"  # cn-north-1, the only BSS region (H.1)

#: Only the credentials of a tier-1 distributor (or of a solution provider) may manage tier-2 funds and
#: voucher quotas (DOMAIN.md, seeds 002-004).
_TIER1 = frozenset({PartnerRole.TIER1_DISTRIBUTOR, PartnerRole.SOLUTION_PROVIDER})

#: The Huawei Cloud partner program (DOMAIN.md, seeds 002-004).
PROGRAM = ProgramFacts(
    roles={
        PartnerRole.TIER1_DISTRIBUTOR: "Huawei tier-1 distributor (总经销商): develops and funds tier-2 resellers",
        PartnerRole.TIER2_RESELLER: "Huawei cloud reseller (云经销商): a tier-1's tier-2",
        PartnerRole.SOLUTION_PROVIDER: "Huawei solution provider (解决方案提供商): sells to end customers",
    },
    currencies=frozenset({"CNY"}),  # BSS amounts are yuan (H.4.7)
    # Resale (代售) customers are the ones whose funds and vouchers the partner handles; advisory ones pay Huawei.
    money_account_types=frozenset({AccountType.RESALE}),
    intent_roles={
        intent.kind: _TIER1
        for intent in (AllocateResellerFunds, ReclaimResellerFunds, GrantVoucherQuota, ReclaimVoucherQuota)
    },
    # A tier-2 gets no incentives (its tier-1 earns them); with an annual performance of 800,000 it may apply
    # to be upgraded toward tier-1 (seed 003).
    no_incentive_roles=frozenset({PartnerRole.TIER2_RESELLER}),
    upgrade_roles=frozenset({PartnerRole.TIER2_RESELLER}),
    reseller_role=PartnerRole.TIER2_RESELLER,
)

# Demo / standalone simulator defaults. Not real credentials.
DEMO_ACCESS_KEY = "HWDEMOAKT1DISTRIBUTOR0"
DEMO_SECRET_KEY = "hw-demo-secret-key-t1-do-not-use-in-production"  # noqa: S105 (simulator only)
DEMO_DOMAIN_ID = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"
DEMO_SEED = 2
_T2_ACCESS_KEY = "HWDEMOAKT2RESELLER0000"
_T2_SECRET_KEY = "hw-demo-secret-key-t2-do-not-use-in-production"  # noqa: S105 (simulator only)
_T2_DOMAIN_ID = "9f8e7d6c5b4a40312f1e0d9c8b7a6f5e"
_T2B_ACCESS_KEY = "HWDEMOAKT2RESELLER0001"
_T2B_SECRET_KEY = "hw-demo-secret-key-t2b-do-not-use-in-production"  # noqa: S105 (simulator only)
_T2B_DOMAIN_ID = "8e7d6c5b4a3f40211e0d9c8b7a6f5e4d"
_SP_ACCESS_KEY = "HWDEMOAKSOLUTIONPROV00"
_SP_SECRET_KEY = "hw-demo-secret-key-sp-do-not-use-in-production"  # noqa: S105 (simulator only)
_SP_DOMAIN_ID = "7d6c5b4a3f2e40100d9c8b7a6f5e4d3c"


def _accounts(access_key: str, secret_key: str, domain_id: str) -> list[SimAccount]:
    """A tier-1 distributor with two tier-2 resellers under it, and a solution provider on its own."""
    from .simulator import SimAccount

    def reseller(ak: str, sk: str, domain: str, name: str, account_name: str, phone: str) -> SimAccount:
        return SimAccount(
            ak,
            sk,
            domain,
            PartnerRole.TIER2_RESELLER,
            name,
            parent_domain_id=domain_id,
            account_name=account_name,
            mobile_phone=phone,
            email=f"channel@{account_name.replace('_', '')}.com.cn",
            account_manager="zhang_wei_sales",
        )

    return [
        SimAccount(
            access_key,
            secret_key,
            domain_id,
            PartnerRole.TIER1_DISTRIBUTOR,
            "Demo tier-1 distributor",
            account_name="demo_t1_distributor",
        ),
        reseller(
            _T2_ACCESS_KEY, _T2_SECRET_KEY, _T2_DOMAIN_ID, "Demo tier-2 reseller", "demo_t2_reseller", "13800000001"
        ),
        reseller(_T2B_ACCESS_KEY, _T2B_SECRET_KEY, _T2B_DOMAIN_ID, "星河云科技有限公司", "xinghe_cloud", "13800000002"),
        SimAccount(
            _SP_ACCESS_KEY,
            _SP_SECRET_KEY,
            _SP_DOMAIN_ID,
            PartnerRole.SOLUTION_PROVIDER,
            "Demo solution provider",
            account_name="demo_solution_provider",
        ),
    ]


class HuaweiCloudPlugin:
    """Huawei Cloud BSS v2 partner API (tier-1 distributors, tier-2 resellers, solution providers)."""

    name = "huaweicloud"
    title = "Huawei Cloud"
    program = PROGRAM
    default_endpoint = DEFAULT_ENDPOINT
    credential_names = ("access_key", "secret_key")
    settings = (
        SettingSpec("domain_id", str, required=True, help="the partner's account (domain) ID, sent as X-Domain-Id"),
        SettingSpec("page_size", int, help="records per list_sub_customers call (default 100)", minimum=1, maximum=100),
        SettingSpec(
            "xaccount_type",
            str,
            help="the partner platform id Huawei assigned, sent as create_sub_customer xaccount_type",
        ),
    )

    def create(
        self,
        account: PartnerAccount,
        credentials: Credentials,
        http: httpx.AsyncClient,
        *,
        retry: RetryPolicy | None = None,
    ) -> HuaweiCloudProvider:
        return HuaweiCloudProvider(account, credentials, http, retry_policy=retry or DEFAULT_POLICY)

    def demo(self) -> DemoUpstream:
        from .simulator import create_app

        app = create_app(_accounts(DEMO_ACCESS_KEY, DEMO_SECRET_KEY, DEMO_DOMAIN_ID), seed=DEMO_SEED)
        account = PartnerAccount(
            id="huaweicloud-demo",
            provider=self.name,
            name="Demo Huawei Cloud tier-1 distributor",
            role=PartnerRole.TIER1_DISTRIBUTOR,
            endpoint=DEFAULT_ENDPOINT,
            program=self.program,
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
        parser.add_argument(
            "--association-delay",
            type=float,
            default=2.0,
            metavar="SECONDS",
            help="how long a created customer takes to be associated (default %(default)s)",
        )
        parser.add_argument(
            "--fault",
            action="append",
            type=Fault.parse,
            default=[],
            metavar="SPEC",
            help="inject a fault, OPERATION=KIND[:VALUE][@PROBABILITY][xCOUNT] (repeatable), e.g. "
            "update_customer_account_amount=ambiguousx1, *=latency:200, list_sub_customers=throttle:2@0.5",
        )

    def simulator(self, options: argparse.Namespace) -> tuple[ASGIApp, list[str]]:
        from .simulator import CODES_PATH, HANDLERS, create_app

        faults: list[Fault] = list(options.fault)
        app = create_app(
            _accounts(options.access_key, options.secret_key, options.domain_id),
            seed=options.seed,
            association_delay=timedelta(seconds=options.association_delay),
            faults=faults,
        )
        url = f"http://{options.host}:{options.port}"
        lines = [
            f"Huawei Cloud BSS v2 simulator on {url} (seed {options.seed})",
            f"  tier-1 distributor  AK {options.access_key}",
            f"                      SK {options.secret_key}",
            f"                      domain id (X-Domain-Id) {options.domain_id}",
            f"  tier-2 reseller     AK {_T2_ACCESS_KEY}  SK {_T2_SECRET_KEY}",
            f"                      domain id {_T2_DOMAIN_ID} (the tier-1's indirect_partner_id)",
            f"  tier-2 reseller     AK {_T2B_ACCESS_KEY}  SK {_T2B_SECRET_KEY}",
            f"                      domain id {_T2B_DOMAIN_ID}",
            f"  solution provider   AK {_SP_ACCESS_KEY}  SK {_SP_SECRET_KEY}",
            f"                      domain id {_SP_DOMAIN_ID}",
            f"  control: {url}{CONTROL_PATH} (faults), {url}{CODES_PATH}?mobile_phone=... (SMS codes)",
            *(f"  fault: {fault.operation}={fault.kind.value}" + _fault_suffix(fault) for fault in faults),
            "  operations:",
            *(f"    {op.method} {op.path}  ({op.name})" for op in OPERATIONS if op.name in HANDLERS),
        ]
        return app, lines


def _fault_suffix(fault: Fault) -> str:
    value = f":{fault.value:g}" if fault.value is not None else ""
    chance = f"@{fault.probability:g}" if fault.probability < 1 else ""
    count = f"x{fault.remaining}" if fault.remaining is not None else ""
    return value + chance + count
