"""Configuration: the partner accounts the gateway serves, read from a TOML file.

::

    [server]                       # optional
    host = "127.0.0.1"
    port = 8000
    cors_origins = ["https://app.example.com"]   # browsers' origins allowed to call /graphql (exact)

    [[accounts]]
    id = "acme-aliyun"             # stable: it is part of every global id
    provider = "aliyun"            # a plug-in name (gateway.registry)
    name = "Acme Aliyun distributor"
    role = "distributor"           # one of the provider's roles
    endpoint = "https://agency.aliyuncs.com"   # optional: the plug-in's default

    [accounts.credentials]         # credential -> NAME of the environment variable holding it
    access_key_id = "ACME_ALIYUN_AK_ID"
    access_key_secret = "ACME_ALIYUN_AK_SECRET"

    [accounts.settings]            # provider-specific, non-secret
    page_size = 20

    [accounts.upstream]            # optional: this account's own [upstream] keys (docs/upstream.md)
    rate_per_second = 15           # e.g. a higher quota granted for this account

    [[api_keys]]                   # machines: partner-gateway new-api-key prints an entry
    name = "billing-job"
    sha256 = "..."                 # the key's SHA-256, never the key
    role = "finance"               # admin | finance | sales (sales also needs owner = "...")
    expires_at = 2027-06-30T00:00:00Z   # optional

    [auth.jwt]                     # people: OIDC/JWT bearer tokens (gateway.tokens)
    issuer = "https://login.example.com/"
    audience = "partner-gateway"
    jwks_url = "https://login.example.com/.well-known/jwks.json"

    [limits]                       # per principal and per request (gateway.config_tables.LimitsConfig)
    requests_per_minute = 600
    request_timeout_seconds = 10

    [graphql]                      # gateway.config_tables.GraphQLConfig
    trusted_documents = "manifest.json"   # optional: only these documents run
    introspection = true

    [redis]                        # several replicas share limits, caches, single flight (RedisConfig)
    url = "redis://redis:6379/0"   # or $PARTNER_GATEWAY_REDIS_URL (which wins; the only place for a password)
    key_prefix = "partner-gateway:"

    [program]                      # program standing, as policy (gateway.config_tables.ProgramConfig)
    fiscal_year_start_month = 4
    upgrade_line = 800000
    rebate_tiers = [{threshold = 0, rate = 15}, {threshold = "2000000", rate = 20}]

    [[webhooks]]                   # change notifications (gateway.config_tables.WebhookConfig)
    name = "crm"
    url = "https://crm.example.com/hooks/partner-gateway"
    secret_env = "CRM_WEBHOOK_SECRET"   # holds whsec_... (Standard Webhooks)
    types = ["customer.created", "customer.balance_low"]   # optional: default all
    [events]                       # change detection (gateway.config_tables.EventsConfig)
    poll_seconds = 60
    balance_floor = "1000.00"
    voucher_expiring_days = 7

Without ``[[accounts]]`` the file runs on the embedded demo's accounts (one per plug-in, each simulated
in-process), so keys, sign-in and limits can be tried in one step. Secrets never appear in the file.
Every problem is reported as a ``ConfigError`` naming the key
(``accounts[1].role``) and what is wrong with it.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gateway.auth import SUBJECT_PREFIX, ApiKey, Role
from gateway.config_tables import (
    EventsConfig,
    GraphQLConfig,
    JwtConfig,
    LimitsConfig,
    ProgramConfig,
    RedisConfig,
    UpstreamConfig,
    WebhookConfig,
    WritesConfig,
    parse_table,
)
from gateway.errors import ConfigError
from gateway.models import PartnerAccount, Secret
from gateway.persisted import load_manifest
from gateway.provider import ASGIApp, Credentials, ProviderPlugin
from gateway.registry import Registry
from gateway.rules import program_problems
from gateway.store import MEMORY_URL, sqlite_url

__all__ = [
    "CONFIG_ENV",
    "DEMO_SOURCE",
    "REDIS_URL_ENV",
    "AccountConfig",
    "EventsConfig",
    "GatewayConfig",
    "GraphQLConfig",
    "JwtConfig",
    "LimitsConfig",
    "ProgramConfig",
    "RedisConfig",
    "ServerConfig",
    "UpstreamConfig",
    "WebhookConfig",
    "WebhookEntry",
    "WritesConfig",
    "check_exposure",
    "demo_config",
    "load_config",
    "parse_config",
    "redis_from",
]

CONFIG_ENV = "PARTNER_GATEWAY_CONFIG"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEMO_SOURCE = "embedded demo"

_ACCOUNT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TOP_KEYS = {
    "server", "accounts", "api_keys", "auth", "store", "upstream", "writes", "limits", "graphql", "redis", "program",
    "webhooks",
}  # fmt: skip
_TOP_KEYS |= {"events"}  # change detection (issue #13)
_AUTH_KEYS = {"jwt"}
_STORE_KEYS = {"url", "data_dir"}
DATA_ENV = "PARTNER_GATEWAY_DATA"
#: The whole Redis URL, password included: a secret, so it comes from the environment (it wins over the file's).
REDIS_URL_ENV = "PARTNER_GATEWAY_REDIS_URL"
_API_KEY_KEYS = {"name", "sha256", "role", "owner", "expires_at"}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_SERVER_KEYS = {"host", "port", "cors_origins"}
_ACCOUNT_KEYS = {"id", "provider", "name", "role", "endpoint", "credentials", "settings", "upstream"}


@dataclass(frozen=True, slots=True)
class ServerConfig:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    cors_origins: tuple[str, ...] = ()
    """Origins (``scheme://host[:port]``, exact) whose browser apps may call ``/graphql``."""


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """A configured partner account and its credentials (``Secret`` values, read from the environment)."""

    account: PartnerAccount
    credentials: Credentials
    upstream: UpstreamConfig | None = None
    """The account's upstream policy: ``[upstream]`` with the account's ``[accounts.upstream]`` keys over it.
    None (an account not read from a file, such as the embedded demo's): the gateway's ``upstream``."""


@dataclass(frozen=True, slots=True)
class WebhookEntry:
    """A configured webhook and its signing secret (``whsec_...``, read from the environment)."""

    webhook: WebhookConfig
    secret: Secret


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    accounts: tuple[AccountConfig, ...]
    server: ServerConfig = ServerConfig()
    source: str = DEMO_SOURCE
    """Where the configuration came from: a file path, or the embedded demo."""
    simulated: Mapping[str, ASGIApp] = field(default_factory=dict)
    """Account id -> in-process simulator that stands in for its upstream (the embedded demo)."""
    api_keys: tuple[ApiKey, ...] = ()
    """No keys and no ``jwt``: the gateway runs open, and only on a loopback address (``check_exposure``)."""
    jwt: JwtConfig | None = None
    """``[auth.jwt]``: people sign in with bearer tokens from this issuer."""
    store_url: str = MEMORY_URL
    """Where the gateway keeps its own state (projects, operations, audit): see ``store_url_from``."""
    upstream: UpstreamConfig = field(default_factory=UpstreamConfig)
    writes: WritesConfig = field(default_factory=WritesConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    graphql: GraphQLConfig = field(default_factory=GraphQLConfig)
    trusted_documents: Mapping[str, str] | None = None
    """``[graphql] trusted_documents`` read: sha256 hash -> document; None: any document may run."""
    redis: RedisConfig | None = None
    """``[redis]`` (or ``$PARTNER_GATEWAY_REDIS_URL``): the replicas' shared state; None: this process's own."""
    program: ProgramConfig = field(default_factory=ProgramConfig)
    """``[program]``: rebate tiers, fiscal year and upgrade line (``gateway.program``)."""
    webhooks: tuple[WebhookEntry, ...] = ()
    """``[[webhooks]]``: receivers of change notifications (``gateway.notifications.webhooks``)."""
    events: EventsConfig = field(default_factory=EventsConfig)
    """``[events]``: change detection (``gateway.notifications.detect``)."""

    def __post_init__(self) -> None:
        settle = self.writes.settle_seconds
        # An account's own timeout counts too: the longest one bounds how late a sent write may land.
        timeouts = [entry.upstream.timeout_seconds for entry in self.accounts if entry.upstream is not None]
        timeout = max([self.upstream.timeout_seconds, *timeouts])
        if settle <= timeout:
            raise ConfigError(
                "writes.settle_seconds",
                f"must be greater than upstream.timeout_seconds ({timeout:g}): a write whose reply was lost can "
                f"still land until then, so after {settle:g} s it could be declared not applied while it may be",
            )
        if self.writes.attempt_seconds <= timeout:
            raise ConfigError(
                "writes.attempt_seconds",
                f"must be greater than upstream.timeout_seconds ({timeout:g}): an attempt needs time for one call",
            )


def load_config(
    path: str | os.PathLike[str], registry: Registry, environ: Mapping[str, str] = os.environ
) -> GatewayConfig:
    """Read and validate a TOML configuration file."""
    try:
        with Path(path).open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(str(path), "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"not valid TOML: {exc}") from None
    return parse_config(data, registry, environ, source=str(path))


def parse_config(
    data: Mapping[str, Any], registry: Registry, environ: Mapping[str, str], *, source: str = "<config>"
) -> GatewayConfig:
    _no_unknown_keys(data, _TOP_KEYS, "")
    server = _parse_server(data.get("server", {}))
    upstream = parse_table(UpstreamConfig, data.get("upstream", {}), "upstream")
    simulated: dict[str, ASGIApp] = {}
    if "accounts" in data:
        accounts = _parse_accounts(data["accounts"], registry, environ, upstream)
    else:  # keys, sign-in or limits to try out: on the embedded demo's accounts
        accounts, simulated = _demo_accounts(registry)
    api_keys = _parse_api_keys(data.get("api_keys", []))
    jwt = _parse_auth(data.get("auth", {}), source)
    store_url = store_url_from(data.get("store", {}), environ)
    writes = parse_table(WritesConfig, data.get("writes", {}), "writes")
    limits = parse_table(LimitsConfig, data.get("limits", {}), "limits")
    graphql, trusted = _parse_graphql(data.get("graphql", {}), source)
    redis = redis_from(data.get("redis"), environ)
    program = parse_table(ProgramConfig, data.get("program", {}), "program")
    webhooks = parse_webhooks(data.get("webhooks", []), environ)
    events = parse_table(EventsConfig, data.get("events", {}), "events")
    return GatewayConfig(
        accounts=accounts,
        server=server,
        source=source,
        simulated=simulated,
        api_keys=api_keys,
        jwt=jwt,
        store_url=store_url,
        upstream=upstream,
        writes=writes,
        limits=limits,
        graphql=graphql,
        trusted_documents=trusted,
        redis=redis,
        program=program,
        webhooks=webhooks,
        events=events,
    )


def _parse_graphql(raw: object, source: str) -> tuple[GraphQLConfig, Mapping[str, str] | None]:
    """``[graphql]``, its ``trusted_documents`` manifest resolved from the configuration file's folder and read."""
    graphql = parse_table(GraphQLConfig, raw, "graphql")
    if graphql.trusted_documents is None:
        return graphql, None
    path = Path(graphql.trusted_documents)
    if not path.is_absolute() and Path(source).is_file():
        graphql = graphql.model_copy(update={"trusted_documents": str(Path(source).parent / path)})
    return graphql, load_manifest(Path(str(graphql.trusted_documents)), "graphql.trusted_documents")


def store_url_from(raw: object, environ: Mapping[str, str]) -> str:
    """``[store] url`` (e.g. ``postgresql+asyncpg://gw@db/gateway``), else SQLite in ``[store] data_dir``,
    else in ``$PARTNER_GATEWAY_DATA``, else in ``./data``."""
    if not isinstance(raw, Mapping):
        raise ConfigError("store", "must be a table")
    _no_unknown_keys(raw, _STORE_KEYS, "store")
    url = raw.get("url")
    if url is not None:
        if not isinstance(url, str) or not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ConfigError("store.url", "must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return url
    data_dir = raw.get("data_dir", environ.get(DATA_ENV, "data"))
    if not isinstance(data_dir, str) or not data_dir:
        raise ConfigError("store.data_dir", "must be a directory path")
    return sqlite_url(data_dir)


def redis_from(raw: object, environ: Mapping[str, str]) -> RedisConfig | None:
    """``[redis]``, its ``url`` taken from ``$PARTNER_GATEWAY_REDIS_URL`` when that is set (a Kubernetes
    Secret, say); the variable alone turns Redis on with the table's defaults. None: neither is given."""
    from_env = environ.get(REDIS_URL_ENV)
    if raw is None and not from_env:
        return None
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ConfigError("redis", "must be a table")
    table = dict(raw)
    if "url" in table and isinstance(table["url"], str) and _holds_password(table["url"]):
        # Never echo it. A file is read by many and copied around; a password is a secret.
        raise ConfigError(
            "redis.url",
            f"must not hold a password: put the whole URL in ${REDIS_URL_ENV} (secrets never go in the file)",
        )
    if from_env:
        try:
            return parse_table(RedisConfig, {**table, "url": from_env}, "redis")
        except ConfigError as exc:
            if exc.key != "redis.url":
                raise
            raise ConfigError(f"${REDIS_URL_ENV}", exc.problem) from None
    if "url" not in table:
        raise ConfigError("redis.url", f"is required (or set ${REDIS_URL_ENV})")
    return parse_table(RedisConfig, table, "redis")


def _holds_password(url: str) -> bool:
    parts = urlsplit(url)
    try:
        password = parts.password
    except ValueError:
        return False  # not a URL at all: the table's own check says so
    return bool(password) or "password=" in parts.query


# --- webhooks (change notifications) --------------------------------------------------------------------------

_WHSEC = "whsec_"


def parse_webhooks(raw: object, environ: Mapping[str, str]) -> tuple[WebhookEntry, ...]:
    """``[[webhooks]]``, each with its secret read from the environment variable its ``secret_env`` names: a
    missing or malformed secret is an error naming the variable, never showing the value."""
    if not isinstance(raw, list):
        raise ConfigError("webhooks", "must be an array of tables ([[webhooks]])")
    entries: list[WebhookEntry] = []
    seen: set[str] = set()
    for index, table in enumerate(raw):
        key = f"webhooks[{index}]"
        webhook = parse_table(WebhookConfig, table, key)
        if webhook.name in seen:
            raise ConfigError(f"{key}.name", f"duplicate webhook name {webhook.name!r}")
        seen.add(webhook.name)
        entries.append(WebhookEntry(webhook, _webhook_secret(environ, webhook.secret_env, f"{key}.secret_env")))
    return tuple(entries)


def _webhook_secret(environ: Mapping[str, str], var: str, key: str) -> Secret:
    """A Standard Webhooks secret: ``whsec_`` and the base64 of 24 to 64 bytes (the specification's range)."""
    value = environ.get(var)
    if not value:
        raise ConfigError(key, f"environment variable {var} is not set")
    problem = (
        f"environment variable {var} must hold a Standard Webhooks secret: whsec_ and the base64 of 24 to 64 "
        "random bytes"
    )
    if not value.startswith(_WHSEC):
        raise ConfigError(key, problem)
    try:
        decoded = base64.b64decode(value.removeprefix(_WHSEC), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(key, problem) from None
    if not 24 <= len(decoded) <= 64:
        raise ConfigError(key, problem)
    return Secret(value)


def check_exposure(config: GatewayConfig, host: str) -> None:
    """Refuse to serve without authentication anywhere but on a loopback address."""
    if not config.api_keys and config.jwt is None and host not in _LOOPBACK and not host.startswith("127."):
        raise ConfigError(
            "api_keys",
            f"no API keys are configured, so the gateway may only listen on a loopback address, not {host!r} "
            "(add [[api_keys]] entries: partner-gateway new-api-key makes one; or sign people in with [auth.jwt])",
        )


def _parse_api_keys(raw: object) -> tuple[ApiKey, ...]:
    if not isinstance(raw, list):
        raise ConfigError("api_keys", "must be an array of tables ([[api_keys]])")
    keys: list[ApiKey] = []
    seen_names: set[str] = set()
    seen_hashes: set[str] = set()
    for index, entry in enumerate(raw):
        key = f"api_keys[{index}]"
        if not isinstance(entry, Mapping):
            raise ConfigError(key, "must be a table")
        _no_unknown_keys(entry, _API_KEY_KEYS, key)
        name = _required_str(entry, "name", key)
        if name.startswith(SUBJECT_PREFIX):
            raise ConfigError(f"{key}.name", f"must not start with {SUBJECT_PREFIX!r}: it names token subjects")
        digest = _required_str(entry, "sha256", key)
        if not _SHA256.match(digest):
            # Never echo it: it may be the key itself pasted by mistake.
            raise ConfigError(f"{key}.sha256", "must be the 64-hex SHA-256 of the key (partner-gateway new-api-key)")
        try:
            role = Role(_required_str(entry, "role", key))
        except ValueError:
            raise ConfigError(f"{key}.role", f"must be one of: {', '.join(r.value for r in Role)}") from None
        owner = entry.get("owner")
        if role is Role.SALES and (not isinstance(owner, str) or not owner.strip()):
            raise ConfigError(f"{key}.owner", "is required for a sales key: the salesperson whose customers it sees")
        if owner is not None and not isinstance(owner, str):
            raise ConfigError(f"{key}.owner", "must be a string")
        if name in seen_names:
            raise ConfigError(f"{key}.name", f"duplicate API key name {name!r}")
        if digest in seen_hashes:
            raise ConfigError(f"{key}.sha256", "the same key is configured twice")
        expires_at = entry.get("expires_at")
        if expires_at is not None and (not isinstance(expires_at, datetime) or expires_at.utcoffset() is None):
            raise ConfigError(
                f"{key}.expires_at", "must be an RFC 3339 date-time with an offset, unquoted: 2027-06-30T00:00:00Z"
            )
        seen_names.add(name)
        seen_hashes.add(digest)
        keys.append(ApiKey(name=name, sha256=digest, role=role, owner=owner, expires_at=expires_at))
    return tuple(keys)


def _parse_auth(raw: object, source: str) -> JwtConfig | None:
    """``[auth.jwt]``, its ``jwks_file`` resolved from the configuration file's folder and checked."""
    if not isinstance(raw, Mapping):
        raise ConfigError("auth", "must be a table")
    _no_unknown_keys(raw, _AUTH_KEYS, "auth")
    if "jwt" not in raw:
        return None
    jwt = parse_table(JwtConfig, raw["jwt"], "auth.jwt")
    if jwt.jwks_file is not None:
        path = Path(jwt.jwks_file)
        if not path.is_absolute() and Path(source).is_file():
            jwt = jwt.model_copy(update={"jwks_file": str(Path(source).parent / path)})
        from gateway.tokens import check_jwks_file  # joserfc only with [auth.jwt] (a faster start)

        check_jwks_file(jwt, "auth.jwt")
    return jwt


def demo_config(registry: Registry) -> GatewayConfig:
    """The embedded default: one demo account per plug-in, each backed by the plug-in's own simulator."""
    accounts, simulated = _demo_accounts(registry)
    return GatewayConfig(accounts=accounts, simulated=simulated, store_url=store_url_from({}, os.environ))


def _demo_accounts(registry: Registry) -> tuple[tuple[AccountConfig, ...], dict[str, ASGIApp]]:
    """One demo account per plug-in that ships one, and the in-process simulator behind each."""
    accounts: list[AccountConfig] = []
    simulated: dict[str, ASGIApp] = {}
    for plugin in registry.values():
        demo = _checked(plugin, "accounts").demo()
        if demo is None:
            continue
        accounts.append(AccountConfig(demo.account, demo.credentials))
        simulated[demo.account.id] = demo.app
    if not accounts:
        raise ConfigError(
            "accounts", "no [[accounts]] table is given and no installed provider ships a demo simulator to use instead"
        )
    return tuple(accounts), simulated


def _parse_accounts(
    raw_accounts: object, registry: Registry, environ: Mapping[str, str], upstream: UpstreamConfig
) -> tuple[AccountConfig, ...]:
    if not isinstance(raw_accounts, list) or not raw_accounts:
        raise ConfigError("accounts", "must be one or more [[accounts]] tables (or leave it out for the embedded demo)")
    accounts: list[AccountConfig] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_accounts):
        key = f"accounts[{index}]"
        if not isinstance(raw, Mapping):
            raise ConfigError(key, "must be a table")
        account = _parse_account(raw, key, registry, environ, upstream)
        if account.account.id in seen:
            raise ConfigError(f"{key}.id", f"duplicate account id {account.account.id!r}")
        seen.add(account.account.id)
        accounts.append(account)
    return tuple(accounts)


def _parse_server(raw: object) -> ServerConfig:
    if not isinstance(raw, Mapping):
        raise ConfigError("server", "must be a table")
    _no_unknown_keys(raw, _SERVER_KEYS, "server")
    host = raw.get("host", DEFAULT_HOST)
    port = raw.get("port", DEFAULT_PORT)
    if not isinstance(host, str) or not host:
        raise ConfigError("server.host", "must be a non-empty string")
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise ConfigError("server.port", f"must be an integer from 1 to 65535, not {port!r}")
    return ServerConfig(host=host, port=port, cors_origins=_parse_origins(raw.get("cors_origins", [])))


def _parse_origins(raw: object) -> tuple[str, ...]:
    """Exact browser origins: ``scheme://host[:port]``, no wildcard, path, query or user info."""
    if not isinstance(raw, list):
        raise ConfigError("server.cors_origins", 'must be an array of origins, e.g. ["https://app.example.com"]')
    origins: list[str] = []
    for index, origin in enumerate(raw):
        key = f"server.cors_origins[{index}]"
        if not isinstance(origin, str):
            raise ConfigError(key, "must be a string")
        if "*" in origin:
            raise ConfigError(key, "must be an exact origin: wildcards are not allowed")
        try:
            parts = urlsplit(origin)
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            raise ConfigError(key, "must be scheme://host[:port]") from None
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path
            or parts.query
            or parts.fragment
            or "@" in parts.netloc
            or origin != f"{parts.scheme}://{parts.netloc}"
        ):
            raise ConfigError(key, "must be scheme://host[:port] (http or https, no path, query or user info)")
        origins.append(origin.lower())
    return tuple(origins)


def _parse_account(
    raw: Mapping[str, Any], key: str, registry: Registry, environ: Mapping[str, str], upstream: UpstreamConfig
) -> AccountConfig:
    _no_unknown_keys(raw, _ACCOUNT_KEYS, key)
    account_id = _required_str(raw, "id", key)
    if not _ACCOUNT_ID.match(account_id):
        raise ConfigError(
            f"{key}.id", "must be 1-63 lower-case letters, digits or '-', starting with a letter or digit"
        )
    provider = _required_str(raw, "provider", key)
    plugin = _plugin(registry, provider, f"{key}.provider")
    name = _required_str(raw, "name", key)
    role = _parse_role(plugin, _required_str(raw, "role", key), f"{key}.role")
    endpoint = raw.get("endpoint", plugin.default_endpoint)
    if (
        not isinstance(endpoint, str)
        or urlsplit(endpoint).scheme not in ("http", "https")
        or not urlsplit(endpoint).netloc
    ):
        raise ConfigError(f"{key}.endpoint", f"must be an http(s) URL, not {endpoint!r}")
    settings = _parse_settings(plugin, raw.get("settings", {}), f"{key}.settings")
    credentials = _parse_credentials(plugin, raw.get("credentials"), f"{key}.credentials", environ)
    policy = _parse_account_upstream(raw.get("upstream", {}), upstream, f"{key}.upstream")
    account = PartnerAccount(
        id=account_id,
        provider=provider,
        name=name,
        role=role,
        endpoint=endpoint.rstrip("/"),
        program=plugin.program,
        settings=settings,
    )
    return AccountConfig(account=account, credentials=credentials, upstream=policy)


def _parse_account_upstream(raw: object, upstream: UpstreamConfig, key: str) -> UpstreamConfig:
    """``[accounts.upstream]``: the keys of ``[upstream]``, for this account; the others as ``[upstream]`` has them."""
    if not isinstance(raw, Mapping):
        raise ConfigError(key, "must be a table")
    return parse_table(UpstreamConfig, {**upstream.model_dump(exclude_unset=True), **raw}, key)


def _plugin(registry: Registry, provider: str, key: str) -> ProviderPlugin:
    if provider in registry:
        return _checked(registry[provider], key)
    if provider in registry.broken:
        raise ConfigError(
            key, f"provider plug-in {provider!r} is installed but failed to load: {registry.broken[provider]}"
        )
    known = ", ".join(sorted(registry)) or "none"
    raise ConfigError(key, f"unknown provider {provider!r} (installed: {known})")


def _checked(plugin: ProviderPlugin, key: str) -> ProviderPlugin:
    """A plug-in whose program facts the rules can apply (a role rule naming no known intent would guard nothing)."""
    problems = program_problems(plugin.program)
    if problems:
        raise ConfigError(
            key, f"provider plug-in {plugin.name!r} declares facts the gateway cannot apply: {'; '.join(problems)}"
        )
    return plugin


def _parse_role(plugin: ProviderPlugin, value: str, key: str) -> str:
    """One of the roles the plug-in's program declares."""
    roles = plugin.program.roles
    if value not in roles:
        described = "; ".join(f"{role}: {roles[role]}" for role in sorted(roles))
        raise ConfigError(
            key,
            f"{value!r} is not a role of provider {plugin.name!r} (expected one of: {', '.join(sorted(roles))}) "
            f"[{described}]",
        )
    return value


def _parse_settings(plugin: ProviderPlugin, raw: object, key: str) -> dict[str, object]:
    if not isinstance(raw, Mapping):
        raise ConfigError(key, "must be a table")
    specs = {spec.name: spec for spec in plugin.settings}
    _no_unknown_keys(raw, set(specs), key)
    settings: dict[str, object] = {}
    for name, spec in specs.items():
        if name not in raw:
            if spec.required:
                raise ConfigError(f"{key}.{name}", f"is required by provider {plugin.name!r}" + _help(spec.help))
            continue
        value = raw[name]
        if not isinstance(value, spec.type) or (spec.type is int and isinstance(value, bool)):
            raise ConfigError(f"{key}.{name}", f"must be of type {spec.type.__name__}, not {type(value).__name__}")
        if isinstance(value, int) and not _within(value, spec.minimum, spec.maximum):
            raise ConfigError(f"{key}.{name}", f"must be from {spec.minimum} to {spec.maximum}, not {value}")
        settings[name] = value
    return settings


def _parse_credentials(plugin: ProviderPlugin, raw: object, key: str, environ: Mapping[str, str]) -> dict[str, Secret]:
    if raw is None:
        raise ConfigError(
            key, f"is required: name the environment variables holding {', '.join(plugin.credential_names)}"
        )
    if not isinstance(raw, Mapping):
        raise ConfigError(key, "must be a table of credential name -> environment variable name")
    _no_unknown_keys(raw, set(plugin.credential_names), key)
    credentials: dict[str, Secret] = {}
    for name in plugin.credential_names:
        var = raw.get(name)
        if var is None:
            raise ConfigError(f"{key}.{name}", "is required: the name of the environment variable that holds it")
        if not isinstance(var, str) or not _ENV_NAME.match(var):
            # Never echo the value: someone may have pasted the secret itself here.
            raise ConfigError(
                f"{key}.{name}", "must name an environment variable (letters, digits, '_'), not hold a secret"
            )
        value = environ.get(var)
        if not value:
            raise ConfigError(f"{key}.{name}", f"environment variable {var} is not set")
        credentials[name] = Secret(value)
    return credentials


def _required_str(raw: Mapping[str, Any], name: str, key: str) -> str:
    value = raw.get(name)
    if value is None:
        raise ConfigError(f"{key}.{name}", "is required")
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{key}.{name}", "must be a non-empty string")
    return value


def _no_unknown_keys(raw: Mapping[str, Any], allowed: set[str], key: str) -> None:
    for name in raw:
        if name not in allowed:
            where = f"{key}.{name}" if key else name
            expected = ", ".join(sorted(allowed)) or "none"
            raise ConfigError(where, f"unknown key (expected: {expected})")


def _within(value: int, minimum: int | None, maximum: int | None) -> bool:
    return (minimum is None or value >= minimum) and (maximum is None or value <= maximum)


def _help(text: str) -> str:
    return f" ({text})" if text else ""
