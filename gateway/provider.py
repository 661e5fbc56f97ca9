"""The seam between the gateway and the clouds.

A *provider plug-in* is an object found through the entry-point group ``partner_gateway.providers``
(see ``gateway.registry``). It describes one upstream partner API (its partner program's facts, a
``ProgramFacts``: roles, currencies, filing limits, which roles may do what; and which credentials and
settings an account needs) and builds a ``Provider`` for each configured partner account. A ``Provider``
is the gateway's only way to talk to that account's upstream: it calls the upstream, maps the answer to
``gateway.models`` and raises only ``gateway.errors``.

A plug-in may also ship a simulator of its upstream (an ASGI app). The gateway uses it for the embedded
demo (reached in-process through ``httpx.ASGITransport``) and the ``partner-gateway simulator`` command
serves it over HTTP.

The gateway never imports an adapter; an adapter imports only what the gateway offers adapters:
``gateway.provider``, ``gateway.models``, ``gateway.errors``, ``gateway.writes`` (intents and receipts) and
``gateway.retry`` (the one retry policy). A third party adds a cloud by installing a package that declares
an entry point in the group; nothing in ``gateway/`` changes.
"""

from __future__ import annotations

import argparse
import enum
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from gateway.errors import ProviderError
from gateway.models import (
    Balance,
    BillFile,
    CatalogueEntry,
    CatalogueKind,
    CommissionableProduct,
    ConsumptionLine,
    CreditRecord,
    CreditRecordKind,
    Customer,
    Funds,
    IncentivePolicy,
    LedgerEntry,
    NewCustomerTag,
    Note,
    Order,
    Page,
    PartnerAccount,
    PriceQuote,
    PriceRequest,
    ProgramFacts,
    QuotaMovement,
    Region,
    RegionLevel,
    RenewalRate,
    Reseller,
    Secret,
    Voucher,
    VoucherApplication,
    VoucherQuota,
    VoucherRecord,
    VoucherTemplate,
)

