from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from joserfc.jwk import RSAKey

from gateway.auth import Role
from gateway.cli import main
from gateway.config import check_exposure, demo_config, load_config, parse_config
from gateway.errors import ConfigError
from gateway.models import ProgramFacts, Secret
from gateway.registry import Registry
from tests.support.fakes import FAKE_PROGRAM, FakePlugin

REGISTRY = Registry([FakePlugin()], broken={"brokencloud": "ImportError: no module named brokencloud"})
ENV = {"FAKE_TOKEN": "s3cr3t-token-value"}
VALID: dict[str, Any] = {
    "server": {"host": "0.0.0.0", "port": 9000},
    "accounts": [
        {
            "id": "acme-fake",
            "provider": "fake",
            "name": "Acme on Fake Cloud",
            "role": "reseller",
            "credentials": {"token": "FAKE_TOKEN"},
            "settings": {"region": "cn-north-1", "page_size": 50},
        }
    ],
}


def with_change(path: str, value: object) -> dict[str, Any]:
    """VALID with one key set (or removed, for value ``...``); path like ``accounts.0.role``."""
    data = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return data


def test_a_valid_config_is_read() -> None:
    config = parse_config(VALID, REGISTRY, ENV)
    assert (config.server.host, config.server.port) == ("0.0.0.0", 9000)
    [entry] = config.accounts
    assert entry.account.id == "acme-fake"
    assert entry.account.role == "reseller"
    assert entry.account.program is FAKE_PROGRAM  # the plug-in's facts travel with the account
    assert entry.account.endpoint == FakePlugin.default_endpoint
    assert dict(entry.account.settings) == {"region": "cn-north-1", "page_size": 50}
    assert entry.credentials == {"token": Secret("s3cr3t-token-value")}


