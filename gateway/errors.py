"""The gateway's one error tree.

GatewayError                      code
├── ConfigError                   CONFIG_INVALID      a bad configuration key (start-up only)
├── InvalidInput                  BAD_USER_INPUT      the caller's input is wrong
├── QueryTooComplex               QUERY_TOO_COMPLEX   the document is over a [limits] bound (``limit``)
├── CostTooHigh                   COST_ESTIMATED_TOO_EXPENSIVE  its estimated upstream calls are over max_cost
├── NotFound                      NOT_FOUND
├── Unauthenticated               UNAUTHENTICATED     no valid API key or bearer token (HTTP 401)
├── Forbidden                     FORBIDDEN           the principal may not see or do this
├── RateLimited                   RATE_LIMITED        past [limits] requests_per_minute (HTTP 429, Retry-After)
├── PersistedQueryNotFound        PERSISTED_QUERY_NOT_FOUND    a hash the gateway does not know: send the document
├── PersistedQueryNotAllowed      PERSISTED_QUERY_NOT_ALLOWED  trusted-documents mode: not a listed document
├── PersistedQueryInvalid         PERSISTED_QUERY_INVALID      a hash that is not the document's, a bad version
├── RuleViolation                 RULE_VIOLATION      a partner program's rule forbids the write (``reason``)
├── ProjectRuleViolation          PROJECT_RULE_VIOLATION  a project change the project's rules refuse (``reason``)
├── IdempotencyConflict           IDEMPOTENCY_CONFLICT    the key was used before with different input
├── VersionConflict               VERSION_CONFLICT    the object changed since the caller read it
├── OperationPending              OPERATION_PENDING   an earlier attempt's outcome is not settled yet
├── StoredFailure                 (the stored code)   the first attempt's definite failure, replayed
├── StoreUnavailable              STORE_UNAVAILABLE   the gateway's own store cannot be read or written
├── SubscriptionLagged            SUBSCRIPTION_LAGGED a subscriber fell too far behind its events: subscribe again
├── UnsupportedByProvider         UNSUPPORTED_BY_PROVIDER
└── ProviderError                 PROVIDER_ERROR      the upstream said no (business error)
    ├── ProviderUnavailable       PROVIDER_UNAVAILABLE  network failure, timeout, HTTP 5xx
    │   ├── ProviderThrottled     PROVIDER_THROTTLED    upstream rate limit, maybe with retry_after
    │   ├── DeadlineExceeded      DEADLINE_EXCEEDED     the request's deadline passed before or during the call
    │   └── UpstreamLimited       UPSTREAM_LIMITED      the account's own concurrency cap or rate limit held it
    ├── ProviderAuthError         PROVIDER_AUTH         the upstream refused our credentials
    ├── ProviderForbidden         PROVIDER_FORBIDDEN    valid credentials, but this account's role may not
    └── ProviderProtocolError     PROVIDER_PROTOCOL     the upstream answered something we cannot read

Adapters translate every upstream failure into one of these, in one table per adapter, keeping the
upstream's own code and request id, and, for a business refusal the gateway knows, a provider-neutral
``Reason`` (insufficient funds, wrong account type, ...) that mutations report as a typed error.
The GraphQL layer turns ``code`` into ``extensions.code``. Messages never carry credentials.

A call the gateway held back itself (``held_back``: the account's circuit breaker is open, a
``ProviderUnavailable``; or its own limits refused it, ``UpstreamLimited``) was never sent, so a write is not
applied; ``extensions.retryAfter`` says in whole seconds when trying again makes sense.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from typing import Any, ClassVar

__all__ = [
    "ConfigError",
    "CostTooHigh",
    "DeadlineExceeded",
    "Forbidden",
    "GatewayError",
    "IdempotencyConflict",
    "InvalidInput",
    "NotFound",
    "OperationPending",
    "PersistedQueryInvalid",
    "PersistedQueryNotAllowed",
    "PersistedQueryNotFound",
    "ProjectRefusal",
    "ProjectRuleViolation",
    "ProviderAuthError",
    "ProviderError",
    "ProviderForbidden",
    "ProviderProtocolError",
    "ProviderThrottled",
    "ProviderUnavailable",
    "QueryTooComplex",
    "RateLimited",
    "Reason",
    "RuleViolation",
    "StoreUnavailable",
    "StoredFailure",
    "Unauthenticated",
    "UnsupportedByProvider",
    "UpstreamLimited",
    "VersionConflict",
]


class Reason(enum.Enum):
    """Why an upstream (or the gateway, before calling it) refused a write, in the gateway's words."""

    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"  # balance, credit or quota too small
    ACCOUNT_TYPE_NOT_ALLOWED = "ACCOUNT_TYPE_NOT_ALLOWED"  # e.g. money for a non-resale customer
    ROLE_NOT_ALLOWED = "ROLE_NOT_ALLOWED"  # e.g. a tier-2 on a tier-1-only operation
    FILING_LIMIT_EXCEEDED = "FILING_LIMIT_EXCEEDED"  # enterprise 5 accounts, individual 1
    CUSTOMER_OF_ANOTHER_PARTNER = "CUSTOMER_OF_ANOTHER_PARTNER"
    INVALID_VERIFICATION_CODE = "INVALID_VERIFICATION_CODE"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    INVITATION_EXPIRED = "INVITATION_EXPIRED"
    FROZEN = "FROZEN"
    NOT_FOUND = "NOT_FOUND"
    TOO_FREQUENT = "TOO_FREQUENT"  # an upstream rate rule (e.g. Aliyun 3058: 10 e-mails in 5 minutes)
    INVALID_INPUT = "INVALID_INPUT"
    OTHER = "OTHER"  # no reason the gateway knows: see the upstream's own code


