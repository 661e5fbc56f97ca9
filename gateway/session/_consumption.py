"""What a session reads of consumption and program standing, narrowed to the principal.

A customer's consumption is there for whoever may see the customer. A partner account's, or all accounts',
cover a sales principal's own customers only (``_owned_customers``: the same scan that narrows its orders),
so a salesperson's figures are the sums of its customers' lines and nothing else. Program standing (the
account's or a tier-2 reseller's) is the partner's own business: not for sales keys.

Each account's months are read through one ``ConsumptionReader`` per request (``gateway.consumption``);
an account that fails is reported beside the others' figures, one without consumption contributes nothing.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from gateway.auth import Principal
from gateway.consumption import Consumption, ConsumptionReader, Granularity, MonthRange, shift_month
from gateway.errors import ProviderError
from gateway.models import ConsumptionLine
from gateway.pagination import AccountFailure
from gateway.program import Standing, fiscal_year, standing
from gateway.provider import Capability
from gateway.session._base import SessionBase

if TYPE_CHECKING:
    from gateway.service import Gateway

__all__ = ["ConsumptionReads"]


def _months(span: MonthRange) -> list[str]:
    """The range's months and the month before its last (for the month-on-month comparison)."""
    return list(dict.fromkeys([*span.months, shift_month(span.end, -1)]))


class ConsumptionReads(SessionBase):
    def __init__(self, gateway: Gateway, principal: Principal) -> None:
        super().__init__(gateway, principal)
        self._consumption_readers: dict[str, ConsumptionReader] = {}

    def _reader(self, account_id: str) -> ConsumptionReader:
        provider = self._capable(account_id, Capability.CONSUMPTION, "consumption")
        if account_id not in self._consumption_readers:

            async def fetch(
                month: str, customer_id: str | None, reseller_id: str | None, itemised: bool
            ) -> tuple[ConsumptionLine, ...]:
                return await provider.consumption(
                    month, customer_id=customer_id, reseller_id=reseller_id, itemised=itemised
                )

            self._consumption_readers[account_id] = ConsumptionReader(fetch)
        return self._consumption_readers[account_id]

    async def customer_consumption(
        self, account_id: str, customer_id: str, span: MonthRange, granularity: Granularity = Granularity.MONTH
    ) -> Consumption | None:
        """One customer's consumption (None: no such customer, or not the principal's); by day, its itemised
        lines are read."""
        if not await self._in_scope(account_id, customer_id):
            return None
        reader = self._reader(account_id)
        itemised = granularity is Granularity.DAY
        lines = await reader.months(_months(span), customer_id=customer_id, itemised=itemised)
        return Consumption(span, tuple((account_id, line) for line in lines), accounts=(account_id,))

    async def partner_consumption(self, account_id: str, span: MonthRange) -> Consumption:
        """One partner account's customers' consumption (a sales key: its own customers')."""
        lines = await self._account_lines(account_id, _months(span))
        return Consumption(span, tuple((account_id, line) for line in lines), accounts=(account_id,))

    async def consumption(
        self, span: MonthRange, provider: str | None = None, partner_ids: tuple[str, ...] | None = None
    ) -> Consumption:
        """Consumption across partner accounts (those with consumption figures); an account that fails is
        reported in ``failures`` and the others' figures stand."""
        ids = [
            account_id
            for account_id in self.gateway.account_ids(provider, partner_ids)
            if Capability.CONSUMPTION in self.gateway.provider(account_id).capabilities
        ]
        months = _months(span)
        results = await asyncio.gather(*(self._account_lines(a, months) for a in ids), return_exceptions=True)
        lines: list[tuple[str, ConsumptionLine]] = []
        accounts: list[str] = []
        failures: list[AccountFailure] = []
        for account_id, result in zip(ids, results, strict=True):
            if isinstance(result, ProviderError):
                failures.append(AccountFailure(account_id, result))
            elif isinstance(result, BaseException):
                raise result
            else:
                accounts.append(account_id)
                lines += [(account_id, line) for line in result]
        return Consumption(span, tuple(lines), accounts=tuple(accounts), failures=tuple(failures))

    async def _account_lines(self, account_id: str, months: list[str]) -> list[ConsumptionLine]:
        reader = self._reader(account_id)
        if not self._scoped:
            return await reader.months(months)
        lines, owned = await asyncio.gather(reader.months(months), self._owned_customers(account_id))
        return [line for line in lines if line.customer_id in owned]

    async def program_standing(self, account_id: str) -> Standing:
        """The account's standing in its program this fiscal year (not for sales keys)."""
        self._not_for_sales("the partner's program standing")
        account = self.account(account_id)
        year = fiscal_year(self.gateway.program)
        lines = await self._reader(account_id).months(year.to_date.months)
        return standing(account.program, account.role, lines, self.gateway.program, year)

    async def reseller_performance(self, account_id: str, reseller_id: str) -> Standing | None:
        """A tier-2 reseller's standing in the program, from its customers' consumption this fiscal year (not
        for sales keys; None where the program names no tier-2 role)."""
        self._not_for_sales("resellers")
        account = self.account(account_id)
        role = account.program.reseller_role
        if role is None:
            return None
        year = fiscal_year(self.gateway.program)
        lines = await self._reader(account_id).months(year.to_date.months, reseller_id=reseller_id)
        return standing(account.program, role, lines, self.gateway.program, year)
