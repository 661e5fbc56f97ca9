"""Who is asking: API keys, principals and what each role may see and do.

Machines send an API key: ``Authorization: Bearer <key>`` (or ``X-API-Key: <key>``). The configuration
holds only each key's SHA-256 (``partner-gateway new-api-key`` makes a key and its hash); keys are long
random tokens, so a fast hash is enough and nothing that could sign in is ever stored. A key may expire
(``expires_at``): then it is refused like an unknown one.

People send an OIDC/JWT bearer token when ``[auth.jwt]`` is configured (``gateway.tokens``): a bearer
value with the API key prefix (``pgw_``) is only ever an API key; with ``[auth.jwt]``, any other value
shaped like a JWT (three dot-separated parts) is only ever a token; anything else is looked up as a key.

Roles:

- ``admin``: everything, including the audit trail.
- ``finance``: every customer, and may move money; sees contact details masked.
- ``sales``: only the customers whose owner (salesperson) is the key's ``owner``, and what hangs off
  them; sees their contact details (they are the ones who call them); moves no money.

With no keys and no ``[auth.jwt]`` configured the gateway runs open (every request is an admin) and only on a loopback
address; ``gateway.cli`` says so loudly at start.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from gateway.errors import Unauthenticated

if TYPE_CHECKING:
    from gateway.tokens import TokenVerifier

__all__ = [
    "ANONYMOUS_ADMIN",
    "ApiKey",
    "Authenticator",
    "Principal",
    "Role",
    "hash_key",
    "new_key",
]

log = logging.getLogger(__name__)

KEY_PREFIX = "pgw_"
#: Principals signed in with a token are named ``jwt:<subject>``; no API key may take such a name.
SUBJECT_PREFIX = "jwt:"


class Role(enum.Enum):
    ADMIN = "admin"
    FINANCE = "finance"
    SALES = "sales"


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of one request."""

    name: str
    role: Role
    owner: str | None = None
    """For sales: the salesperson id matched against customers' owner (Aliyun CustomerBd, Huawei
    account manager)."""

    @property
    def scoped_owner(self) -> str | None:
        """The owner every customer this principal sees must have, or None for no restriction."""
        return self.owner if self.role is Role.SALES else None

    def sees_owner(self, owner: str | None) -> bool:
        scope = self.scoped_owner
        # Bytes: compare_digest refuses str with non-ASCII characters (Aliyun salespeople have Chinese names).
        return scope is None or (owner is not None and hmac.compare_digest(owner.encode(), scope.encode()))

    @property
    def sees_contact_details(self) -> bool:
        return self.role in (Role.ADMIN, Role.SALES)

    @property
    def moves_money(self) -> bool:
        return self.role in (Role.ADMIN, Role.FINANCE)


ANONYMOUS_ADMIN = Principal("anonymous (no API keys configured)", Role.ADMIN)


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A configured API key: its name, the SHA-256 of the key, and the principal it stands for."""

    name: str
    sha256: str
    role: Role
    owner: str | None = None
    expires_at: datetime | None = None
    """From then on the key is refused (an aware datetime)."""

    @property
    def principal(self) -> Principal:
        return Principal(self.name, self.role, self.owner)

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


class Authenticator:
    """Maps a presented API key or bearer token to its principal."""

    def __init__(
        self,
        keys: Iterable[ApiKey],
        tokens: TokenVerifier | None = None,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._by_hash: Mapping[str, ApiKey] = {key.sha256: key for key in keys}
        self._tokens = tokens
        self._now = now

    @property
    def open(self) -> bool:
        """True when no keys and no token issuer are configured: every request is an admin (loopback only)."""
        return not self._by_hash and self._tokens is None

    def principal(self, presented: str | None) -> Principal | None:
        """The principal for a presented API key; None if the key is missing, unknown or expired."""
        if self.open:
            return ANONYMOUS_ADMIN
        if not presented:
            return None
        key = self._by_hash.get(hash_key(presented))
        if key is None:
            return None
        if key.expired(self._now()):
            log.info("API key %r has expired (expires_at %s): refused", key.name, key.expires_at)
            return None
        return key.principal

    async def authenticate(self, bearer: str | None, api_key: str | None = None) -> Principal:
        """The principal of a request from its ``Authorization: Bearer`` value or its ``X-API-Key``.

        Raises ``Unauthenticated`` saying why, in general terms, never with what was presented.
        """
        if self.open:
            return ANONYMOUS_ADMIN
        if bearer and self._tokens is not None and _is_token(bearer):
            return await self._tokens.principal(bearer)
        presented = bearer or api_key
        if not presented:
            wanted = "an API key or a bearer token" if self._tokens is not None else "a valid API key"
            raise Unauthenticated(f"{wanted} is required")
        principal = self.principal(presented)
        if principal is None:
            raise Unauthenticated("the API key is unknown or has expired")
        return principal


def _is_token(value: str) -> bool:
    return not value.startswith(KEY_PREFIX) and value.count(".") == 2
