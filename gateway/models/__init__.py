"""Provider-neutral domain models.

Every adapter maps its upstream's wire format onto these frozen dataclasses, and the GraphQL layer maps
them onto its types. Nothing here knows about strawberry, httpx or any one cloud. Provider-only data
that has no neutral field goes into ``extra``.
"""

from gateway.models._catalog import (
    Order,
    OrderStatus,
    OrderType,
    PriceItem,
    PriceQuote,
    PriceRequest,
    Region,
    RegionLevel,
    Resource,
    Voucher,
    VoucherQuota,
    VoucherQuotaStatus,
    VoucherStatus,
)
from gateway.models._consumption import ChargeMode, ConsumptionLine, ConsumptionSource, month_of
from gateway.models._core import Money, Page, Secret
from gateway.models._customers import (
    AccountType,
    Customer,
    CustomerKind,
    CustomerStatus,
    Invitation,
    InvitationStatus,
    Note,
    Reseller,
)
from gateway.models._money import (
    Balance,
    BalanceKind,
    Funds,
    ItemFailure,
    LedgerEntry,
    LedgerKind,
    QuotaMovement,
    QuotaMovementKind,
)
from gateway.models._program import PartnerAccount, ProgramFacts

__all__ = [
    "AccountType",
    "Balance",
    "BalanceKind",
    "ChargeMode",
    "ConsumptionLine",
    "ConsumptionSource",
    "Customer",
    "CustomerKind",
    "CustomerStatus",
    "Funds",
    "Invitation",
    "InvitationStatus",
    "ItemFailure",
    "LedgerEntry",
    "LedgerKind",
    "Money",
    "Note",
    "Order",
    "OrderStatus",
    "OrderType",
    "Page",
    "PartnerAccount",
    "PriceItem",
    "PriceQuote",
    "PriceRequest",
    "ProgramFacts",
    "QuotaMovement",
    "QuotaMovementKind",
    "Region",
    "RegionLevel",
    "Reseller",
    "Resource",
    "Secret",
    "Voucher",
    "VoucherQuota",
    "VoucherQuotaStatus",
    "VoucherStatus",
    "month_of",
]
