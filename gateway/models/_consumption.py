"""What customers consumed: the figures a distributor's day starts with (DOMAIN.md).

Each cloud reports consumption differently (CONTRACTS.md X.3): Huawei has bill records per customer (H.6.1
monthly sums, H.6.2 itemised fee records); Aliyun's Agency API has amounts only in bill *files* whose
columns are not published with the SDK, so its adapter reports paid orders. Every line says which source
it came from, so an estimate is never shown as a bill.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date

from gateway.models._core import Money

__all__ = ["ChargeMode", "ConsumptionLine", "ConsumptionSource", "month_of"]

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ConsumptionSource(enum.Enum):
    """Where a consumption figure comes from."""

    BILL = "BILL"
    """The cloud's own bill records (Huawei H.6.1, H.6.2): what the customer was charged."""
    ORDERS = "ORDERS"
    """Paid orders (Aliyun): what the customer paid for, by the day it paid. Not a bill: pay-per-use usage
    billed without an order is not in it."""


class ChargeMode(enum.Enum):
    """How the consumption was charged."""

    SUBSCRIPTION = "SUBSCRIPTION"
    """Yearly or monthly (包年/包月), paid ahead."""
    PAY_PER_USE = "PAY_PER_USE"
    """On demand (按需), charged for what was used."""
    OTHER = "OTHER"
    """Reserved instances, savings plans and anything else the upstream names."""


@dataclass(frozen=True, slots=True)
class ConsumptionLine:
    """One customer's consumption of one product in one billing month: a month's summary line
    (``day`` is None) or one upstream record (``day`` is the day it was charged, ``record_id`` the record)."""

    customer_id: str
    month: str
    """The billing month, ``YYYY-MM`` (UTC+8 for both clouds' bills; the upstream's own cycle)."""
    product_code: str
    product_name: str
    charge_mode: ChargeMode
    amount: Money
    """What the customer was charged, after discounts; negative for refunds and write-offs."""
    source: ConsumptionSource
    day: date | None = None
    region: str | None = None
    record_id: str | None = None
    """The upstream's record id (a fee record, an order) of an itemised line."""
    reseller_id: str | None = None
    """The tier-2 reseller the customer consumed through, when the upstream says."""

    def __post_init__(self) -> None:
        if not _MONTH.match(self.month):
            raise ValueError(f"a billing month is YYYY-MM, not {self.month!r}")
        if self.day is not None and month_of(self.day) != self.month:
            raise ValueError(f"the day {self.day} is not in the billing month {self.month}")


def month_of(day: date) -> str:
    """The ``YYYY-MM`` billing month a day falls in."""
    return f"{day.year:04d}-{day.month:02d}"
