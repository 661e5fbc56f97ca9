"""The configuration's plain tables, declared as pydantic models.

A table is a model: its keys, their types and bounds, in one place. ``parse_table`` turns the first
validation failure into a ``ConfigError`` that names the key as the file spells it
(``upstream.timeout_seconds: ...``), like every other configuration error. Tables whose shape depends
on the installed plug-ins (``[[accounts]]``: roles, settings, credentials) are read by ``gateway.config``.

pydantic, because the configuration grows by a table per feature (limits, sign-in, CORS, notifications):
declaring each beats hand-written checks, and its errors carry the path of the offending key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from gateway.errors import ConfigError
from gateway.events import EVENT_TYPES

__all__ = [
    "JWT_ALGORITHMS",
    "EventsConfig",
    "GraphQLConfig",
    "JwtConfig",
    "LimitsConfig",
    "ProgramConfig",
    "RebateTier",
    "RedisConfig",
    "Table",
    "UpstreamConfig",
    "WebhookConfig",
    "WritesConfig",
    "parse_table",
]


class Table(BaseModel):
    """A configuration table: unknown keys are errors, values are taken as written (no "15" for 15)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class UpstreamConfig(Table):
    """``[upstream]``: how the gateway treats each cloud account's upstream (``docs/upstream.md``); an account's
    ``[accounts.upstream]`` table overrides any of these keys for that account alone.

    The limits stay below what the clouds document for their partner APIs: Huawei Cloud's partner (BSS) APIs
    allow 10 calls a second per API and per partner account or source IP by default (5 for check-identity,
    up to 30 for some price queries); Alibaba Cloud documents a per-API rate in each operation's page and in
    Quota Center, which could not be found for the Agency API, so the same conservative figures apply."""

    timeout_seconds: float = Field(15.0, gt=0, le=600)
    """For each read of the answer (and each write of the request): past it the call fails, and a write's
    outcome is unknown."""
    connect_timeout_seconds: float = Field(5.0, gt=0, le=600)
    """For opening a connection: past it nothing was sent."""
    read_timeout_seconds: float = Field(3.0, gt=0, le=600)
    """For each read of a read's answer (a query, a list): a read that has said nothing for this long is more
    likely stuck than slow, and is cut off and retried (within the request's deadline and the retry budget)
    instead of holding its request to the deadline. Writes keep ``timeout_seconds``: a write cut off has an
    unknown outcome, which costs a settle window, not a retry."""

    max_concurrency: int = Field(4, ge=0, le=1000)
    """Calls in flight to the account at once, per gateway process; a call waits for a slot until its request's
    deadline, then is refused with ``UPSTREAM_LIMITED``. 0: no cap."""
    rate_per_second: float = Field(8.0, ge=0, le=10_000)
    """Calls a second to each upstream operation (API) of the account, as the clouds count them; shared by every
    replica that shares the state (``[redis]``). A call waits for its token until its request's deadline, then
    is refused with ``UPSTREAM_LIMITED``. 0: no limit."""
    rate_burst: int = Field(1, ge=1, le=10_000)
    """Calls that may go at once after a quiet spell: in any ``T`` seconds at most ``rate_burst +
    rate_per_second * T`` calls of one API go out (9 in any second by default, below the 10 documented)."""

    funds_cache_seconds: float = Field(10.0, ge=0, le=300)
    """How long a customer's funds as read upstream (Aliyun GetCreditInfo, Huawei's balance batch query) answer
    the same read again: a page of a hundred balances costs its hundred calls once in that time, not on every
    refresh. Any write through the gateway to the account drops them at once, so its own transfers, credit lines
    and freezes show in the next read; what moves them outside the gateway (spending, a console) shows within
    this time. 0: never cached (still shared between requests in flight)."""

    retry_attempts: int = Field(3, ge=1, le=10)
    """Attempts per call, the first included (1: never retried). Reads are retried after timeouts, connection
    failures, 5xx and throttling; a write only when it was refused before being applied."""
    retry_budget_ratio: float = Field(0.2, ge=0, le=1)
    """Retries may be this share of the account's first attempts over the budget window (Apollo Router's
    default), so an outage is not multiplied by the attempts."""
    retry_budget_min_per_second: float = Field(1.0, ge=0, le=1000)
    """Retries allowed regardless of traffic: this many a second over the budget window."""
    retry_budget_window_seconds: float = Field(10.0, gt=0, le=600)
    """The budget's sliding window."""

    breaker_failures: int = Field(5, ge=1, le=10_000)
    """Consecutive failures (timeouts, connection failures, 5xx, calls cut off at a deadline) that open the
    account's circuit: while open, calls are refused at once with ``PROVIDER_UNAVAILABLE`` and ``retryAfter``."""
    breaker_error_rate: float = Field(0.5, gt=0, le=1)
    """Or this share of failures among the calls of the breaker window, once it holds ``breaker_min_calls``."""
    breaker_min_calls: int = Field(20, ge=1, le=100_000)
    breaker_window_seconds: float = Field(30.0, gt=0, le=3_600)
    breaker_open_seconds: float = Field(5.0, gt=0, le=3_600)
    """How long the circuit stays open before probes may go; doubled each time a probe fails, up to
    ``breaker_max_open_seconds``."""
    breaker_max_open_seconds: float = Field(60.0, gt=0, le=86_400)
    breaker_probes: int = Field(1, ge=1, le=100)
    """Calls let through once the open time is over (half-open): all succeeding close the circuit, one failing
    opens it again."""

    @model_validator(mode="after")
    def _open_times(self) -> UpstreamConfig:
        if self.breaker_max_open_seconds < self.breaker_open_seconds:
            raise PydanticCustomError("breaker", "breaker_max_open_seconds must be at least breaker_open_seconds")
        return self


