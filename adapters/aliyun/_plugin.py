"""The plug-in object the ``partner_gateway.providers`` entry point resolves to."""

from __future__ import annotations

import argparse

import httpx

from adapters._simkit.faults import Fault, FaultPlan
from adapters.aliyun._roles import PartnerRole
from adapters.aliyun.provider import MAX_PAGE_SIZE, AliyunProvider
from gateway.models import AccountType, CustomerKind, PartnerAccount, ProgramFacts, Secret
from gateway.provider import ASGIApp, Credentials, DemoUpstream, Provider, SettingSpec
from gateway.retry import DEFAULT_POLICY, RetryPolicy
from gateway.writes import DecideVoucherApplication, InviteReseller

__all__ = ["PROGRAM", "AliyunPlugin", "plugin"]

DEFAULT_ENDPOINT = "https://agency.aliyuncs.com"  # A.1

#: The Aliyun distribution program (DOMAIN.md, seeds 000 and 001).
PROGRAM = ProgramFacts(
    roles={
        PartnerRole.DISTRIBUTOR: "Aliyun distributor: files and invites customers, develops tier-2 resellers",
        PartnerRole.RESELLER: "Aliyun reseller: a distributor's tier-2 (二级分销商)",
    },
    # Amounts are in the account's currency: CNY on the China site, USD on the international one.
    currencies=frozenset({"CNY", "USD"}),
    # Consignment (代销) customers exist under the partner, who transfers and recovers their funds; agency
    # (代理) customers pay for themselves.
    money_account_types=frozenset({AccountType.CONSIGNMENT}),
    # Customer filing (报备): an enterprise may have at most 5 filed accounts, an individual 1.
    filing_limits={CustomerKind.ENTERPRISE: 5, CustomerKind.INDIVIDUAL: 1},
    # Project filings are approved by the Aliyun BD, then confirmed by the customer.
    projects_need_approval=True,
    # Only a distributor has tier-2 resellers to invite.
    intent_roles={
        InviteReseller.kind: frozenset({PartnerRole.DISTRIBUTOR}),
        DecideVoucherApplication.kind: frozenset({PartnerRole.DISTRIBUTOR}),  # a T1 decides its T2s' (A.7.21)
    },
    # Rebates: five tiers, 15 % to 35 %, by sales target and partnership level (seed 000).
    rebate_roles=frozenset({PartnerRole.DISTRIBUTOR, PartnerRole.RESELLER}),
    reseller_role=PartnerRole.RESELLER,
)

# Simulator-only credentials: they open nothing but the simulator. The simulator itself is imported only by the
# embedded demo and the simulator command: serving real accounts never loads it (a faster start).
_DEMO_ACCESS_KEY_ID = "LTAI5tDemoAgencyDistributor"
_DEMO_ACCESS_KEY_SECRET = "demo-secret-aliyun-distributor"  # noqa: S105 -- the simulator's own key
_DEMO_NAME = "Demo Aliyun distributor"
_SIM_ACCESS_KEY_ID = "LTAI5tSimAgencyDistributor"
_SIM_ACCESS_KEY_SECRET = "sim-secret-aliyun-distributor"  # noqa: S105 -- the simulator's own key
_SIM_RESELLER_ACCESS_KEY_ID = "LTAI5tSimAgencyReseller"
_SIM_RESELLER_ACCESS_KEY_SECRET = "sim-secret-aliyun-reseller"  # noqa: S105 -- the simulator's own key