if TYPE_CHECKING:
    import httpx

    from gateway.retry import RetryPolicy
    from gateway.writes import Intent, Receipt

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
    """An operation a provider may support. Clients read these to know what to offer a user.

    A provider without a capability raises ``UnsupportedByProvider`` from the matching method
    (CONTRACTS.md X.3 lists what each upstream has no API for).
    """

    # reads
    LIST_CUSTOMERS = "LIST_CUSTOMERS"
    CUSTOMER_FUNDS = "CUSTOMER_FUNDS"
    PARTNER_BALANCES = "PARTNER_BALANCES"
    LIST_RESELLERS = "LIST_RESELLERS"
    LIST_INVITATIONS = "LIST_INVITATIONS"  # customers include open invitations (INVITED, INVITATION_EXPIRED)
    LIST_VOUCHERS = "LIST_VOUCHERS"
    LIST_VOUCHER_QUOTAS = "LIST_VOUCHER_QUOTAS"
    LIST_ORDERS = "LIST_ORDERS"
    LIST_NOTES = "LIST_NOTES"
    LIST_LEDGER = "LIST_LEDGER"
    LIST_QUOTA_MOVEMENTS = "LIST_QUOTA_MOVEMENTS"  # grants and reclaims of voucher quota to tier-2 resellers
    LIST_REGIONS = "LIST_REGIONS"
    QUOTE_PRICE = "QUOTE_PRICE"
    RESELLER_FUNDS = "RESELLER_FUNDS"
    CONSUMPTION = "CONSUMPTION"
    CREDIT_HISTORY = "CREDIT_HISTORY"
    LIST_VOUCHER_TEMPLATES = "LIST_VOUCHER_TEMPLATES"
    LIST_VOUCHER_RECORDS = "LIST_VOUCHER_RECORDS"
    OWN_VOUCHERS = "OWN_VOUCHERS"
    NEW_CUSTOMER_TAGS = "NEW_CUSTOMER_TAGS"
    INCENTIVE_POLICIES = "INCENTIVE_POLICIES"
    CATALOGUE = "CATALOGUE"
    COMMISSIONS = "COMMISSIONS"  # commissionable products and renewal rates
    BILL_FILES = "BILL_FILES"
    QUOTE_SUBSCRIPTION_PRICE = "QUOTE_SUBSCRIPTION_PRICE"
    LIST_VOUCHER_APPLICATIONS = "LIST_VOUCHER_APPLICATIONS"
    # writes (gateway.writes): one capability per intent kind
    CREATE_CUSTOMER = "CREATE_CUSTOMER"
    SEND_VERIFICATION_CODE = "SEND_VERIFICATION_CODE"
    RESEND_INVITATION = "RESEND_INVITATION"
    FREEZE_CUSTOMER = "FREEZE_CUSTOMER"
    SET_CREDIT_LINE = "SET_CREDIT_LINE"
    CREDIT_CONTROLS = "CREDIT_CONTROLS"  # warning threshold, new-purchase ban, shutdown policy, write-off
    TRANSFER_FUNDS = "TRANSFER_FUNDS"
    ADD_NOTE = "ADD_NOTE"
    INVITE_RESELLER = "INVITE_RESELLER"
    ALLOCATE_RESELLER_FUNDS = "ALLOCATE_RESELLER_FUNDS"
    GRANT_VOUCHER_QUOTA = "GRANT_VOUCHER_QUOTA"
    ISSUE_VOUCHER = "ISSUE_VOUCHER"
    RECLAIM_VOUCHER = "RECLAIM_VOUCHER"
    MANAGE_VOUCHER_TEMPLATES = "MANAGE_VOUCHER_TEMPLATES"  # create and delete
    DECIDE_VOUCHER_APPLICATIONS = "DECIDE_VOUCHER_APPLICATIONS"


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
        total is wanted, fetched as cheaply as the upstream allows. Every ``list_*`` method below
        follows the same rules.
        """
        ...

    async def get_customers(self, native_ids: Sequence[str]) -> Mapping[str, Customer]:
        """The customers with these upstream ids, in as few calls as the upstream allows (a filter by id,
        or a scan). Ids the upstream does not know are absent from the answer, not an error."""
        ...

    async def list_reseller_customers(self, reseller_id: str, offset: int, limit: int) -> Page[Customer]:
        """The customers of one tier-2 reseller (Huawei: ``indirect_partner_id``)."""
        ...

    async def customer_funds(self, customer_ids: Sequence[str]) -> Mapping[str, Funds | ProviderError]:
        """Funds of several customers in as few upstream calls as the upstream allows (Huawei has a
        batch endpoint). Customers the upstream has no funds for (Huawei advisory customers) are absent.
        An id whose read failed maps to that ``ProviderError``; the others stand."""
        ...

    async def partner_balances(self) -> tuple[Balance, ...]:
        """The partner account's own upstream money accounts."""
        ...

    async def list_resellers(self, offset: int, limit: int) -> Page[Reseller]:
        """The partner's tier-2 resellers."""
        ...

    async def get_resellers(self, native_ids: Sequence[str]) -> Mapping[str, Reseller]:
        """The resellers with these upstream ids; unknown ids are absent."""
        ...

    async def reseller_funds(self, reseller_ids: Sequence[str]) -> Mapping[str, Funds | ProviderError]:
        """Funds of several tier-2 resellers (Huawei: their balances; Aliyun: their credit). An id whose
        read failed maps to that ``ProviderError``; the others stand."""
        ...

    async def list_vouchers(self, offset: int, limit: int, *, customer_id: str | None = None) -> Page[Voucher]:
        """Vouchers issued to customers, optionally of one customer."""
        ...

    async def get_vouchers(self, native_ids: Sequence[str]) -> Mapping[str, Voucher]:
        """The vouchers with these upstream ids; unknown ids are absent."""
        ...

    async def list_voucher_quotas(
        self, offset: int, limit: int, *, reseller_id: str | None = None
    ) -> Page[VoucherQuota]:
        """The partner's own voucher quotas, or (with ``reseller_id``) those granted to that reseller."""
        ...

    async def list_orders(
        self,
        offset: int,
        limit: int,
        *,
        customer_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Page[Order]:
        """Customers' orders created in ``[since, until)``; the adapter applies the upstream's own
        window limits (a default window when none is given, documented by the adapter)."""
        ...

    async def get_orders(self, native_ids: Sequence[str]) -> Mapping[str, Order]:
        """The orders with these upstream ids; unknown ids are absent."""
        ...

    async def list_notes(self, customer_id: str, offset: int, limit: int) -> Page[Note]:
        """Follow-up notes on one customer."""
        ...

    async def list_ledger(self, offset: int, limit: int, *, reseller_id: str | None = None) -> Page[LedgerEntry]:
        """Allocations and reclaims of funds between the partner and its customers and resellers, newest
        first; with ``reseller_id``, only those between the partner and that tier-2 reseller."""
        ...

    async def list_quota_movements(
        self, offset: int, limit: int, *, reseller_id: str | None = None
    ) -> Page[QuotaMovement]:
        """Grants and reclaims of voucher quota between the partner and its tier-2 resellers (refused
        attempts included, as the upstream records them), newest first; with ``reseller_id``, that
        reseller's only."""
        ...

    async def list_regions(self, level: RegionLevel, parent_code: str | None = None) -> tuple[Region, ...]:
        """Reference regions of one level (countries; or provinces, then cities and counties of a parent)."""
        ...

    async def quote_price(self, request: PriceRequest) -> PriceQuote:
        """What the customer would pay for pay-per-use resources (Huawei on-demand ratings)."""
        ...

    async def consumption(
        self,
        month: str,
        *,
        customer_id: str | None = None,
        reseller_id: str | None = None,
        itemised: bool = False,
    ) -> tuple[ConsumptionLine, ...]:
        """Customers' consumption in one billing month (``YYYY-MM``), every upstream page read.

        Not ``itemised``: summary lines, one per customer, product and charge mode (Huawei H.6.1, every
        customer in one listing). ``itemised``: one line per upstream record with its day (Huawei H.6.2,
        per customer, so ``customer_id`` is required). ``customer_id`` narrows to one customer,
        ``reseller_id`` to the customers of one tier-2 reseller. Summary lines of a month add up to the
        itemised lines of that month. A month the upstream has not billed yet (the future) has no lines.
        """
        ...

    async def credit_history(
        self, customer_id: str, kind: CreditRecordKind, offset: int, limit: int
    ) -> Page[CreditRecord]:
        """One of a credit customer's histories (credit line, purchase control, shutdown policy, automatic
        write-off, reversed deductions), newest first, over the window the upstream keeps (the adapter
        documents it)."""
        ...

    async def list_voucher_templates(self, offset: int, limit: int) -> Page[VoucherTemplate]:
        """The partner's voucher templates, with their approval status."""
        ...

    async def voucher_template_products(self) -> tuple[str, ...]:
        """The product codes a voucher template may be restricted to."""
        ...

    async def list_voucher_applications(self, offset: int, limit: int) -> Page[VoucherApplication]:
        """Tier-2 resellers' voucher applications awaiting (or past) this tier-1's decision."""
        ...

    async def get_voucher_application(self, native_id: str) -> VoucherApplication | None:
        """One application in detail (with its grants); None if the upstream does not know it."""
        ...

    async def list_voucher_records(
        self, offset: int, limit: int, *, customer_id: str | None = None
    ) -> Page[VoucherRecord]:
        """The log of vouchers issued to and reclaimed from customers, optionally of one customer."""
        ...

    async def list_own_vouchers(self, offset: int, limit: int) -> Page[Voucher]:
        """The vouchers the partner account itself holds (``customer_id`` None)."""
        ...

    async def new_customer_tags(self, customer_ids: Sequence[str]) -> Mapping[str, NewCustomerTag]:
        """The new-customer tag of each customer, in as few calls as the upstream allows; ids the upstream
        drops (not the partner's customers) are absent."""
        ...

    async def incentive_policies(self, month: str, service_type: str | None = None) -> tuple[IncentivePolicy, ...]:
        """Each product's incentive policy as of the end of ``month`` (``YYYY-MM``), every page read."""
        ...

    async def catalogue(self, kind: CatalogueKind, parent_code: str | None = None) -> tuple[CatalogueEntry, ...]:
        """One code table (every page), optionally the children of one parent code."""
        ...

    async def list_commissionable_products(self, offset: int, limit: int) -> Page[CommissionableProduct]:
        """The products that earn the partner commission or discount."""
        ...

    async def renewal_rates(self, quarter: str) -> tuple[RenewalRate, ...]:
        """The partner's renewal figures for one fiscal quarter (``YYYYQn``)."""
        ...

    async def bill_files(self, month: str) -> tuple[BillFile, ...]:
        """The partner's own bill and commission files of one finished month (``YYYY-MM``)."""
        ...

    # --- writes (see gateway.writes) ---------------------------------------------------------------

    async def execute(self, intent: Intent) -> Receipt:
        """Apply one write upstream, once: never retried here unless refused before applying.

        Raises ``UnsupportedByProvider`` for an intent the upstream has no API for, ``ProviderError``
        subclasses for refusals, and ``ProviderUnavailable(outcome_unknown=True)`` when the request may
        have been applied but no answer came back.
        """
        ...

    async def find_applied(self, intent: Intent, since: datetime, exclude: frozenset[str]) -> Receipt | None:
        """Look in the upstream's own records for the effect of ``intent`` made at or after ``since``
        (allow a few minutes of clock skew) and not among the ``exclude``d upstream ids.

        Returns its receipt, or None when the records show it was not applied. Raises ``ProviderError``
        when the records cannot be read now (the write stays pending and is asked about again later).
        """
        ...


@runtime_checkable
class ProviderPlugin(Protocol):
    """What an entry point in ``partner_gateway.providers`` resolves to.

    ``name`` must equal the entry point's name; it is the ``provider`` value in the config file.
    """

    name: str
    title: str
    program: ProgramFacts
    """The partner program's facts (roles, currencies, filing limits, role rules): every account of this
    provider carries them, and ``gateway.rules`` applies them."""
    default_endpoint: str
    credential_names: tuple[str, ...]
    settings: tuple[SettingSpec, ...]

    def create(
        self,
        account: PartnerAccount,
        credentials: Credentials,
        http: httpx.AsyncClient,
        *,
        retry: RetryPolicy | None = None,
    ) -> Provider:
        """Build the provider for one account. ``http`` is that account's own client, owned by the app:
        its ``base_url`` is the account's endpoint; the provider signs each request itself. ``retry`` is the
        account's retry policy (``gateway.retry``: attempts and the account's retry budget), for every call
        the provider repeats; None: ``gateway.retry.DEFAULT_POLICY``."""
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
