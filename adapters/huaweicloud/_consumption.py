"""Customers' consumption of a month from the bill operations (CONTRACTS.md H.6.1-H.6.3), for
``HuaweiCloudProvider.consumption``.

* Itemised: every page of list_sub_customer_bill_detail (H.6.2) for one customer (it requires one).
* Summary: every page of list_subcustomer_monthly_bills (H.6.1) for each charge mode (it requires one:
  1, 3 and 11), refund rows included, summed per customer, product and charge mode. H.6.1 covers resale
  customers only; advisory customers' fee records (H.6.2 covers both) are summed the same way, so a month's
  summary of every customer equals the sum of its itemised lines. The advisory customers are those
  list_consume_sub_customers (H.6.3) names without H.6.1 rows or, for a tier-2's customers (H.6.3 has no
  ``indirect_partner_id``), the tier-2's advisory customers from list_sub_customers.

``reseller_id`` goes upstream as ``indirect_partner_id``. Months are UTC+8; H.6.2 keeps 18 months.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.errors import InvalidInput
from gateway.models import ConsumptionLine

from ._client import BssClient
from ._mapping_bills import fee_record_line, monthly_sum_line, summarise
from ._paging import Pager, Wire

__all__ = ["CHARGE_MODES_ASKED", "WINDOW_MONTHS", "ConsumptionReader"]

#: H.6.1 needs one charge mode per call: yearly/monthly, on-demand, savings plan.
CHARGE_MODES_ASKED = ("1", "3", "11")
WINDOW_MONTHS = 18  # H.6.2 answers for this month and the 17 before it
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_CHINA = timedelta(hours=8)


def _months_back(month: str, now: datetime) -> int:
    local = now.astimezone(UTC) + _CHINA
    return (local.year - int(month[:4])) * 12 + local.month - int(month[5:7])


class ConsumptionReader:
    """Reads one partner account's bills; given the provider's client, pager and clock."""

    def __init__(self, client: BssClient, pages: Pager, domain_id: str, clock: Callable[[], datetime]) -> None:
        self._client = client
        self._pages = pages
        self._domain_id = domain_id
        self._clock = clock

    async def read(
        self, month: str, *, customer_id: str | None, reseller_id: str | None, itemised: bool
    ) -> tuple[ConsumptionLine, ...]:
        if not _MONTH.match(month):
            raise InvalidInput("a billing month is YYYY-MM", field="month")
        back = _months_back(month, self._clock())
        if back < 0:
            return ()  # not billed yet
        if itemised:
            if not customer_id:
                raise InvalidInput("itemised consumption is read one customer at a time", field="customerId")
            if back >= WINDOW_MONTHS:
                raise InvalidInput(f"itemised records are kept for {WINDOW_MONTHS} months", field="month")
            return tuple(await self._fee_lines(month, customer_id, reseller_id))
        lines = [
            line for mode in CHARGE_MODES_ASKED for line in await self._sums(month, mode, customer_id, reseller_id)
        ]
        if back < WINDOW_MONTHS:
            billed = {line.customer_id for line in lines}
            for other in await self._advisory(month, customer_id, reseller_id):
                if other not in billed:
                    lines.extend(await self._fee_lines(month, other, reseller_id))
        return summarise(lines)

    async def _sums(
        self, month: str, mode: str, customer_id: str | None, reseller_id: str | None
    ) -> list[ConsumptionLine]:
        query: dict[str, Any] = {"cycle": month, "charge_mode": mode}
        if customer_id:
            query["customer_id"] = customer_id
        if reseller_id:
            query["indirect_partner_id"] = reseller_id
        currency: list[object] = []

        async def fetch(position: int, size: int) -> Wire:
            data = await self._client.list_subcustomer_monthly_bills({**query, "offset": position, "limit": size})
            currency.append(data.get("currency"))
            return data

        size = self._pages.page_size
        rows = await self._pages.all("list_subcustomer_monthly_bills", fetch, ("count", "bill_sums"), size)
        return [
            monthly_sum_line(row, month=month, currency=currency[0] if currency else None, reseller_id=reseller_id)
            for row in rows
        ]

    async def _fee_lines(self, month: str, customer_id: str, reseller_id: str | None) -> list[ConsumptionLine]:
        query: dict[str, Any] = {"bill_cycle": month, "customer_id": customer_id}
        if reseller_id:
            query["indirect_partner_id"] = reseller_id
        currency: list[object] = []

        async def fetch(position: int, size: int) -> Wire:
            data = await self._client.list_sub_customer_bill_detail({**query, "offset": position, "limit": size})
            currency.append(data.get("currency"))
            return data

        size = self._pages.page_size
        records = await self._pages.all("list_sub_customer_bill_detail", fetch, ("total_count", "fee_records"), size)
        return [
            fee_record_line(
                record,
                month=month,
                currency=currency[0] if currency else None,
                partner_domain_id=self._domain_id,
                reseller_id=reseller_id,
            )
            for record in records
        ]

    async def _advisory(self, month: str, customer_id: str | None, reseller_id: str | None) -> list[str]:
        """The customers whose summary may have to come from their fee records (see the module docstring)."""
        if customer_id:
            return [customer_id]
        size = self._pages.page_size
        if reseller_id is None:

            async def consumers(position: int, size: int) -> Wire:
                body = {"bill_cycle": month, "offset": position, "limit": size}
                return await self._client.list_consume_sub_customers(body)

            found = await self._pages.all(
                "list_consume_sub_customers", consumers, ("total_count", "sub_customers"), size
            )
        else:

            async def advisory(position: int, size: int) -> Wire:
                body = {"indirect_partner_id": reseller_id, "association_type": "1", "offset": position, "limit": size}
                return await self._client.list_sub_customers(body)

            found = await self._pages.all("list_sub_customers", advisory, ("count", "customer_infos"), size)
        return [str(entry["customer_id"]) for entry in found if entry.get("customer_id")]