class AliyunPlugin:
    """Alibaba Cloud Agency API (distributors and their resellers)."""

    name = "aliyun"
    title = "Alibaba Cloud"
    program = PROGRAM
    default_endpoint = DEFAULT_ENDPOINT
    credential_names = ("access_key_id", "access_key_secret")
    settings = (
        SettingSpec("page_size", int, help="GetAccountInfo page size (default 20)", minimum=1, maximum=MAX_PAGE_SIZE),
        SettingSpec("currency", str, help="currency of the account's amounts (default CNY; USD on the intl site)"),
    )

    def create(
        self,
        account: PartnerAccount,
        credentials: Credentials,
        http: httpx.AsyncClient,
        *,
        retry: RetryPolicy | None = None,
    ) -> Provider:
        return AliyunProvider(account, credentials, http, policy=retry or DEFAULT_POLICY)

    def demo(self) -> DemoUpstream:
        account = PartnerAccount(
            id="aliyun-demo",
            provider=self.name,
            name=_DEMO_NAME,
            role=PartnerRole.DISTRIBUTOR,
            endpoint=DEFAULT_ENDPOINT,
            program=self.program,
        )
        credentials = {
            "access_key_id": Secret(_DEMO_ACCESS_KEY_ID),
            "access_key_secret": Secret(_DEMO_ACCESS_KEY_SECRET),
        }
        from adapters.aliyun.simulator import SimulatedPartner, create_app

        partner = SimulatedPartner(
            _DEMO_ACCESS_KEY_ID, _DEMO_ACCESS_KEY_SECRET, role=PartnerRole.DISTRIBUTOR, name=_DEMO_NAME
        )
        return DemoUpstream(account=account, credentials=credentials, app=create_app([partner], seed=0))

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
        parser.add_argument(
            "--fault",
            action="append",
            default=[],
            metavar="SPEC",
            type=_fault,
            help="inject a fault, OPERATION=KIND[:VALUE][@PROBABILITY][xCOUNT], e.g. SetCreditLine=ambiguousx1 "
            "(repeatable; also at run time through /_simulator/faults)",
        )

    def simulator(self, options: argparse.Namespace) -> tuple[ASGIApp, list[str]]:
        from adapters.aliyun.simulator import HANDLERS, SimulatedPartner, create_app

        reseller = SimulatedPartner(
            access_key_id=_SIM_RESELLER_ACCESS_KEY_ID,
            access_key_secret=_SIM_RESELLER_ACCESS_KEY_SECRET,
            role=PartnerRole.RESELLER,
            name="Simulated Aliyun reseller",
        )
        distributor = SimulatedPartner(
            access_key_id=options.access_key_id,
            access_key_secret=options.access_key_secret,
            role=PartnerRole.DISTRIBUTOR,
            name="Simulated Aliyun distributor",
        )
        faults = FaultPlan(options.seed)
        for fault in getattr(options, "fault", []):
            faults.add(fault)
        app = create_app([distributor, reseller], seed=options.seed, faults=faults)
        address = f"{options.host}:{options.port}"
        operations = ", ".join(f"{action} ({version})" for version, action in sorted(HANDLERS))
        lines = [
            f"Alibaba Cloud Agency API simulator on http://{address} (seed {options.seed})",
            f"  distributor: access_key_id={distributor.access_key_id} "
            f"access_key_secret={distributor.access_key_secret}",
            f"  reseller:    access_key_id={reseller.access_key_id} access_key_secret={reseller.access_key_secret}",
            f"  operations:  {operations}",
            f"  faults:      {', '.join(_describe(f) for f in faults.faults()) or 'none'} "
            f"(change at run time: http://{address}/_simulator/faults)",
            f'  control:     POST http://{address}/_simulator/register {{"invite_id": ...}}; '
            f'GET/POST http://{address}/_simulator/clock {{"advance_hours": 73}}; '
            f'POST http://{address}/_simulator/consume {{"uid": ..., "amount": ...}}',
            "  docs:        docs/simulator-aliyun.md",
            f"  gateway account endpoint: http://{address}; "
            f'official SDK: Config(endpoint="{address}", protocol="http")',
        ]
        return app, lines


def _fault(spec: str) -> Fault:
    try:
        return Fault.parse(spec)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _describe(fault: Fault) -> str:
    value = "" if fault.value is None else f":{fault.value:g}"
    chance = "" if fault.probability == 1.0 else f"@{fault.probability:g}"
    count = "" if fault.remaining is None else f"x{fault.remaining}"
    return f"{fault.operation}={fault.kind.value}{value}{chance}{count}"


plugin = AliyunPlugin()
