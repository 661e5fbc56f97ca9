"""The README's configuration snippets are configurations the gateway accepts, and its commands have one form."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from adapters.huaweicloud._plugin import DEMO_ACCESS_KEY, DEMO_DOMAIN_ID, DEMO_SECRET_KEY
from gateway.config import parse_config
from gateway.registry import Registry

README = (Path(__file__).parent.parent / "README.md").read_text()
TOML_BLOCKS = re.findall(r"```toml\n(.*?)```", README, flags=re.S)
SH_BLOCKS = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
# pyproject.toml's entry-point table, not a gateway configuration
CONFIG_BLOCKS = [block for block in TOML_BLOCKS if "[project." not in block]
COMMANDS = ("serve", "simulator", "check-config", "schema", "new-api-key")


def environ_for(table: dict[str, object]) -> dict[str, str]:
    """A value for every environment variable the snippet's accounts name, and a secret for each webhook's."""
    accounts, webhooks = table.get("accounts", []), table.get("webhooks", [])
    assert isinstance(accounts, list)
    assert isinstance(webhooks, list)
    environ = {var: f"value-of-{var}" for account in accounts for var in account.get("credentials", {}).values()}
    return environ | {hook["secret_env"]: "whsec_" + "A" * 44 for hook in webhooks}


def test_the_readme_has_configuration_snippets() -> None:
    assert len(CONFIG_BLOCKS) >= 5  # configuration, try.toml, standalone simulator, [auth.jwt], [writes]


@pytest.mark.parametrize("block", CONFIG_BLOCKS, ids=lambda block: block.split("\n", 1)[0])
def test_every_toml_snippet_is_a_configuration_the_gateway_accepts(block: str) -> None:
    table = tomllib.loads(block)
    config = parse_config(table, Registry.discover(), environ_for(table), source="README.md")
    if "accounts" not in table:  # a fragment runs on the embedded demo's accounts
        assert set(config.simulated) == {entry.account.id for entry in config.accounts}


def test_the_standalone_simulator_snippet_matches_what_the_simulator_prints() -> None:
    [block] = [block for block in CONFIG_BLOCKS if "127.0.0.1:8102" in block]
    table = tomllib.loads(block)
    environ = dict(re.findall(r"(SIM_HUAWEI_[AS]K)=([A-Za-z0-9-]+)", README))
    assert environ == {"SIM_HUAWEI_AK": DEMO_ACCESS_KEY, "SIM_HUAWEI_SK": DEMO_SECRET_KEY}
    config = parse_config(table, Registry.discover(), environ)
    [entry] = config.accounts
    assert entry.account.endpoint == "http://127.0.0.1:8102"
    assert entry.account.settings["domain_id"] == DEMO_DOMAIN_ID
    assert dict(config.simulated) == {}  # a real HTTP upstream, not the in-process demo
    assert "simulator huaweicloud --port 8102" in README


def test_the_readme_uses_one_form_of_the_command() -> None:
    other = re.findall(rf"(?<!\.venv/bin/)partner-gateway (?:{'|'.join(COMMANDS)})\b", README)
    assert other == []
    invocations = [line for block in SH_BLOCKS for line in block.splitlines() if "partner-gateway " in line]
    assert invocations
    assert all(line.lstrip().startswith((".venv/bin/partner-gateway ", "curl ")) for line in invocations), invocations