@pytest.mark.parametrize(
    ("path", "value", "key", "problem"),
    [
        ("accounts.0.role", "tier3", "accounts[0].role", "'tier3' is not a role of provider 'fake'"),
        ("accounts.0.role", "tier1-distributor", "accounts[0].role", "expected one of: distributor, reseller"),
        ("accounts.0.role", "Reseller", "accounts[0].role", "reseller: a fake distributor's tier-2"),
        ("accounts.0.provider", "nocloud", "accounts[0].provider", "unknown provider 'nocloud' (installed: fake)"),
        ("accounts.0.provider", "brokencloud", "accounts[0].provider", "failed to load: ImportError"),
        ("accounts.0.id", "Bad Id!", "accounts[0].id", "lower-case letters"),
        ("accounts.0.name", ..., "accounts[0].name", "is required"),
        ("accounts.0.endpoint", "ftp://x", "accounts[0].endpoint", "must be an http(s) URL"),
        ("accounts.0.colour", "red", "accounts[0].colour", "unknown key"),
        ("accounts.0.credentials", ..., "accounts[0].credentials", "name the environment variables holding token"),
        (
            "accounts.0.credentials.token",
            "NOT_SET_ANYWHERE",
            "accounts[0].credentials.token",
            "NOT_SET_ANYWHERE is not set",
        ),
        ("accounts.0.credentials.password", "X", "accounts[0].credentials.password", "unknown key"),
        ("accounts.0.settings.region", ..., "accounts[0].settings.region", "is required by provider 'fake'"),
        ("accounts.0.settings.page_size", "50", "accounts[0].settings.page_size", "must be of type int, not str"),
        ("accounts.0.settings.page_size", 0, "accounts[0].settings.page_size", "must be from 1 to 100, not 0"),
        ("server.port", 70000, "server.port", "from 1 to 65535"),
        ("accounts", [], "accounts", "must be one or more [[accounts]] tables"),
        ("tls", True, "tls", "unknown key"),
        ("upstream.timeout_seconds", 0, "upstream.timeout_seconds", "must be greater than 0"),
        ("upstream.timeout_seconds", "15", "upstream.timeout_seconds", "must be a valid number"),
        ("upstream.retries", 3, "upstream.retries", "unknown key"),
        ("writes.settle_seconds", 15, "writes.settle_seconds", "must be greater than upstream.timeout_seconds (15)"),
        ("writes.settle_seconds", 10, "writes.settle_seconds", "it could be declared not applied while it may be"),
        ("writes.settle_seconds", True, "writes.settle_seconds", "must be a valid number"),
        ("upstream.rate_per_second", -1, "upstream.rate_per_second", "must be greater than or equal to 0"),
        ("upstream.breaker_error_rate", 1.5, "upstream.breaker_error_rate", "must be less than or equal to 1"),
        ("upstream.breaker_max_open_seconds", 1, "upstream", "must be at least breaker_open_seconds"),
        ("upstream.retry_attempts", 0, "upstream.retry_attempts", "must be greater than or equal to 1"),
        ("accounts.0.upstream", 5, "accounts[0].upstream", "must be a table"),
        ("accounts.0.upstream.rate_per_secnd", 2, "accounts[0].upstream.rate_per_secnd", "unknown key"),
        ("accounts.0.upstream.max_concurrency", "8", "accounts[0].upstream.max_concurrency", "valid integer"),
        ("accounts.0.upstream.rate_burst", 0, "accounts[0].upstream.rate_burst", "greater than or equal to 1"),
        ("accounts.0.upstream.timeout_seconds", 200, "writes.settle_seconds", "must be greater than"),
    ],
)
def test_a_bad_config_names_the_key_and_the_problem(path: str, value: object, key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(with_change(path, value), REGISTRY, ENV)
    assert caught.value.key == key
    assert problem in caught.value.problem


class MisspeltRules(FakePlugin):
    """A plug-in whose role rule names an intent that does not exist: it would restrict nothing."""

    program = ProgramFacts(
        roles={"distributor": "d", "reseller": "r"},
        currencies=frozenset({"CNY"}),
        intent_roles={"transferFund": frozenset({"distributor"})},
    )


def test_a_plugin_whose_role_rules_name_no_intent_is_refused() -> None:
    registry = Registry([MisspeltRules()])
    with pytest.raises(ConfigError) as caught:
        parse_config(VALID, registry, ENV)
    assert caught.value.key == "accounts[0].provider"
    assert "role rules name unknown intents: transferFund" in caught.value.problem
    with pytest.raises(ConfigError, match="transferFund"):
        demo_config(registry)


def test_the_settle_window_is_read_and_must_outlast_the_upstream_timeout() -> None:
    default = parse_config(VALID, REGISTRY, ENV)
    assert (default.upstream.timeout_seconds, default.writes.settle_seconds) == (15.0, 120.0)
    tuned = parse_config(
        {**VALID, "upstream": {"timeout_seconds": 30, "connect_timeout_seconds": 2}, "writes": {"settle_seconds": 300}},
        REGISTRY,
        ENV,
    )
    assert (tuned.upstream.timeout_seconds, tuned.upstream.connect_timeout_seconds) == (30.0, 2.0)
    assert tuned.writes.settle_seconds == 300.0
    with pytest.raises(ConfigError) as caught:  # a longer timeout drags the window's floor along
        parse_config({**VALID, "upstream": {"timeout_seconds": 200}}, REGISTRY, ENV)
    assert caught.value.key == "writes.settle_seconds"


def test_each_account_has_the_upstream_policy_with_its_own_keys_over_the_gateway_table() -> None:
    second = {**VALID["accounts"][0], "id": "acme-fake-2", "upstream": {"rate_per_second": 2, "breaker_probes": 3}}
    data = {
        **VALID,
        "accounts": [VALID["accounts"][0], second],
        "upstream": {"timeout_seconds": 20, "max_concurrency": 6},
    }
    config = parse_config(data, REGISTRY, ENV)
    first, tuned = (entry.upstream for entry in config.accounts)
    assert first is not None
    assert tuned is not None
    assert first == config.upstream  # no table of its own: the gateway's [upstream]
    assert (first.timeout_seconds, first.max_concurrency, first.rate_per_second) == (20.0, 6, 8.0)
    # Its own keys over [upstream]'s, [upstream]'s over the defaults.
    assert (tuned.timeout_seconds, tuned.max_concurrency, tuned.rate_per_second) == (20.0, 6, 2.0)
    assert (tuned.breaker_probes, tuned.breaker_failures) == (3, 5)


def test_the_upstream_policy_defaults_stay_below_the_documented_partner_api_rates() -> None:
    policy = parse_config(VALID, REGISTRY, ENV).accounts[0].upstream
    assert policy is not None
    # docs/upstream.md: Huawei Cloud's partner APIs allow 10 calls a second per API by default; in any second
    # at most rate_burst + rate_per_second calls go out.
    assert policy.rate_burst + policy.rate_per_second < 10
    assert 0 < policy.max_concurrency <= 10
    assert (policy.retry_attempts, policy.retry_budget_ratio) == (3, 0.2)


def test_duplicate_account_ids_are_refused() -> None:
    data = copy.deepcopy(VALID)
    data["accounts"].append(copy.deepcopy(data["accounts"][0]))
    with pytest.raises(ConfigError, match=r"accounts\[1\]\.id: duplicate account id 'acme-fake'"):
        parse_config(data, REGISTRY, ENV)


def test_a_secret_pasted_into_the_file_is_refused_without_being_echoed() -> None:
    pasted = "LTAI5tR3alS3cr3t+/=="
    with pytest.raises(ConfigError) as caught:
        parse_config(with_change("accounts.0.credentials.token", pasted), REGISTRY, ENV)
    assert caught.value.key == "accounts[0].credentials.token"
    assert pasted not in str(caught.value)


def test_secrets_never_show_in_repr() -> None:
    config = parse_config(VALID, REGISTRY, ENV)
    assert "s3cr3t" not in repr(config)
    assert "s3cr3t" not in str(config.accounts[0].credentials)
    assert config.accounts[0].credentials["token"].reveal() == "s3cr3t-token-value"


def test_a_toml_file_is_loaded_and_errors_name_the_file(tmp_path: Path) -> None:
    good = tmp_path / "gateway.toml"
    good.write_text(
        '[[accounts]]\nid = "a1"\nprovider = "fake"\nname = "A"\nrole = "distributor"\n'
        '[accounts.credentials]\ntoken = "FAKE_TOKEN"\n[accounts.settings]\nregion = "r"\n'
    )
    assert load_config(good, REGISTRY, ENV).accounts[0].account.id == "a1"
    assert load_config(good, REGISTRY, ENV).source == str(good)

    broken = tmp_path / "broken.toml"
    broken.write_text("[[accounts]\n")
    with pytest.raises(ConfigError, match="not valid TOML") as caught:
        load_config(broken, REGISTRY, ENV)
    assert caught.value.key == str(broken)
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "missing.toml", REGISTRY, ENV)


