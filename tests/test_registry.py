from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.models import AccountType, CustomerKind
from gateway.provider import ProviderPlugin
from gateway.registry import ENTRY_POINT_GROUP, Registry
from gateway.rules import CAPABILITY_OF, program_problems

THIRD_PARTY_PLUGIN = """
from tests.support.fakes import FakePlugin

class MyCloud(FakePlugin):
    name = "mycloud"
    title = "My Cloud"

plugin = MyCloud()
misnamed = MyCloud()
not_a_plugin = object()
"""


@pytest.fixture
def installed_third_party(tmp_path: Path) -> Iterator[None]:
    """A package installed the way pip installs one: a module and a .dist-info with entry_points.txt."""
    (tmp_path / "mycloud_adapter.py").write_text(THIRD_PARTY_PLUGIN)
    dist_info = tmp_path / "mycloud_adapter-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: mycloud-adapter\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\n"
        "mycloud = mycloud_adapter:plugin\n"
        "othercloud = mycloud_adapter:misnamed\n"
        "junkcloud = mycloud_adapter:not_a_plugin\n"
        "gonecloud = mycloud_adapter_missing:plugin\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        yield
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("mycloud_adapter", None)


def test_the_built_in_providers_are_found_through_entry_points() -> None:
    registry = Registry.discover()
    assert {"aliyun", "huaweicloud"} <= set(registry)
    for name in ("aliyun", "huaweicloud"):
        assert isinstance(registry[name], ProviderPlugin)
        assert registry[name].name == name
    assert type(registry["aliyun"]).__module__.startswith("adapters.aliyun")
    assert type(registry["huaweicloud"]).__module__.startswith("adapters.huaweicloud")


def test_the_bundled_programs_declare_the_facts_of_domain_md() -> None:
    registry = Registry.discover()
    aliyun, huawei = registry["aliyun"].program, registry["huaweicloud"].program
    assert set(aliyun.roles) == {"distributor", "reseller"}
    assert aliyun.currencies == {"CNY", "USD"}
    assert dict(aliyun.filing_limits) == {CustomerKind.ENTERPRISE: 5, CustomerKind.INDIVIDUAL: 1}
    assert aliyun.projects_need_approval
    assert aliyun.money_account_types == {AccountType.CONSIGNMENT}
    # A distributor invites tier-2s and decides their voucher applications (A.4.13, A.7.21).
    assert dict(aliyun.intent_roles) == {"inviteReseller": {"distributor"}, "decideVoucherApplication": {"distributor"}}

    assert set(huawei.roles) == {"tier1-distributor", "tier2-reseller", "solution-provider"}
    assert huawei.currencies == {"CNY"}
    assert not huawei.filing_limits
    assert not huawei.projects_need_approval
    assert huawei.money_account_types == {AccountType.RESALE}
    tier1 = {"tier1-distributor", "solution-provider"}
    assert dict(huawei.intent_roles) == {
        "allocateResellerFunds": tier1,
        "reclaimResellerFunds": tier1,
        "grantVoucherQuota": tier1,
        "reclaimVoucherQuota": tier1,
    }


def test_every_installed_program_speaks_of_known_intents_and_describes_its_roles() -> None:
    for plugin in Registry.discover().values():
        assert program_problems(plugin.program) == []
        assert set(plugin.program.intent_roles) <= set(CAPABILITY_OF)
        assert all(description.strip() for description in plugin.program.roles.values())
        demo = plugin.demo()
        if demo is not None:
            assert demo.account.program is plugin.program


@pytest.mark.usefixtures("installed_third_party")
def test_an_installed_third_party_package_adds_a_provider_and_broken_ones_are_reported() -> None:
    registry = Registry.discover()
    assert registry["mycloud"].title == "My Cloud"
    assert {"aliyun", "huaweicloud", "mycloud"} <= set(registry)
    assert "is named 'mycloud', but its entry point is 'othercloud'" in registry.broken["othercloud"]
    assert "does not implement gateway.provider.ProviderPlugin" in registry.broken["junkcloud"]
    assert "ModuleNotFoundError" in registry.broken["gonecloud"]
    assert not {"othercloud", "junkcloud", "gonecloud"} & set(registry)


def test_gateway_never_imports_an_adapter() -> None:
    gateway_dir = Path(__file__).resolve().parents[1] / "gateway"
    offenders = [
        str(path.relative_to(gateway_dir.parent))
        for path in gateway_dir.rglob("*.py")
        if any(
            line.lstrip().startswith(("import adapters", "from adapters"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert offenders == []