class WritesConfig(Table):
    """``[writes]``: how unknown outcomes are settled."""

    settle_seconds: float = Field(120.0, ge=0, le=86_400)
    """How long a request, once sent, may take to land upstream. A write whose outcome is unknown stays
    pending while the upstream's records show nothing, until ``attempt_seconds + settle_seconds`` after it
    started; only then may the gateway conclude "not applied" and let the same key try again. It must
    exceed the upstream timeout."""
    attempt_seconds: float = Field(60.0, gt=0, le=3_600)
    """How long one attempt of a write may go on (the adapter retries a request the upstream refused or
    that never left): it is cut off then, so its last request went out within this time."""


#: The signing algorithms a token may use: asymmetric only. With HMAC (HS*) the gateway would have to hold the
#: issuer's signing secret, and a verifier that accepts HS* can be fooled into using a public key as the secret.
JWT_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519", "Ed448"}
)


def _asymmetric(alg: str) -> str:
    if alg in JWT_ALGORITHMS:
        return alg
    if alg.lower() == "none" or alg.upper().startswith("HS"):
        raise PydanticCustomError(
            "jwt_algorithm", "is refused: only asymmetric algorithms (RS*, PS*, ES*, EdDSA) verify tokens here"
        )
    raise PydanticCustomError("jwt_algorithm", "must be one of: {known}", {"known": ", ".join(sorted(JWT_ALGORITHMS))})