class ProjectRefusal(enum.Enum):
    """Why the gateway refused a change to a project (a deal registration it keeps itself)."""

    PROJECT_CLOSED = "PROJECT_CLOSED"  # won or lost: nothing changes any more
    STAGE_BACKWARDS = "STAGE_BACKWARDS"  # to the current stage or an earlier one
    STAGE_SKIPPED = "STAGE_SKIPPED"  # more than one stage forward
    NOT_APPROVED = "NOT_APPROVED"  # the cloud's BD has not approved the filing yet
    NOT_CONFIRMED = "NOT_CONFIRMED"  # the customer has not confirmed the filing yet
    NOT_AWAITING_APPROVAL = "NOT_AWAITING_APPROVAL"  # the approval was decided already, or is not required
    ALREADY_CONFIRMED = "ALREADY_CONFIRMED"  # the customer confirmed it before
    FILING_CONFIRMED = "FILING_CONFIRMED"  # what the customer confirmed (the filing's flags) cannot change
    SIGNED = "SIGNED"  # a signed project cannot be closed as lost
    DUPLICATE_OPPORTUNITY = "DUPLICATE_OPPORTUNITY"  # another project has this upstream opportunity id
    CONFIGURATION_NOT_FOUND = "CONFIGURATION_NOT_FOUND"  # no configuration list of that number
    CONFIGURATION_STATUS = "CONFIGURATION_STATUS"  # a configuration list cannot move to that status from its own
    TOO_MANY_CONFIGURATIONS = "TOO_MANY_CONFIGURATIONS"


class GatewayError(Exception):
    """Base of every error the gateway raises on purpose. ``code`` is stable public API."""

    code: ClassVar[str] = "INTERNAL"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def extensions(self) -> dict[str, object]:
        """What a client sees under ``extensions`` in a GraphQL error."""
        return {"code": self.code}


class ConfigError(GatewayError):
    """The configuration is invalid; ``key`` is the dotted path of the offending key."""

    code = "CONFIG_INVALID"

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


