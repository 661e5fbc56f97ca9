"""Shared pieces of the SDK contract tests (tests/contract/test_huaweicloud_*.py).

A simulator with a tier-1 distributor, two tier-2 resellers under it and a solution provider, served
over loopback HTTP, and the official ``BssClient`` signing as any of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from huaweicloudsdkbss.v2 import BssClient
from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig

from adapters.huaweicloud._roles import PartnerRole
from adapters.huaweicloud.simulator import PartnerState, SimAccount, SimulatorApp, create_app
from tests.support.servers import live_server

T1 = SimAccount("AKSDKCONTRACT000001", "sdk-contract-secret", "5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d", name="T1")
T2 = SimAccount(
    "AKSDKCONTRACTT20002",
    "sdk-contract-t2-secret",
    "6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e",
    PartnerRole.TIER2_RESELLER,
    "云帆二级经销商",
    parent_domain_id=T1.domain_id,
    account_name="yunfan_t2",
    mobile_phone="13900000001",
    email="t2@yunfan.com.cn",
    account_manager="li_na_sales",
)
T2B = SimAccount(
    "AKSDKCONTRACTT20003",
    "sdk-contract-t2b-secret",
    "7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
    PartnerRole.TIER2_RESELLER,
    "星河二级经销商",
    parent_domain_id=T1.domain_id,
    account_name="xinghe_t2",
)
SP = SimAccount(
    "AKSDKCONTRACTSP0004",
    "sdk-contract-sp-secret",
    "8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a",
    PartnerRole.SOLUTION_PROVIDER,
    "SP",
)
ACCOUNTS = (T1, T2, T2B, SP)
SEED = 3
ASSOCIATION_DELAY = timedelta(seconds=1)


@dataclass
class Served:
    url: str
    app: SimulatorApp

    def partner(self, account: SimAccount) -> PartnerState:
        found = self.app.simulator.by_access_key(account.access_key)
        assert found is not None
        return found

    def client(self, account: SimAccount = T1, secret_key: str | None = None) -> BssClient:
        return sdk_client(self.url, account, secret_key)


def sdk_client(url: str, account: SimAccount = T1, secret_key: str | None = None) -> BssClient:
    # domain_id is always given, or the SDK would call IAM to look it up (CONTRACTS.md H.1).
    credentials = GlobalCredentials(account.access_key, secret_key or account.secret_key, account.domain_id)
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    return BssClient.new_builder().with_credentials(credentials).with_http_config(config).with_endpoint(url).build()


def serve() -> Iterator[Served]:
    """A fresh simulator on a loopback port (real clock: the SDK stamps X-Sdk-Date with the time now)."""
    app = create_app(list(ACCOUNTS), seed=SEED, association_delay=ASSOCIATION_DELAY)
    with live_server(app) as url:
        yield Served(url, app)