@pytest.mark.parametrize(
    ("entry", "key", "problem"),
    [
        ({"name": "a", "sha256": "x" * 64, "role": "admin"}, "api_keys[0].sha256", "64-hex SHA-256"),
        ({"name": "a", "sha256": "a" * 64, "role": "boss"}, "api_keys[0].role", "admin, finance, sales"),
        ({"name": "a", "sha256": "a" * 64, "role": "sales"}, "api_keys[0].owner", "required for a sales key"),
        ({"name": "a", "sha256": "a" * 64, "role": "admin", "scope": "x"}, "api_keys[0].scope", "unknown key"),
    ],
)
def test_bad_api_keys_name_the_key(entry: dict[str, str], key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({**VALID, "api_keys": [entry]}, REGISTRY, ENV)
    assert caught.value.key == key
    assert problem in caught.value.problem


def test_api_keys_are_read_and_open_mode_is_loopback_only() -> None:
    entry = {"name": "wang", "sha256": "b" * 64, "role": "sales", "owner": "wang.lei"}
    config = parse_config({**VALID, "api_keys": [entry]}, REGISTRY, ENV)
    [api_key] = config.api_keys
    assert (api_key.role, api_key.owner) == (Role.SALES, "wang.lei")
    check_exposure(config, "0.0.0.0")  # keys configured: any address

    open_config = parse_config(VALID, REGISTRY, ENV)
    for host in ("127.0.0.1", "localhost", "::1"):
        check_exposure(open_config, host)
    with pytest.raises(ConfigError, match="may only listen on a loopback address"):
        check_exposure(open_config, "0.0.0.0")


def test_an_api_key_may_expire_at_an_rfc3339_date_time(tmp_path: Path) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text(
        '[[accounts]]\nid = "acme-fake"\nprovider = "fake"\nname = "Acme"\nrole = "reseller"\n'
        'credentials = { token = "FAKE_TOKEN" }\nsettings = { region = "cn-north-1" }\n'
        '[[api_keys]]\nname = "nightly"\nsha256 = "' + "c" * 64 + '"\nrole = "finance"\n'
        "expires_at = 2027-06-30T12:00:00+08:00\n"
    )
    [api_key] = load_config(path, REGISTRY, ENV).api_keys
    assert api_key.expires_at == datetime(2027, 6, 30, 4, tzinfo=UTC)
    assert not api_key.expired(datetime(2027, 6, 30, 3, 59, 59, tzinfo=UTC))
    assert api_key.expired(datetime(2027, 6, 30, 4, tzinfo=UTC))


@pytest.mark.parametrize(
    "value",
    [
        "2027-06-30T00:00:00Z",  # a string, not a TOML date-time
        datetime(2027, 6, 30, tzinfo=UTC).replace(tzinfo=None),  # a local date-time: which zone?
        date(2027, 6, 30),
    ],
)
def test_an_api_key_expiry_must_be_a_date_time_with_an_offset(value: object) -> None:
    entry = {"name": "a", "sha256": "a" * 64, "role": "admin", "expires_at": value}
    with pytest.raises(ConfigError) as caught:
        parse_config({**VALID, "api_keys": [entry]}, REGISTRY, ENV)
    assert caught.value.key == "api_keys[0].expires_at"
    assert "RFC 3339" in caught.value.problem


def test_an_api_key_may_not_take_a_token_subject_name() -> None:
    entry = {"name": "jwt:alice", "sha256": "a" * 64, "role": "admin"}
    with pytest.raises(ConfigError) as caught:
        parse_config({**VALID, "api_keys": [entry]}, REGISTRY, ENV)
    assert caught.value.key == "api_keys[0].name"


JWT: dict[str, Any] = {
    "issuer": "https://login.example.com/",
    "audience": "partner-gateway",
    "jwks_url": "https://login.example.com/jwks.json",
}


def test_an_auth_jwt_table_is_read_with_its_defaults_and_closes_the_gateway() -> None:
    config = parse_config({**VALID, "auth": {"jwt": JWT}}, REGISTRY, ENV)
    assert config.jwt is not None
    assert config.api_keys == ()
    assert (config.jwt.issuer, config.jwt.audience) == ("https://login.example.com/", "partner-gateway")
    assert config.jwt.algorithms == ("RS256", "ES256")
    assert (config.jwt.role_claim, config.jwt.owner_claim, config.jwt.subject_claim) == ("role", "owner", "sub")
    assert config.jwt.leeway_seconds == 60
    check_exposure(config, "0.0.0.0")  # only [auth.jwt]: not open, so any address
    assert parse_config(VALID, REGISTRY, ENV).jwt is None


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        ({"algorithms": ["RS256", "HS256"]}, "auth.jwt.algorithms[1]", "only asymmetric algorithms"),
        ({"algorithms": ["none"]}, "auth.jwt.algorithms[0]", "only asymmetric algorithms"),
        ({"algorithms": ["RS257"]}, "auth.jwt.algorithms[0]", "must be one of: ES256"),
        ({"algorithms": []}, "auth.jwt.algorithms", "at least 1"),
        ({"jwks_file": "keys.json"}, "auth.jwt", "exactly one of jwks_url and jwks_file"),
        ({"jwks_url": None}, "auth.jwt", "exactly one of jwks_url and jwks_file"),
        ({"jwks_url": "http://login.example.com/jwks.json"}, "auth.jwt.jwks_url", "must be an https URL"),
        ({"issuer": None}, "auth.jwt.issuer", "field required"),
        ({"audience": " "}, "auth.jwt.audience", "must not be blank"),
        ({"leeway_seconds": 3600}, "auth.jwt.leeway_seconds", "less than or equal to 600"),
        ({"leeway_seconds": "60"}, "auth.jwt.leeway_seconds", "valid integer"),
        ({"roles_claim": "roles"}, "auth.jwt.roles_claim", "unknown key"),
    ],
)
def test_a_bad_auth_jwt_table_names_the_key(change: dict[str, Any], key: str, problem: str) -> None:
    table = {k: v for k, v in {**JWT, **change}.items() if v is not None}
    with pytest.raises(ConfigError) as caught:
        parse_config({**VALID, "auth": {"jwt": table}}, REGISTRY, ENV)
    assert caught.value.key == key
    assert problem in caught.value.problem