def _name(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be blank")
    return value


Name = Annotated[str, AfterValidator(_name)]


def _url(value: str) -> str:
    parts = urlsplit(value)
    loopback = parts.hostname in ("localhost", "::1") or (parts.hostname or "").startswith("127.")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise PydanticCustomError("jwks_url", "must be an https URL (http only on a loopback address)")
    return value


class JwtConfig(Table):
    """``[auth.jwt]``: people sign in with OIDC/JWT bearer tokens from one issuer."""

    issuer: Name
    """The ``iss`` every token must carry (the identity provider's issuer URL)."""
    audience: Name
    """The ``aud`` a token must name: the gateway's client or API id at the issuer."""
    jwks_url: Annotated[str, AfterValidator(_url)] | None = None
    """Where the issuer publishes its public keys (OIDC discovery's ``jwks_uri``)."""
    jwks_file: Name | None = None
    """Or a JWKS file (relative paths from the configuration file's folder)."""
    algorithms: tuple[Annotated[str, AfterValidator(_asymmetric)], ...] = Field(
        ("RS256", "ES256"), min_length=1, strict=False
    )
    """The ``alg`` values a token may use."""
    role_claim: Name = "role"
    """The claim holding ``admin``, ``finance`` or ``sales``."""
    owner_claim: Name = "owner"
    """The claim naming the salesperson a sales token stands for (required in sales tokens)."""
    subject_claim: Name = "sub"
    """The claim naming the person: the principal is ``jwt:<subject>`` in the audit trail."""
    leeway_seconds: int = Field(60, ge=0, le=600)
    """Clock leeway for ``exp`` and ``nbf``."""
    console_client_id: Name | None = None
    """The client id the web console (``/console``) signs people in with: a public client at the issuer that
    allows the authorization code flow with PKCE and ``<gateway>/console/`` as a redirect URI, and whose access
    tokens name ``audience``. Absent: ``audience``."""
    console_scopes: tuple[Name, ...] = Field(("openid",), min_length=1, strict=False)
    """The scopes the console asks for."""

    @model_validator(mode="after")
    def _one_key_source(self) -> JwtConfig:
        if (self.jwks_url is None) == (self.jwks_file is None):
            raise PydanticCustomError("jwks", "needs exactly one of jwks_url and jwks_file")
        return self


class LimitsConfig(Table):
    """``[limits]``: what one caller and one request may take. A front end's real queries stay far below the
    document limits; a hostile document does not. Those are checked before anything runs, in time linear in
    the document (``gateway.schema.limits``)."""

    max_body_bytes: int = Field(1_048_576, ge=1024, le=64 * 1_048_576)
    """The largest request body read: a longer one is answered ``413`` before it is parsed."""

    requests_per_minute: int = Field(600, ge=0, le=1_000_000)
    """Per principal (an API key's name, ``jwt:<subject>``, the open mode's anonymous admin): past it a request
    is ``429`` with ``Retry-After``. 0: no limit."""
    request_timeout_seconds: float = Field(10.0, gt=0, le=600)
    """One deadline for a whole GraphQL request: at it the request answers with what it has, plus errors."""
    max_tokens: int = Field(2000, ge=10, le=100_000)
    """Lexical tokens in the document, counted before it is parsed."""
    max_depth: int = Field(12, ge=1, le=100)
    """Nesting of fields with a selection (introspection fields not counted)."""
    max_aliases: int = Field(30, ge=0, le=10_000)
    """Aliased fields, each fragment counted as often as it is spread."""
    max_fields: int = Field(500, ge=1, le=100_000)
    """Fields and fragment spreads selected, each fragment counted as often as it is spread."""
    max_cost: int = Field(1000, ge=1, le=10_000_000)
    """Estimated upstream calls (see ``gateway.schema.cost``): above it the request is refused unrun."""


class GraphQLConfig(Table):
    """``[graphql]``: which documents run."""

    trusted_documents: Name | None = None
    """A manifest of the only documents that may run (relative paths from the configuration file's folder):
    ``{"<sha256>": "<document>"}`` or Apollo's persisted-query manifest."""
    introspection: bool = True
    """``false``: ``__schema`` and ``__type`` queries are refused (the schema is not for browsing)."""
    persisted_queries_cache: int = Field(1000, ge=1, le=1_000_000)
    """How many automatically persisted queries are kept (least recently used go first)."""


def _redis_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise PydanticCustomError("redis_url", "must be a redis://, rediss:// or unix:// URL")
    if parts.scheme != "unix" and not parts.hostname:
        raise PydanticCustomError("redis_url", "must name a host: redis://HOST[:PORT][/DB]")
    return value


def _key_prefix(value: str) -> str:
    if not value.isprintable() or " " in value:
        raise PydanticCustomError("key_prefix", "must be printable, without spaces")
    return value


class RedisConfig(Table):
    """``[redis]``: the state several gateway replicas share (``gateway.upstream.redis_state``): rate limits,
    cached answers and single flight. Without it each process keeps its own."""

    url: Annotated[str, AfterValidator(_redis_url)]
    """``redis://host:6379/0`` (``rediss://`` for TLS). A password belongs in ``$PARTNER_GATEWAY_REDIS_URL``,
    never in the file (``gateway.config``)."""
    key_prefix: Annotated[str, AfterValidator(_key_prefix)] = Field("partner-gateway:", min_length=1, max_length=100)
    """Put before every key and channel: gateways sharing a prefix share their state; other prefixes (another
    deployment, a test) share the server and nothing else."""
    connect_timeout_seconds: float = Field(1.0, gt=0, le=60)
    """For opening a connection to Redis."""
    timeout_seconds: float = Field(0.5, gt=0, le=60)
    """For one command's reply: past it the call is served in this process instead (see ``retry_seconds``)."""
    retry_seconds: float = Field(5.0, gt=0, le=600)
    """After a failure, Redis is left alone this long (each replica serves from its own memory, degraded but
    serving), then tried again with one call."""


def _amount(value: object) -> object:
    """An amount of money as TOML can write it exactly: a whole number or a decimal string (never a float)."""
    if isinstance(value, bool | float):
        raise PydanticCustomError("amount", 'must be a whole number or a decimal string such as "800000.00"')
    if isinstance(value, int | str):
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise PydanticCustomError("amount", "must be a decimal number") from None
        if not amount.is_finite() or amount < 0:
            raise PydanticCustomError("amount", "must be a finite amount, not negative")
        return amount
    return value


Amount = Annotated[Decimal, BeforeValidator(_amount)]


def _rising(tiers: tuple[RebateTier, ...]) -> tuple[RebateTier, ...]:
    for lower, upper in pairwise(tiers):
        if upper.threshold <= lower.threshold or upper.rate <= lower.rate:
            raise PydanticCustomError("tiers", "must rise: each tier's threshold and rate above the one's before")
    return tiers


class RebateTier(Table):
    """One rebate tier: from this annual consumption (in ``[program] currency``) on, this rebate."""

    threshold: Amount
    rate: int = Field(ge=1, le=100)
    """Percent."""


#: The five tiers of the rebate program (DOMAIN.md, seed 000: "five tiers, rebate from 15 % to 35 %"). The
#: percentages are the documented range; the thresholds are placeholders of the gateway's own: the cloud
#: publishes no figures for them (CONTRACTS.md X.3, no API), so a distributor sets its contract's.
DEFAULT_REBATE_TIERS = (
    RebateTier(threshold=Decimal(0), rate=15),
    RebateTier(threshold=Decimal(1_000_000), rate=20),
    RebateTier(threshold=Decimal(3_000_000), rate=25),
    RebateTier(threshold=Decimal(5_000_000), rate=30),
    RebateTier(threshold=Decimal(10_000_000), rate=35),
)


class ProgramConfig(Table):
    """``[program]``: the partner programs' standing where no API gives it (CONTRACTS.md X.3), as policy: the
    rebate tiers, the fiscal year and the tier-2 upgrade line. Which roles each applies to is the programs'
    fact (their plug-ins'); the figures here are the distributor's to set."""

    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$")
    """The currency of the thresholds and the upgrade line; consumption in another currency is not counted."""
    fiscal_year_start_month: int = Field(1, ge=1, le=12)
    """The month a fiscal year starts (1: January); annual figures are the fiscal year's to date."""
    upgrade_line: Amount = Decimal(800_000)
    """A tier-2's annual performance from which it may apply to be upgraded toward tier-1 (DOMAIN.md, seed 003)."""
    rebate_tiers: Annotated[tuple[RebateTier, ...], AfterValidator(_rising)] = Field(
        DEFAULT_REBATE_TIERS, min_length=1, max_length=20, strict=False
    )
    """From the lowest threshold up; thresholds and rates rising. Defaults: ``DEFAULT_REBATE_TIERS``."""


# --- [events]: change detection (issue #13, gateway.notifications.detect) --------------------------------


class EventsConfig(Table):
    """``[events]``: how the gateway watches each partner account for changes (``gateway.notifications.detect``).
    One replica polls each account at a time (a lease in the store); every poll reads through the account's
    upstream stack, so its limits, breaker and metrics apply to polling as to requests."""

    enabled: bool = True
    """Poll at all (false: no change events but those of the gateway's own writes)."""
    poll_seconds: float = Field(60.0, ge=1, le=86_400)
    """Between two polls of an account. A replica that dies is replaced after three of these."""
    balance_floor: Amount | None = None
    """``customer.balance_low`` also when a customer's available money falls under this amount (in the
    customer's own currency), besides its warning threshold where the upstream has one."""
    voucher_expiring_days: int = Field(7, ge=1, le=365)
    """``voucher.expiring`` once for a voucher whose validity ends within this many days."""


# --- webhooks (change notifications: gateway.notifications.webhooks) ----------------------------------------------

_WEBHOOK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def _webhook_name(value: str) -> str:
    if not _WEBHOOK_NAME.match(value):
        raise PydanticCustomError(
            "webhook_name", "must be 1-64 letters, digits, '.', '_' or '-', starting with one of the first two"
        )
    return value


def _webhook_url(value: str) -> str:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise PydanticCustomError("webhook_url", "must be an http(s) URL") from None
    if parts.username is not None or parts.password is not None:
        # Never echo it: user info in a URL is a password in the file.
        raise PydanticCustomError("webhook_url", "must not hold user info (the signature authenticates the gateway)")
    host = parts.hostname or ""
    loopback = host in ("localhost", "::1") or host.startswith("127.")
    if not host or (parts.scheme != "https" and not (parts.scheme == "http" and loopback)):
        raise PydanticCustomError("webhook_url", "must be an https URL (http only on a loopback address)")
    return value


def _event_type(value: str) -> str:
    if value not in EVENT_TYPES:
        raise PydanticCustomError("event_type", "must be an event type: {known}", {"known": ", ".join(EVENT_TYPES)})
    return value


def _env_name(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        # Never echo the value: someone may have pasted the secret itself here.
        raise PydanticCustomError(
            "env_name", "must name an environment variable (letters, digits, '_'), not hold a secret"
        )
    return value


class WebhookConfig(Table):
    """``[[webhooks]]``: one receiver of change notifications, per the Standard Webhooks specification. Each event
    of the wanted types is POSTed once it is in the outbox, signed with the receiver's ``whsec_`` secret (read
    from the environment variable ``secret_env`` names: ``gateway.config``), and retried with exponential backoff
    and full jitter until the receiver answers 2xx or ``max_attempts`` are spent (then the delivery is DEAD, and
    an admin may redeliver it). A webhook is told of the events stored from its first start on."""

    name: Annotated[str, AfterValidator(_webhook_name)]
    """Unique: the deliveries, the metrics and the admin's filter name the webhook by it."""
    url: Annotated[str, AfterValidator(_webhook_url)]
    """Where events are POSTed: https (http only on a loopback address); redirects are not followed."""
    secret_env: Annotated[str, AfterValidator(_env_name)]
    """The environment variable holding the receiver's secret, ``whsec_`` and base64 of 24 to 64 random bytes."""
    types: tuple[Annotated[str, AfterValidator(_event_type)], ...] = Field(EVENT_TYPES, min_length=1, strict=False)
    """The event types wanted (``gateway.events.EVENT_TYPES``); default all."""
    timeout_seconds: float = Field(10.0, gt=0, le=120)
    """For one delivery attempt, the whole request: past it the attempt failed."""
    max_attempts: int = Field(8, ge=1, le=100)
    """Attempts per event, the first included; after the last failed one the delivery is DEAD."""
    backoff_seconds: float = Field(30.0, gt=0, le=86_400)
    """The backoff's base: the wait after the n-th failed attempt is random between 0 and
    ``min(max_backoff_seconds, backoff_seconds * 2 ** (n - 1))`` (exponential backoff with full jitter)."""
    max_backoff_seconds: float = Field(3_600.0, gt=0, le=7 * 86_400)
    """The longest wait between two attempts."""
    concurrency: int = Field(4, ge=1, le=100)
    """Requests in flight to this receiver at once, per gateway process: a slow receiver holds these, never
    another webhook's, and other subjects' events go on while one subject's wait."""
    poll_seconds: float = Field(1.0, gt=0, le=60)
    """How often the outbox and the due deliveries are looked at (an event reaches the receiver within about
    this long of being stored)."""

    @model_validator(mode="after")
    def _backoff(self) -> WebhookConfig:
        if self.max_backoff_seconds < self.backoff_seconds:
            raise PydanticCustomError("backoff", "max_backoff_seconds must be at least backoff_seconds")
        return self


T = TypeVar("T", bound=Table)


def parse_table(model: type[T], raw: object, key: str) -> T:
    """``raw`` (the TOML table at ``key``, ``{}`` when absent) as ``model``, or a ``ConfigError`` at the key."""
    if not isinstance(raw, Mapping):
        raise ConfigError(key, "must be a table")
    try:
        return model.model_validate(dict(raw))
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        raise ConfigError(_path(key, error["loc"]), _problem(error)) from None


def _path(key: str, loc: tuple[int | str, ...]) -> str:
    path = key
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _problem(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key"
    message = str(error["msg"])
    message = message[0].lower() + message[1:] if message else "is invalid"
    # Never echo a value: it may be a secret pasted into the wrong key.
    return message.replace("Input should be", "must be").replace("input should be", "must be")
