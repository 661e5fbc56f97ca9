"""The seam between the gateway and the clouds.

A *provider plug-in* is an object found through the entry-point group ``partner_gateway.providers``
(see ``gateway.registry``). It describes one upstream partner API (which roles it knows, which
credentials and settings an account needs) and builds a ``Provider`` for each configured partner
account. A ``Provider`` is the gateway's only way to talk to that account's upstream: it calls the
upstream, maps the answer to ``gateway.models`` and raises only ``gateway.errors``.

A plug-in may also ship a simulator of its upstream (an ASGI app). The gateway uses it for the embedded
demo (reached in-process through ``httpx.ASGITransport``) and the ``partner-gateway simulator`` command
serves it over HTTP.

The gateway never imports an adapter; an adapter imports only ``gateway.provider``, ``gateway.models``
and ``gateway.errors``. A third party adds a cloud by installing a package that declares an entry point
in the group; nothing in ``gateway/`` changes.
"""

from __future__ import annotations

import argparse
import enum
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from gateway.models import Customer, Page, PartnerAccount, PartnerRole, Secret

if TYPE_CHECKING:
    import httpx

__all__ = [
    "ASGIApp",
    "Capability",
    "Credentials",
    "DemoUpstream",
    "Provider",
    "ProviderPlugin",
    "SettingSpec",
]

#: A bare ASGI application: the simulators are these.
ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[MutableMapping[str, Any]]], Callable[..., Awaitable[None]]],
    Awaitable[None],
]

#: Credential name (as the plug-in declares it) to its value, read from the environment at start.
Credentials = Mapping[str, Secret]


class Capability(enum.Enum):
    """An operation a provider may support. Clients read these to know what to offer a user."""

    LIST_CUSTOMERS = "LIST_CUSTOMERS"


@dataclass(frozen=True, slots=True)
class SettingSpec:
    """A non-secret, provider-specific account setting a plug-in accepts in the config file."""

    name: str
    type: type
    required: bool = False
    help: str = ""
    minimum: int | None = None
    maximum: int | None = None
    """Bounds for an ``int`` setting, checked with the rest of the configuration."""


@dataclass(frozen=True, slots=True)
class DemoUpstream:
    """A simulated upstream with one seeded partner account, for the embedded default."""

    account: PartnerAccount
    credentials: Credentials
    app: ASGIApp


@runtime_checkable
class Provider(Protocol):
    """One configured partner account at its upstream.

    Methods raise only ``gateway.errors`` types. Reads may be retried inside the adapter; a write is
    never retried unless its outcome is known.
    """

    @property
    def account(self) -> PartnerAccount:
        """The partner account this provider acts for."""
        ...

    @property
    def capabilities(self) -> frozenset[Capability]:
        """The operations this provider supports."""
        ...

    async def ping(self) -> None:
        """Make the cheapest authenticated upstream call; raise a ``ProviderError`` if it fails."""
        ...

    async def list_customers(self, offset: int, limit: int) -> Page[Customer]:
        """Customers ``offset`` to ``offset + limit`` in the upstream's own order, and the total.

        The adapter turns the window into whatever paging its upstream has (page numbers, offsets,
        several lists), so the caller can resume at any offset. ``limit`` may be 0: then only the
        total is wanted, fetched as cheaply as the upstream allows.
        """
        ...


@runtime_checkable
class ProviderPlugin(Protocol):
    """What an entry point in ``partner_gateway.providers`` resolves to.

    ``name`` must equal the entry point's name; it is the ``provider`` value in the config file.
    """

    name: str
    title: str
    roles: frozenset[PartnerRole]
    default_endpoint: str
    credential_names: tuple[str, ...]
    settings: tuple[SettingSpec, ...]

    def create(self, account: PartnerAccount, credentials: Credentials, http: httpx.AsyncClient) -> Provider:
        """Build the provider for one account. ``http`` is that account's own client, owned by the app:
        its ``base_url`` is the account's endpoint; the provider signs each request itself."""
        ...

    def demo(self) -> DemoUpstream | None:
        """A seeded in-process simulator and its demo account, or ``None`` if the plug-in has none."""
        ...

    def add_simulator_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Declare the options of ``partner-gateway simulator <name>``."""
        ...

    def simulator(self, options: argparse.Namespace) -> tuple[ASGIApp, list[str]]:
        """The standalone simulator for the parsed options, and lines to print on start."""
        ...
