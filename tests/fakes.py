"""A provider plug-in held in memory: implements the port (gateway.provider), for gateway-level tests."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from gateway.errors import ProviderError, ProviderUnavailable
from gateway.models import Customer, Page, PartnerAccount, PartnerRole
from gateway.provider import ASGIApp, Capability, Credentials, DemoUpstream, SettingSpec


def make_customers(account_id: str, count: int, provider: str = "fake") -> list[Customer]:
    return [
        Customer(provider=provider, partner_id=account_id, native_id=f"{account_id}-{n}", name=f"Customer {n}")
        for n in range(count)
    ]


@dataclass
class FakeProvider:
    account: PartnerAccount
    customers: Sequence[Customer]
    capabilities: frozenset[Capability] = frozenset({Capability.LIST_CUSTOMERS})
    short_pages: int | None = None
    """Return at most this many items per call, as some upstreams do."""
    fail_with: Exception | None = None
    calls: list[tuple[int, int]] = field(default_factory=list)

    async def ping(self) -> None:
        if self.fail_with is not None:
            raise self.fail_with

    async def list_customers(self, offset: int, limit: int) -> Page[Customer]:
        self.calls.append((offset, limit))
        if self.fail_with is not None:
            raise self.fail_with
        if self.short_pages is not None:
            limit = min(limit, self.short_pages)
        return Page(tuple(self.customers[offset : offset + limit]), len(self.customers))


class FakePlugin:
    """Serves every account from ``data``: account id -> customer count (or an exception to raise)."""

    name = "fake"
    title = "Fake Cloud"
    roles = frozenset({PartnerRole.DISTRIBUTOR, PartnerRole.RESELLER})
    default_endpoint = "https://fake.invalid"
    credential_names = ("token",)
    settings = (SettingSpec("region", str, required=True), SettingSpec("page_size", int, minimum=1, maximum=100))

    def __init__(self, data: dict[str, int | Exception] | None = None) -> None:
        self.data = data or {}
        self.created: dict[str, FakeProvider] = {}

    def create(self, account: PartnerAccount, credentials: Credentials, http: httpx.AsyncClient) -> FakeProvider:
        spec = self.data.get(account.id, 0)
        if isinstance(spec, Exception):
            provider = FakeProvider(account, [], fail_with=spec)
        else:
            provider = FakeProvider(account, make_customers(account.id, spec))
        self.created[account.id] = provider
        return provider

    def demo(self) -> DemoUpstream | None:
        return None

    def add_simulator_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=0)

    def simulator(self, options: argparse.Namespace) -> tuple[ASGIApp, list[str]]:
        raise NotImplementedError


def unavailable(account_id: str) -> ProviderError:
    return ProviderUnavailable(
        "upstream returned HTTP 503",
        provider="fake",
        partner_id=account_id,
        upstream_code="ServiceUnavailable",
        request_id="req-1",
    )
