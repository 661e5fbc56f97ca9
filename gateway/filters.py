"""What a list may be narrowed by. Each filter chooses accounts (provider, partner) and tests items.

Filters are frozen (hashable): a list's cursors carry a key derived from its filter, so a cursor from
one filtered list cannot silently page through another.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from gateway.models import AccountType, Customer, CustomerStatus, Order, OrderStatus, Reseller, Voucher, VoucherStatus

__all__ = ["CustomerFilter", "OrderFilter", "ResellerFilter", "VoucherFilter"]


def _contains(haystacks: tuple[str | None, ...], needle: str | None) -> bool:
    if needle is None:
        return True
    folded = needle.casefold()
    return any(h is not None and folded in h.casefold() for h in haystacks)


@dataclass(frozen=True, slots=True)
class CustomerFilter:
    provider: str | None = None
    partner_ids: tuple[str, ...] | None = None
    status: CustomerStatus | None = None
    account_type: AccountType | None = None
    owner: str | None = None
    search: str | None = None
    """Case-insensitive part of the name, native id or email."""

    @property
    def filtering(self) -> bool:
        return any(v is not None for v in (self.status, self.account_type, self.owner, self.search))

    def scoped_to(self, owner: str) -> CustomerFilter:
        """This filter for a principal that may see only ``owner``'s customers (any other owner: none)."""
        return replace(self, owner=owner if self.owner in (None, owner) else "\0no-such-owner")

    def matches(self, customer: Customer) -> bool:
        return (
            (self.status is None or customer.status is self.status)
            and (self.account_type is None or customer.account_type is self.account_type)
            and (self.owner is None or customer.owner == self.owner)
            and _contains((customer.name, customer.native_id, customer.email), self.search)
        )


@dataclass(frozen=True, slots=True)
class ResellerFilter:
    provider: str | None = None
    partner_ids: tuple[str, ...] | None = None
    search: str | None = None

    @property
    def filtering(self) -> bool:
        return self.search is not None

    def matches(self, reseller: Reseller) -> bool:
        return _contains((reseller.name, reseller.native_id, reseller.account_name), self.search)


@dataclass(frozen=True, slots=True)
class VoucherFilter:
    provider: str | None = None
    partner_ids: tuple[str, ...] | None = None
    customer_id: str | None = None
    status: VoucherStatus | None = None

    @property
    def filtering(self) -> bool:
        return self.status is not None or self.customer_id is not None

    def matches(self, voucher: Voucher) -> bool:
        return (self.status is None or voucher.status is self.status) and (
            self.customer_id is None or voucher.customer_id == self.customer_id
        )


@dataclass(frozen=True, slots=True)
class OrderFilter:
    provider: str | None = None
    partner_ids: tuple[str, ...] | None = None
    customer_id: str | None = None
    status: OrderStatus | None = None
    since: datetime | None = None
    until: datetime | None = None
    project_id: str | None = None

    @property
    def filtering(self) -> bool:
        return self.status is not None or self.customer_id is not None or self.project_id is not None

    def matches(self, order: Order) -> bool:
        return (
            (self.status is None or order.status is self.status)
            and (self.customer_id is None or order.customer_id == self.customer_id)
            and (self.project_id is None or order.project_id == self.project_id)
        )
