"""Per-request DataLoaders: nested fields are batched per partner account, so a page of 100 customers
with their funds costs one upstream call where the upstream has a batch endpoint (Huawei), and
vouchers are read once per account and grouped by customer.

Keys are ``(account_id, native_id)``; a batch is split by account and each account's part goes to its
provider in one call. A failure of one account fails only that account's keys; an id a provider answers
with an error (funds: ``Mapping[str, Funds | ProviderError]``) fails only that key.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from strawberry.dataloader import DataLoader

from gateway.errors import GatewayError, ProviderError, UnsupportedByProvider
from gateway.models import Balance, Customer, Funds, Order, Reseller, Voucher
from gateway.provider import Capability, Provider
from gateway.service import Gateway, Session

__all__ = ["Key", "Loaders"]

V = TypeVar("V")
Key = tuple[str, str]
BatchCall = Callable[[Provider, list[str]], Awaitable[Mapping[str, V]]]

VOUCHER_SCAN_PAGE = 100


def _by_account(
    gateway: Gateway, capability: Capability, what: str, call: BatchCall[V]
) -> Callable[[list[Key]], Awaitable[list[V | BaseException | None]]]:
    async def load(keys: list[Key]) -> list[V | BaseException | None]:
        grouped: dict[str, list[str]] = defaultdict(list)
        for account_id, native_id in keys:
            if native_id not in grouped[account_id]:
                grouped[account_id].append(native_id)
        accounts = list(grouped)

        async def one(account_id: str) -> Mapping[str, V] | BaseException:
            provider = gateway.provider(account_id)
            if capability not in provider.capabilities:
                return UnsupportedByProvider(provider.account.provider, what)
            try:
                return await call(provider, grouped[account_id])
            except GatewayError as exc:
                return exc

        answers = dict(zip(accounts, await asyncio.gather(*(one(a) for a in accounts)), strict=True))
        results: list[V | BaseException | None] = []
        for account_id, native_id in keys:
            answer = answers[account_id]
            results.append(answer if isinstance(answer, BaseException) else answer.get(native_id))
        return results

    return load


@dataclass
class Loaders:
    """The loaders of one request."""

    gateway: Gateway
    session: Session
    customers: DataLoader[Key, Customer | None] = field(init=False)
    resellers: DataLoader[Key, Reseller | None] = field(init=False)
    vouchers: DataLoader[Key, Voucher | None] = field(init=False)
    orders: DataLoader[Key, Order | None] = field(init=False)
    customer_funds: DataLoader[Key, Funds | None] = field(init=False)
    reseller_funds: DataLoader[Key, Funds | None] = field(init=False)
    customer_vouchers: DataLoader[Key, Sequence[Voucher]] = field(init=False)
    partner_balances: DataLoader[str, tuple[Balance, ...]] = field(init=False)

    def __post_init__(self) -> None:
        g = self.gateway
        session = self.session

        async def get_customers(provider: Provider, ids: list[str]) -> Mapping[str, Customer]:
            return await session.get_customers(provider.account.id, ids)  # with the gateway's assignments

        self.customers = DataLoader(_by_account(g, Capability.LIST_CUSTOMERS, "customers", get_customers))
        self.resellers = DataLoader(_by_account(g, Capability.LIST_RESELLERS, "resellers", _get_resellers))
        self.vouchers = DataLoader(_by_account(g, Capability.LIST_VOUCHERS, "vouchers", _get_vouchers))
        self.orders = DataLoader(_by_account(g, Capability.LIST_ORDERS, "orders", _get_orders))
        self.customer_funds = DataLoader(_by_account(g, Capability.CUSTOMER_FUNDS, "customer funds", _customer_funds))
        self.reseller_funds = DataLoader(_by_account(g, Capability.RESELLER_FUNDS, "reseller funds", _reseller_funds))
        self.customer_vouchers = DataLoader(_by_account(g, Capability.LIST_VOUCHERS, "vouchers", _vouchers_by_customer))
        self.partner_balances = DataLoader(self._partner_balances)

    async def _partner_balances(self, account_ids: list[str]) -> list[tuple[Balance, ...] | BaseException]:
        async def one(account_id: str) -> tuple[Balance, ...] | BaseException:
            provider = self.gateway.provider(account_id)
            if Capability.PARTNER_BALANCES not in provider.capabilities:
                return UnsupportedByProvider(provider.account.provider, "partner balances")
            try:
                return await provider.partner_balances()
            except GatewayError as exc:
                return exc

        return list(await asyncio.gather(*(one(a) for a in account_ids)))


async def _get_resellers(provider: Provider, ids: list[str]) -> Mapping[str, Reseller]:
    return await provider.get_resellers(ids)


async def _get_vouchers(provider: Provider, ids: list[str]) -> Mapping[str, Voucher]:
    return await provider.get_vouchers(ids)


async def _get_orders(provider: Provider, ids: list[str]) -> Mapping[str, Order]:
    return await provider.get_orders(ids)


async def _customer_funds(provider: Provider, ids: list[str]) -> Mapping[str, Funds | ProviderError]:
    return await provider.customer_funds(ids)  # an error value is that key's exception (DataLoader)


async def _reseller_funds(provider: Provider, ids: list[str]) -> Mapping[str, Funds | ProviderError]:
    return await provider.reseller_funds(ids)


async def _vouchers_by_customer(provider: Provider, customer_ids: list[str]) -> Mapping[str, Sequence[Voucher]]:
    """All of the account's vouchers, read once and grouped by customer (every asked id gets a list)."""
    wanted = set(customer_ids)
    grouped: dict[str, list[Voucher]] = {customer_id: [] for customer_id in customer_ids}
    offset = 0
    while True:
        page = await provider.list_vouchers(offset, VOUCHER_SCAN_PAGE)
        for voucher in page.items:
            if voucher.customer_id in wanted:
                grouped[voucher.customer_id].append(voucher)
        offset += len(page.items)
        if not page.items or offset >= page.total:
            return grouped