def test_auth_takes_only_a_jwt_table() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({**VALID, "auth": {"saml": {}}}, REGISTRY, ENV)
    assert caught.value.key == "auth.saml"


def test_a_jwks_file_is_read_from_the_config_folder_and_checked_at_start(tmp_path: Path) -> None:
    public = RSAKey.generate_key(2048, parameters={"kid": "k1"}).as_dict(private=False)
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [public]}))
    head = (
        '[[accounts]]\nid = "acme-fake"\nprovider = "fake"\nname = "Acme"\nrole = "reseller"\n'
        'credentials = { token = "FAKE_TOKEN" }\nsettings = { region = "cn-north-1" }\n'
        '[auth.jwt]\nissuer = "i"\naudience = "a"\n'
    )
    path = tmp_path / "gateway.toml"
    path.write_text(head + 'jwks_file = "jwks.json"\n')
    jwt = load_config(path, REGISTRY, ENV).jwt
    assert jwt is not None
    assert jwt.jwks_file == str(tmp_path / "jwks.json")

    for content, problem in [
        (None, "cannot be read"),
        ("not json", "is not JSON"),
        ('{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}', "no usable public signing key"),
    ]:
        target = tmp_path / "bad.json"
        target.unlink(missing_ok=True)
        if content is not None:
            target.write_text(content)
        path.write_text(head + 'jwks_file = "bad.json"\n')
        with pytest.raises(ConfigError) as caught:
            load_config(path, REGISTRY, ENV)
        assert caught.value.key == "auth.jwt.jwks_file"
        assert problem in caught.value.problem


