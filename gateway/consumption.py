"""Customers' consumption: months read from each partner account, then summed the ways a distributor looks.

A range is whole billing months (``YYYY-MM``, the clouds' month in UTC+8), at most ``MAX_MONTHS`` long,
validated here with typed errors (``BAD_USER_INPUT`` with ``field`` and ``reason``). ``ConsumptionReader``
fetches one account's months concurrently, at most ``MONTHS_AT_ONCE`` at once (below that, each call still
waits for the account's own concurrency cap and rate limit: ``gateway.upstream``), and keeps what it read for
the request: a month's summary read for a whole account also answers one customer's summary. Nothing is
cached across requests: past months would keep, but a bill can still be adjusted and a refund paid, and the
upstream cache (``docs/caching.md``) holds reference data only.

``Consumption`` sums lines: by currency and source (a total is never summed across currencies, and an
estimate, paid orders, is never summed with a bill), by product, by customer, by day or month, and the
range's last month against the month before.
"""

from __future__ import annotations

import asyncio
import enum
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from gateway.errors import InvalidInput
from gateway.models import ConsumptionLine, ConsumptionSource, Money
from gateway.pagination import AccountFailure

__all__ = [
    "BILLING_ZONE",
    "DEFAULT_MONTHS",
    "MAX_MONTHS",
    "MONTHS_AT_ONCE",
    "Comparison",
    "Consumption",
    "ConsumptionReader",
    "CustomerFigure",
    "Figure",
    "Granularity",
    "MonthRange",
    "Point",
    "ProductFigure",
    "current_month",
    "figures",
    "range_error",
    "shift_month",
]

#: Both clouds' billing months are China time (``gateway.models.ConsumptionLine.month``).
BILLING_ZONE = timezone(timedelta(hours=8))
MAX_MONTHS = 24
"""The longest range asked at once: two years, every month of them a read (or more) per partner account."""
DEFAULT_MONTHS = 12
MONTHS_AT_ONCE = 4
"""Months of one partner account read at once by one request."""
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def range_error(message: str, field: str, reason: str) -> InvalidInput:
    """A range of months that cannot be read: ``reason`` says why (``BAD_MONTH``, ``RANGE_REVERSED``,
    ``RANGE_TOO_LONG``), in the extensions beside ``code`` ``BAD_USER_INPUT``, ``field`` and ``maximumMonths``."""
    return InvalidInput(message, field, reason=reason, details={"maximumMonths": MAX_MONTHS})


class Granularity(enum.Enum):
    """The step of a trend."""

    DAY = "DAY"
    MONTH = "MONTH"


def current_month(now: datetime | None = None) -> str:
    """The billing month now (UTC+8)."""
    local = (now or datetime.now(UTC)).astimezone(BILLING_ZONE)
    return f"{local.year:04d}-{local.month:02d}"


def shift_month(month: str, by: int) -> str:
    """``month`` moved ``by`` months (negative: back)."""
    year, number = int(month[:4]), int(month[5:7])
    index = year * 12 + number - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _months_between(start: str, end: str) -> int:
    return (int(end[:4]) - int(start[:4])) * 12 + int(end[5:7]) - int(start[5:7]) + 1


@dataclass(frozen=True, slots=True)
class MonthRange:
    """Whole billing months, ``start`` to ``end`` inclusive."""

    start: str
    end: str

    @classmethod
    def of(cls, start: str | None, end: str | None, now: datetime | None = None) -> MonthRange:
        """A range as a client gives it: ``end`` defaults to this month, ``start`` to 11 months before ``end``."""
        for name, value in (("from", start), ("to", end)):
            if value is not None and not _MONTH.match(value):
                raise range_error(f"{name} must be a month as YYYY-MM, not {value!r}", name, "BAD_MONTH")
        last = end or current_month(now)
        first = start or shift_month(last, 1 - DEFAULT_MONTHS)
        if first > last:
            raise range_error(f"the range is reversed: from {first} is after to {last}", "from", "RANGE_REVERSED")
        if _months_between(first, last) > MAX_MONTHS:
            raise range_error(
                f"the range {first} to {last} is over {MAX_MONTHS} months: ask for a shorter one",
                "from",
                "RANGE_TOO_LONG",
            )
        return cls(first, last)

    @property
    def months(self) -> list[str]:
        return [shift_month(self.start, n) for n in range(_months_between(self.start, self.end))]

    def days(self) -> list[date]:
        first = date(int(self.start[:4]), int(self.start[5:7]), 1)
        after = shift_month(self.end, 1)
        last = date(int(after[:4]), int(after[5:7]), 1)
        return [first + timedelta(days=n) for n in range((last - first).days)]


