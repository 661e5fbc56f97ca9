"""Who is asking: API keys, principals and what each role may see and do.

A client sends ``Authorization: Bearer <key>`` (or ``X-API-Key: <key>``). The configuration holds only
each key's SHA-256 (``partner-gateway new-api-key`` makes a key and its hash); keys are long random
tokens, so a fast hash is enough and nothing that could sign in is ever stored.

Roles:

- ``admin``: everything, including the audit trail.
- ``finance``: every customer, and may move money; sees contact details masked.
- ``sales``: only the customers whose owner (salesperson) is the key's ``owner``, and what hangs off
  them; sees their contact details (they are the ones who call them); moves no money.

With no keys configured the gateway runs open (every request is an admin) and only on a loopback
address; ``gateway.cli`` says so loudly at start.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "ANONYMOUS_ADMIN",
    "ApiKey",
    "Authenticator",
    "Principal",
    "Role",
    "hash_key",
    "new_key",
]

KEY_PREFIX = "pgw_"


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

    @property
    def principal(self) -> Principal:
        return Principal(self.name, self.role, self.owner)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


class Authenticator:
    """Maps a presented key to its principal."""

    def __init__(self, keys: Iterable[ApiKey]) -> None:
        self._by_hash: Mapping[str, ApiKey] = {key.sha256: key for key in keys}

    @property
    def open(self) -> bool:
        """True when no keys are configured: every request is an admin (loopback only)."""
        return not self._by_hash

    def principal(self, presented: str | None) -> Principal | None:
        """The principal for a presented key; None if the key is missing or unknown."""
        if self.open:
            return ANONYMOUS_ADMIN
        if not presented:
            return None
        key = self._by_hash.get(hash_key(presented))
        return key.principal if key is not None else None