def test_a_file_without_accounts_runs_on_the_embedded_demo_accounts(tmp_path: Path) -> None:
    """Keys (or sign-in, or limits) to try, no partner account of one's own: the demo's accounts serve."""
    path = tmp_path / "gateway.toml"
    path.write_text(
        '[server]\nhost = "0.0.0.0"\nport = 9000\n\n'
        f'[[api_keys]]\nname = "tester"\nsha256 = "{"ab" * 32}"\nrole = "sales"\nowner = "wang.lei"\n'
    )
    registry = Registry.discover()
    config = load_config(path, registry, {})
    demo = demo_config(registry)
    assert [entry.account.id for entry in config.accounts] == [entry.account.id for entry in demo.accounts]
    assert {entry.account.provider for entry in config.accounts} == {"aliyun", "huaweicloud"}
    # Each demo account talks to its own in-process simulator, never to the real endpoint.
    assert set(config.simulated) == {entry.account.id for entry in config.accounts}
    assert [key.name for key in config.api_keys] == ["tester"]
    assert (config.server.host, config.server.port, config.source) == ("0.0.0.0", 9000, str(path))
    check_exposure(config, "0.0.0.0")  # keys are configured: it may listen anywhere


def test_without_accounts_and_without_a_demo_plugin_the_config_says_what_is_missing() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"api_keys": []}, REGISTRY, ENV)
    assert caught.value.key == "accounts"
    assert "no installed provider ships a demo simulator" in caught.value.problem


def test_a_file_with_accounts_uses_them_and_no_simulator() -> None:
    config = parse_config(VALID, REGISTRY, ENV)
    assert [entry.account.id for entry in config.accounts] == ["acme-fake"]
    assert dict(config.simulated) == {}


def test_check_config_says_the_demo_accounts_are_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "try.toml"
    path.write_text(
        '[store]\nurl = "sqlite+aiosqlite:///:memory:"\n\n'
        f'[[api_keys]]\nname = "me"\nsha256 = "{"cd" * 32}"\nrole = "admin"\n'
    )
    assert main(["check-config", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"no [[accounts]] in {path}: serving the embedded demo's partner accounts" in out
    assert "partner account huaweicloud-demo: Demo Huawei Cloud tier-1 distributor" in out
    assert "/_demo/<account>/_simulator/" in out
    assert "cd" * 32 not in out  # a key's hash is never printed