@dataclass(frozen=True, slots=True)
class Figure:
    """An amount in one currency from one source."""

    amount: Money
    source: ConsumptionSource


@dataclass(frozen=True, slots=True)
class ProductFigure:
    product_code: str
    product_name: str
    figure: Figure


@dataclass(frozen=True, slots=True)
class CustomerFigure:
    account_id: str
    customer_id: str
    figure: Figure


@dataclass(frozen=True, slots=True)
class Point:
    """A trend's step: a day (``YYYY-MM-DD``) or a month (``YYYY-MM``)."""

    period: str
    figure: Figure


@dataclass(frozen=True, slots=True)
class Comparison:
    """One month against the month before, per currency and source."""

    month: str
    previous_month: str
    current: tuple[Figure, ...]
    previous: tuple[Figure, ...]


Key = tuple[str, ConsumptionSource]
"""(currency, source): what may be summed together."""


def _key(line: ConsumptionLine) -> Key:
    return line.amount.currency, line.source


def _sums(lines: Iterable[ConsumptionLine]) -> dict[Key, Decimal]:
    sums: dict[Key, Decimal] = defaultdict(Decimal)
    for line in lines:
        sums[_key(line)] += line.amount.amount
    return sums


def figures(lines: Iterable[ConsumptionLine]) -> tuple[Figure, ...]:
    """The lines' sums per currency and source, in currency then source order (never summed across either)."""
    return _figures(_sums(lines))


def _figures(sums: dict[Key, Decimal]) -> tuple[Figure, ...]:
    return tuple(
        Figure(Money(amount, currency), source) for (currency, source), amount in sorted(sums.items(), key=_order)
    )


def _order(item: tuple[Key, Decimal]) -> tuple[str, str]:
    (currency, source), _ = item
    return currency, source.value


def _rank(figure: Figure) -> tuple[str, Decimal, str]:
    """Largest first within a currency (amounts of different currencies are not compared; a bill and paid orders
    in one currency are, for a ranking, never summed)."""
    return figure.amount.currency, -figure.amount.amount, figure.source.value


