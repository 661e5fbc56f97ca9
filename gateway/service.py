"""The gateway's application layer: the configured providers, and what is asked of them across accounts.

The GraphQL layer and the HTTP app call this; it knows nothing of either.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from gateway.errors import GatewayError, NotFound, ProviderUnavailable
from gateway.models import Customer, Page, PartnerAccount
from gateway.pagination import Window, merged_window
from gateway.provider import Capability, Provider

__all__ = ["AccountHealth", "Gateway"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AccountHealth:
    account_id: str
    provider: str
    error: GatewayError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class Gateway:
    """The configured partner accounts' providers, in configuration order."""

    def __init__(self, providers: Iterable[Provider], *, ping_seconds: float = 5.0) -> None:
        self._providers: dict[str, Provider] = {p.account.id: p for p in providers}
        self._ping_seconds = ping_seconds

    @property
    def accounts(self) -> list[PartnerAccount]:
        return [p.account for p in self._providers.values()]

    def provider(self, account_id: str) -> Provider:
        try:
            return self._providers[account_id]
        except KeyError:
            raise NotFound(f"no partner account {account_id!r} is configured") from None

    async def customers(self, first: int | None, after: str | None) -> Window[Customer]:
        """A page of customers across every partner account (order: see ``gateway.pagination``)."""

        async def fetch(account_id: str, offset: int, limit: int) -> Page[Customer]:
            provider = self._providers[account_id]
            if Capability.LIST_CUSTOMERS not in provider.capabilities:
                return Page((), 0)
            return await provider.list_customers(offset, limit)

        return await merged_window(list(self._providers), fetch, first, after)

    async def health(self) -> list[AccountHealth]:
        """Ping every partner account's upstream concurrently, each within ``ping_seconds``."""
        return list(await asyncio.gather(*(self._ping(p) for p in self._providers.values())))

    async def _ping(self, provider: Provider) -> AccountHealth:
        account = provider.account
        error: GatewayError | None = None
        try:
            async with asyncio.timeout(self._ping_seconds):
                await provider.ping()
        except GatewayError as exc:
            error = exc
        except TimeoutError:
            error = ProviderUnavailable(
                f"no answer within {self._ping_seconds:g} s", provider=account.provider, partner_id=account.id
            )
        except Exception:
            log.exception("ping of partner account %s failed unexpectedly", account.id)
            error = GatewayError("unexpected failure (see the gateway log)")
        return AccountHealth(account.id, account.provider, error)
