"""The ``huaweicloud`` plug-in object: what the gateway and the CLI read from it."""

from __future__ import annotations

import argparse
from importlib.metadata import entry_points

from adapters.huaweicloud import plugin
from gateway.models import AccountType
from gateway.provider import ProviderPlugin


def test_plugin_declares_itself() -> None:
    assert isinstance(plugin, ProviderPlugin)
    assert plugin.name == "huaweicloud"
    assert plugin.title == "Huawei Cloud"
    assert set(plugin.program.roles) == {"tier1-distributor", "tier2-reseller", "solution-provider"}
    assert plugin.program.currencies == {"CNY"}
    assert plugin.program.money_account_types == {AccountType.RESALE}
    assert not plugin.program.filing_limits
    assert not plugin.program.projects_need_approval
    assert plugin.default_endpoint == "https://bss.myhuaweicloud.com"
    assert plugin.credential_names == ("access_key", "secret_key")
    settings = {spec.name: spec for spec in plugin.settings}
    assert settings["domain_id"].required
    assert settings["domain_id"].type is str
    assert not settings["page_size"].required
    assert settings["page_size"].type is int


def test_entry_point_resolves_to_the_plugin() -> None:
    (entry,) = entry_points(group="partner_gateway.providers", name="huaweicloud")
    assert entry.load() is plugin


def test_simulator_options_and_banner() -> None:
    parser = argparse.ArgumentParser()
    plugin.add_simulator_arguments(parser)
    options = parser.parse_args(["--seed", "5", "--access-key", "MYAK", "--domain-id", "mydomain"])
    assert (options.host, options.port, options.seed) == ("127.0.0.1", 8102, 5)
    app, lines = plugin.simulator(options)
    banner = "\n".join(lines)
    assert callable(app)
    assert "http://127.0.0.1:8102" in banner
    assert "MYAK" in banner
    assert "mydomain" in banner
    assert options.secret_key in banner
    assert "POST /v2/partners/sub-customers/query" in banner
    assert "list_sub_customers" in banner