class InvalidInput(GatewayError):
    """Input the gateway refuses: ``field`` names it; ``reason`` (a stable code such as ``RANGE_TOO_LONG``) and
    ``details`` (further extensions, such as a limit) say more where a client can act on it."""

    code = "BAD_USER_INPUT"

    def __init__(
        self,
        message: str,
        field: str | None = None,
        *,
        reason: str | None = None,
        details: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.reason = reason
        self.details = dict(details or {})

    def extensions(self) -> dict[str, object]:
        ext = super().extensions()
        if self.field is not None:
            ext["field"] = self.field
        if self.reason is not None:
            ext["reason"] = self.reason
        return {**ext, **self.details}


class QueryTooComplex(GatewayError):
    """A document over one of the ``[limits]`` bounds: refused before it runs. ``limit`` names the bound
    (``max_depth``, ``max_aliases``, ``max_fields``, ``max_tokens``)."""

    code = "QUERY_TOO_COMPLEX"

    def __init__(self, message: str, limit: str, maximum: int) -> None:
        super().__init__(message)
        self.limit = limit
        self.maximum = maximum

    def extensions(self) -> dict[str, object]:
        return {**super().extensions(), "limit": self.limit, "maximum": self.maximum}


class CostTooHigh(GatewayError):
    """The request's estimated cost (upstream calls) is over ``[limits] max_cost``: refused before it runs."""

    code = "COST_ESTIMATED_TOO_EXPENSIVE"

    def __init__(self, estimated: int, maximum: int) -> None:
        super().__init__(
            f"the request's estimated cost of {estimated} upstream calls is over the limit of {maximum}: "
            "ask for smaller pages (first), fewer nested lists or fewer aliases"
        )
        self.estimated = estimated
        self.maximum = maximum

    def extensions(self) -> dict[str, object]:
        return {**super().extensions(), "cost": {"estimated": self.estimated, "maximum": self.maximum}}


class NotFound(GatewayError):
    code = "NOT_FOUND"


class Unauthenticated(GatewayError):
    """No valid credential: a missing, unknown or expired API key, or a refused bearer token. The message says
    why in general terms (expired, another audience, ...) and never contains what was presented."""

    code = "UNAUTHENTICATED"


class Forbidden(GatewayError):
    """The principal may not see or do this (a role's limits; never used to hide that an object exists)."""

    code = "FORBIDDEN"


class RateLimited(GatewayError):
    """The principal sent more than ``[limits] requests_per_minute``; ``retry_after`` whole seconds (at least 1)
    until the next request is let in. Nothing was executed."""

    code = "RATE_LIMITED"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests: try again in {retry_after} s")
        self.retry_after = retry_after

    def extensions(self) -> dict[str, object]:
        return {**super().extensions(), "retryAfter": self.retry_after}


class PersistedQueryNotFound(GatewayError):
    """An automatic persisted query's hash the gateway does not hold: send it again with the document.
    The message is the protocol's own word, which clients (Apollo's link) match."""

    code = "PERSISTED_QUERY_NOT_FOUND"

    def __init__(self) -> None:
        super().__init__("PersistedQueryNotFound")


class PersistedQueryNotAllowed(GatewayError):
    """Trusted-documents mode (``[graphql] trusted_documents``): only the manifest's documents run."""

    code = "PERSISTED_QUERY_NOT_ALLOWED"


class PersistedQueryInvalid(GatewayError):
    """A persisted query request that cannot be honoured: the hash is not the document's, an unknown version."""

    code = "PERSISTED_QUERY_INVALID"


class RuleViolation(GatewayError):
    """A write the rules do not allow; ``reason`` says which rule. Nothing was sent upstream."""

    code = "RULE_VIOLATION"

    def __init__(self, message: str, reason: Reason, field: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.field = field

    def extensions(self) -> dict[str, object]:
        extensions: dict[str, object] = {**super().extensions(), "reason": self.reason.value}
        if self.field:
            extensions["field"] = self.field
        return extensions


class ProjectRuleViolation(GatewayError):
    """A change the project's rules do not allow; ``reason`` says which rule (stage order, approval, closed...)."""

    code = "PROJECT_RULE_VIOLATION"

    def __init__(self, message: str, reason: ProjectRefusal, field: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.field = field

    def extensions(self) -> dict[str, object]:
        extensions: dict[str, object] = {**super().extensions(), "reason": self.reason.value}
        if self.field:
            extensions["field"] = self.field
        return extensions


class IdempotencyConflict(GatewayError):
    """The caller used this idempotency key before with different input."""

    code = "IDEMPOTENCY_CONFLICT"

    def __init__(self, key: str) -> None:
        super().__init__(f"the idempotency key {key!r} was used before with different input")
        self.key = key


class VersionConflict(GatewayError):
    """Someone else changed the object since the caller read it."""

    code = "VERSION_CONFLICT"


class OperationPending(GatewayError):
    """The outcome of an earlier attempt is not known yet: try again later with the same key."""

    code = "OPERATION_PENDING"

    def __init__(self, operation_id: str, why: str, retry_after: float | None = None) -> None:
        super().__init__(f"operation {operation_id} is pending: {why}; retry later with the same idempotency key")
        self.operation_id = operation_id
        self.retry_after = retry_after

    def extensions(self) -> dict[str, object]:
        ext: dict[str, object] = {**super().extensions(), "operationId": self.operation_id}
        if self.retry_after is not None:
            ext["retryAfter"] = self.retry_after
        return ext


class StoredFailure(GatewayError):
    """A definite failure of the first attempt, returned again for the same key."""

    def __init__(self, error: Mapping[str, Any]) -> None:
        super().__init__(str(error.get("message", "failed")))
        self.stored = dict(error)
        self.code = str(error.get("code", "PROVIDER_ERROR"))  # type: ignore[misc]

    def extensions(self) -> dict[str, object]:
        return {k: v for k, v in self.stored.items() if k != "message"} | {"replayed": True}


class StoreUnavailable(GatewayError):
    """The gateway's own store (operations, audit, projects) cannot be read or written now."""

    code = "STORE_UNAVAILABLE"


class SubscriptionLagged(GatewayError):
    """A subscription's client read its events more slowly than they came, until its bounded queue was full:
    the subscription ends (``gateway.notifications.stream``) rather than hold ever more events for it."""

    code = "SUBSCRIPTION_LAGGED"


class UnsupportedByProvider(GatewayError):
    """The provider has no API for what was asked (CONTRACTS.md X.3)."""

    code = "UNSUPPORTED_BY_PROVIDER"

    def __init__(self, provider: str, what: str) -> None:
        super().__init__(f"{provider} does not support {what}")
        self.provider = provider
        self.what = what

    def extensions(self) -> dict[str, object]:
        return {**super().extensions(), "provider": self.provider}


class ProviderError(GatewayError):
    """An upstream call failed. Carries the upstream's own error code and request id.

    ``retryable`` says whether repeating the same call may succeed; it says nothing about whether
    the failed call had an effect. ``outcome_unknown`` is true when the request may have reached the
    upstream and been applied (a timeout or lost connection after sending): such a write must be
    reconciled, never resent blindly. ``retry_after`` is an upstream hint in seconds, if it gave one.
    ``held_back`` is true when the gateway itself did not send the call (its circuit breaker or its own
    limits): nothing went out, the retry loop does not repeat it, and ``retry_after`` is the gateway's hint.
    """

    code = "PROVIDER_ERROR"
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        partner_id: str | None = None,
        upstream_code: str | None = None,
        request_id: str | None = None,
        http_status: int | None = None,
        outcome_unknown: bool = False,
        retry_after: float | None = None,
        reason: Reason | None = None,
        held_back: bool = False,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.held_back = held_back
        self.provider = provider
        self.partner_id = partner_id
        self.upstream_code = upstream_code
        self.request_id = request_id
        self.http_status = http_status
        self.outcome_unknown = outcome_unknown
        self.retry_after = retry_after

    def extensions(self) -> dict[str, object]:
        ext: dict[str, object] = {**super().extensions(), "provider": self.provider}
        for key, value in (
            ("partnerId", self.partner_id),
            ("upstreamCode", self.upstream_code),
            ("requestId", self.request_id),
            ("reason", self.reason.value if self.reason else None),
        ):
            if value is not None:
                ext[key] = value
        if self.held_back and self.retry_after is not None:
            ext["retryAfter"] = max(1, math.ceil(self.retry_after))
        return ext


class ProviderUnavailable(ProviderError):
    """The upstream could not be reached or failed on its side (timeout, connection, HTTP 5xx)."""

    code = "PROVIDER_UNAVAILABLE"
    retryable = True


class ProviderThrottled(ProviderUnavailable):
    """The upstream rate-limited us (see ``retry_after``)."""

    code = "PROVIDER_THROTTLED"


class DeadlineExceeded(ProviderUnavailable):
    """The request's deadline (``[limits] request_timeout_seconds``) passed: a call not yet sent is not sent
    (``outcome_unknown`` false), one in flight is cut off (``outcome_unknown`` true: a write is reconciled).
    Never retried: the time is up."""

    code = "DEADLINE_EXCEEDED"
    retryable = False


class UpstreamLimited(ProviderUnavailable):
    """The account's own limit held the call back (``gateway.upstream.limits``): ``limit`` is ``concurrency`` (no
    slot free before the request's deadline) or ``rate`` (no token before it). The upstream was not asked."""

    code = "UPSTREAM_LIMITED"

    def __init__(self, message: str, *, limit: str, **kwargs: Any) -> None:
        super().__init__(message, held_back=True, **kwargs)
        self.limit = limit

    def extensions(self) -> dict[str, object]:
        return {**super().extensions(), "limit": self.limit}


class ProviderAuthError(ProviderError):
    """The upstream refused the partner account's credentials or signature."""

    code = "PROVIDER_AUTH"


class ProviderForbidden(ProviderError):
    """The credentials are good but the partner account may not do this (e.g. a tier-2 reseller's key
    on a tier-1-only operation)."""

    code = "PROVIDER_FORBIDDEN"


class ProviderProtocolError(ProviderError):
    """The upstream's answer could not be understood (malformed JSON, missing fields)."""

    code = "PROVIDER_PROTOCOL"