@dataclass(frozen=True)
class Consumption:
    """Consumption lines of some partner accounts over a range (and the month before it, for the comparison),
    with the accounts that could not be read."""

    range: MonthRange
    lines: tuple[tuple[str, ConsumptionLine], ...]
    """(account id, line); lines of the month before the range are here for ``comparison`` only."""
    accounts: tuple[str, ...] = ()
    """The partner accounts whose figures are in."""
    failures: tuple[AccountFailure, ...] = ()
    _in_range: tuple[tuple[str, ConsumptionLine], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        months = set(self.range.months)
        object.__setattr__(self, "_in_range", tuple((a, line) for a, line in self.lines if line.month in months))

    def totals(self) -> tuple[Figure, ...]:
        return _figures(_sums(line for _, line in self._in_range))

    def by_product(self) -> list[ProductFigure]:
        """Per product and source, largest first within a currency."""
        sums: dict[tuple[str, Key], Decimal] = defaultdict(Decimal)
        names: dict[str, str] = {}
        for _, line in self._in_range:
            sums[line.product_code, _key(line)] += line.amount.amount
            names.setdefault(line.product_code, line.product_name)
        found = [
            ProductFigure(code, names[code], Figure(Money(amount, currency), source))
            for (code, (currency, source)), amount in sums.items()
        ]
        return sorted(found, key=lambda f: _rank(f.figure))

    def by_customer(self) -> list[CustomerFigure]:
        """Per customer and source, largest first within a currency."""
        sums: dict[tuple[str, str, Key], Decimal] = defaultdict(Decimal)
        for account_id, line in self._in_range:
            sums[account_id, line.customer_id, _key(line)] += line.amount.amount
        found = [
            CustomerFigure(account_id, customer_id, Figure(Money(amount, currency), source))
            for (account_id, customer_id, (currency, source)), amount in sums.items()
        ]
        return sorted(found, key=lambda f: _rank(f.figure))

    def trend(self, granularity: Granularity = Granularity.MONTH) -> list[Point]:
        """Every day or month of the range, for each currency and source there is (zero where nothing was
        consumed). By day, only lines with a day count (itemised lines)."""
        periods: list[str]
        if granularity is Granularity.DAY:
            periods = [day.isoformat() for day in self.range.days()]
            lines = [(line.day.isoformat(), line) for _, line in self._in_range if line.day is not None]
        else:
            periods = self.range.months
            lines = [(line.month, line) for _, line in self._in_range]
        keys = sorted({_key(line) for _, line in lines}, key=lambda k: (k[0], k[1].value))
        sums: dict[tuple[str, Key], Decimal] = defaultdict(Decimal)
        for period, line in lines:
            sums[period, _key(line)] += line.amount.amount
        return [
            Point(period, Figure(Money(sums.get((period, key), Decimal(0)), key[0]), key[1]))
            for period in periods
            for key in keys
        ]

    def comparison(self) -> Comparison:
        """The range's last month against the month before it."""
        month, previous = self.range.end, shift_month(self.range.end, -1)
        current = _sums(line for _, line in self.lines if line.month == month)
        before = _sums(line for _, line in self.lines if line.month == previous)
        for key in set(current) | set(before):  # a currency in one month only is shown as zero in the other
            current.setdefault(key, Decimal(0))
            before.setdefault(key, Decimal(0))
        return Comparison(month, previous, _figures(current), _figures(before))


Fetch = Callable[[str, str | None, str | None, bool], Awaitable[tuple[ConsumptionLine, ...]]]
"""(month, customer id, reseller id, itemised) -> one account's lines."""


class ConsumptionReader:
    """One account's months for one request: each (month, customer, reseller, itemised) read once, at most
    ``MONTHS_AT_ONCE`` at once; a whole account's summary of a month also answers a customer's."""

    def __init__(self, fetch: Fetch) -> None:
        self._fetch = fetch
        self._gate = asyncio.Semaphore(MONTHS_AT_ONCE)
        self._read: dict[tuple[str, str | None, str | None, bool], asyncio.Future[tuple[ConsumptionLine, ...]]] = {}

    async def months(
        self,
        months: Sequence[str],
        *,
        customer_id: str | None = None,
        reseller_id: str | None = None,
        itemised: bool = False,
    ) -> list[ConsumptionLine]:
        """The lines of ``months``, read concurrently; the first failure raises."""
        found = await asyncio.gather(*(self._month(m, customer_id, reseller_id, itemised) for m in months))
        return [line for lines in found for line in lines]

    async def _month(
        self, month: str, customer_id: str | None, reseller_id: str | None, itemised: bool
    ) -> tuple[ConsumptionLine, ...]:
        whole = self._read.get((month, None, reseller_id, False))
        if customer_id is not None and not itemised and whole is not None:
            return tuple(line for line in await asyncio.shield(whole) if line.customer_id == customer_id)
        key = (month, customer_id, reseller_id, itemised)
        if key not in self._read:
            self._read[key] = asyncio.ensure_future(self._bounded(*key))
        return await asyncio.shield(self._read[key])

    async def _bounded(
        self, month: str, customer_id: str | None, reseller_id: str | None, itemised: bool
    ) -> tuple[ConsumptionLine, ...]:
        async with self._gate:
            return await self._fetch(month, customer_id, reseller_id, itemised)
