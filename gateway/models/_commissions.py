"""What the partner earns and is billed by its cloud (Aliyun A.7.11, A.7.15, A.8.2, A.8.4): commissionable products,
renewal rates and the partner's own bill and commission files. Amounts inside the files are not read: their columns
are not published with the SDK (CONTRACTS.md X.3)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from gateway.models._core import Money

__all__ = ["BillFile", "BillFileKind", "CommissionableProduct", "RenewalRate"]


@dataclass(frozen=True, slots=True)
class CommissionableProduct:
    """A product (commodity) and whether it earns commission or discount, over which months (A.7.11). The
    eligibility and status values are the upstream's own (the SDK does not list them)."""

    product_code: str
    product_name: str | None
    commodity_code: str | None
    commodity_name: str | None
    eligible_for_commission: str | None
    eligible_for_discount: str | None
    start_month: str | None
    end_month: str | None
    status: str | None
    campaign: str | None = None


@dataclass(frozen=True, slots=True)
class RenewalRate:
    """The partner's renewals in one fiscal quarter (A.8.4): what was due for renewal, what renewed, and the
    rate (renewed / due, as the upstream reports it), overall and split by who acquired the customer."""

    quarter: str
    renewal_due: Money
    renewed: Money
    rate: Decimal | None
    other_bills: Money
    """New purchases, upgrades and refunds of the quarter."""
    customer_due: Money
    customer_renewed: Money
    customer_rate: Decimal | None
    reseller_due: Money
    reseller_renewed: Money
    reseller_rate: Decimal | None


class BillFileKind(enum.Enum):
    MONTHLY_BILL = "MONTHLY_BILL"  # GetMonthlyBill MonthlyInstanceConsumeV2 (A.7.15)
    REFUND_BILL = "REFUND_BILL"  # its refund part, when there is one
    COMMISSION_DETAIL = "COMMISSION_DETAIL"  # GetCommissionDetailFileList (A.8.2)


@dataclass(frozen=True, slots=True)
class BillFile:
    """One of the partner's own bill or commission files for a month: where to download it once ready."""

    kind: BillFileKind
    month: str
    name: str
    url: str | None
    ready: bool
    status: str | None = None
    """The upstream's own push status (e.g. ``Processing``, ``Succeeded``)."""
    policy: str | None = None
    """A commission file's commission policy."""
