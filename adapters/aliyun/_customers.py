"""Customer reads: the partner's accounts and its invitees, as one list (CONTRACTS.md A.4.3, A.4.4, A.4.6).

The list is GetAccountInfo ``UserType`` 1 (end users), then 2 (enterprises), then the invitations not
registered yet (GetUnassociatedCustomer), each in upstream order. An invitee has no UID: its id is
``invitation-<InviteId>``; once it registers, the invitation leaves GetUnassociatedCustomer and the
account is listed under its UID instead. GetUnassociatedCustomer does not say which ``SubAccountType``
an invitation was sent with; GetInviteStatus does, so the invitees of a page are asked about at once
(5 ids per call).

The lists are paged by number (20 rows at most), and a page number is an offset: a window's pages can all be
asked for at once, if it is known which they are. That depends on the lists' totals, which only their answers
give; the last window's totals (and invitation ids) plan the next one, so a page costs one round trip while the
lists keep their lengths, two when they changed (``Customers.window``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from adapters.aliyun import _errors
from adapters.aliyun._client import AgencyClient
from adapters.aliyun._mapping import CUSTOMER_USER_TYPES, customer_from_account_info
from adapters.aliyun._mapping_business import INVITATION_PREFIX, customer_from_invitation, invitation_from_invite_info
from adapters.aliyun._paging import Fetch, check_window, each, read_range, rows_at, total_at
from adapters.aliyun._scan import Scanner
from gateway.errors import ProviderError
from gateway.models import Customer, Invitation, Page

__all__ = ["Customers"]

_ALL = 10**9
#: Rounds of pages a window asks for before it answers with what it has: the second completes a plan that the
#: first answers' totals proved wrong; more only when the lists change under every round.
_MAX_ROUNDS = 4
Row = dict[str, Any]
Answers = dict[int, tuple[int, list[Row]]]
"""One list's pages read: page number -> (the total that answer gave, its rows)."""


@dataclass(slots=True)
class _Seen:
    """What the last window read of the account's lists: each list's total and the invitation ids by position.
    A plan, never an answer: a window is built from its own answers only."""

    totals: tuple[int, ...] | None = None
    invites: dict[int, str] = field(default_factory=dict)

    def invites_at(self, lo: int, hi: int) -> list[str]:
        """The invitation ids last seen at positions ``lo`` to ``hi`` of the pending list (those known)."""
        return [known for position in range(lo, hi) if (known := self.invites.get(position))]

    def remember(self, totals: Sequence[int], invite_pages: Answers, size: int) -> None:
        self.totals = tuple(totals)
        for number, (_, rows) in invite_pages.items():
            for index, row in enumerate(rows):
                self.invites[(number - 1) * size + index] = _key(row.get("InviteId"))
        for position in [p for p in self.invites if p >= totals[-1]]:
            del self.invites[position]


def pages_for(offset: int, end: int, totals: Sequence[int] | None, size: int, lists: int) -> list[list[int]]:
    """The page numbers of each of ``lists`` concatenated lists that rows ``offset`` to ``end`` need, given the
    lists' ``totals``; a list the window misses still needs one page, for its total. Without totals (no window
    read yet): as if the first list held the whole window, and page 1 of the others."""
    if totals is None:
        return [list(range(offset // size + 1, (end - 1) // size + 2)), *([1] for _ in range(lists - 1))]
    return [list(range(lo // size + 1, (hi - 1) // size + 2)) or [1] for lo, hi in _spans(offset, end, totals)]


def _spans(offset: int, end: int, totals: Sequence[int]) -> list[tuple[int, int]]:
    """Where rows ``offset`` to ``end`` fall in each list: ``(lo, hi)``, empty when ``lo >= hi``."""
    spans, base = [], 0
    for total in totals:
        spans.append((max(offset - base, 0), min(max(end - base, 0), total)))
        base += total
    return spans


def _span(offset: int, end: int, totals: Sequence[int] | None, index: int) -> tuple[int, int]:
    return _spans(offset, end, totals)[index] if totals is not None else (0, 0)


def _totals(fetched: Sequence[Answers]) -> list[int]:
    """Each list's total, as its lowest page read says (pages read at once may differ if the list moved)."""
    return [answers[min(answers)][0] for answers in fetched]


def _windows(fetched: Sequence[Answers], offset: int, end: int, totals: Sequence[int], size: int) -> list[list[Row]]:
    """Each list's rows inside the window, from its pages read (up to a short page: past it the list shrank
    while it was read, and what follows would repeat or skip rows)."""
    parts: list[list[Row]] = []
    for answers, (lo, hi) in zip(fetched, _spans(offset, end, totals), strict=True):
        if lo >= hi:
            parts.append([])
            continue
        first, rows = lo // size + 1, []
        for number in range(first, (hi - 1) // size + 2):
            page = answers.get(number, (0, []))[1]
            rows += page
            if len(page) < size:
                break
        start = (first - 1) * size
        parts.append(rows[lo - start : hi - start])
    return parts


async def _nothing() -> dict[str, dict[str, Any]]:
    return {}


class Customers:
    """The customer reads of one partner account."""

    def __init__(
        self,
        client: AgencyClient,
        scanner: Scanner,
        *,
        partner_id: str,
        page_size: int,
        now: Callable[[], datetime],
    ) -> None:
        self._client = client
        self._scan = scanner
        self._id = partner_id
        self._page_size = page_size
        self._now = now
        self._seen = _Seen()

    async def window(self, offset: int, limit: int) -> Page[Customer]:
        """Rows ``offset`` to ``offset + limit`` of the three lists as one, in as few round trips as the lists
        allow. Where the window falls in a list depends on the totals of the lists before it, so the pages it
        needs are planned from the totals the last window read (each list's answer says its total) and asked
        for all at once, with the statuses of the invitees the plan expects; a plan the answers' totals prove
        wrong (a list grew or shrank, or the first window of this process) is completed in a further round.
        What a window returns is always what its own answers say: the remembered totals and invitation ids
        only decide which pages to ask for first."""
        check_window(offset, limit)
        sources = [*(self._account_page(t) for t in CUSTOMER_USER_TYPES), self._invite_page()]
        if not limit:  # a total alone: the cheapest page of each list
            totals = [total for total, _ in await asyncio.gather(*(fetch(1, 1) for fetch in sources))]
            self._seen.totals = tuple(totals)
            return Page(items=(), total=sum(totals))
        size, end = self._page_size, offset + limit
        fetched: list[dict[int, tuple[int, list[Row]]]] = [{} for _ in sources]
        plan = pages_for(offset, end, self._seen.totals, size, len(sources))
        guess = self._seen.invites_at(*_span(offset, end, self._seen.totals, len(sources) - 1))
        asked: set[str] = set(guess)
        statuses = {}
        for _ in range(_MAX_ROUNDS):
            missing = [
                (stage, number) for stage, pages in enumerate(plan) for number in pages if number not in fetched[stage]
            ]
            if not missing:
                break
            pages, found = await asyncio.gather(
                asyncio.gather(*(sources[stage](number, size) for stage, number in missing)),
                self._scan.invite_statuses(guess) if guess else _nothing(),
            )
            statuses.update(found)
            guess = []
            for (stage, number), answer in zip(missing, pages, strict=True):
                fetched[stage][number] = answer
            plan = pages_for(offset, end, _totals(fetched), size, len(sources))
        totals = _totals(fetched)
        *account_parts, invite_rows = _windows(fetched, offset, end, totals, size)
        self._seen.remember(totals, fetched[-1], size)
        unasked = [key for row in invite_rows if (key := _key(row.get("InviteId"))) not in asked]
        if unasked:
            statuses.update(await self._scan.invite_statuses(unasked))
        accounts = [
            self._account(row, user_type)
            for user_type, rows in zip(CUSTOMER_USER_TYPES, account_parts, strict=True)
            for row in rows
        ]
        return Page(items=(*accounts, *self._invitees(invite_rows, statuses)), total=sum(totals))

    async def get(self, native_ids: Sequence[str]) -> Mapping[str, Customer]:
        """GetAccountInfo by ``Uid`` (the row does not say its UserType, so UserType 1, then 2); unknown
        UIDs and T2 partners are absent. Invitees from the pending list, which is short: read in full."""
        invited = {i for i in native_ids if i.startswith(INVITATION_PREFIX)}
        found: dict[str, Customer] = {}
        if invited:
            _, rows = await read_range(self._invite_page(), 0, _ALL, self._page_size)
            wanted = [row for row in rows if f"{INVITATION_PREFIX}{_key(row.get('InviteId'))}" in invited]
            statuses = await self._scan.invite_statuses([_key(row.get("InviteId")) for row in wanted]) if wanted else {}
            found = {customer.native_id: customer for customer in self._invitees(wanted, statuses)}

        async def one(uid: str) -> Customer | None:
            if not uid.isdigit():
                return None
            for user_type in CUSTOMER_USER_TYPES:
                try:
                    body = await self._client.get_account_info(1, 1, user_type=user_type, uid=uid)
                except ProviderError as error:
                    if error.upstream_code == "3029":  # Invalid UID (A.4.3)
                        return None
                    raise
                rows = rows_at(body, ("AccountInfoList", "AccountInfo"), action="GetAccountInfo", partner_id=self._id)
                if rows:
                    return self._account(rows[0], user_type)
            return None

        uids = [i for i in native_ids if not i.startswith(INVITATION_PREFIX)]
        return {**found, **await each(uids, one)}

    def invitation(self, row: Mapping[str, Any]) -> Invitation:
        """One GetUnassociatedCustomer row as an ``Invitation``."""
        return invitation_from_invite_info(row, provider=_errors.PROVIDER, partner_id=self._id, now=self._now())

    def _invitees(self, rows: Sequence[Row], statuses: Mapping[str, Mapping[str, Any]]) -> list[Customer]:
        """GetUnassociatedCustomer rows as customers, with what GetInviteStatus reports of each."""
        return [customer_from_invitation(self.invitation(row), statuses.get(_key(row.get("InviteId")))) for row in rows]

    def _account(self, row: Row, user_type: int) -> Customer:
        return customer_from_account_info(row, user_type=user_type, provider=_errors.PROVIDER, partner_id=self._id)

    def _invite_page(self) -> Fetch:
        async def fetch(number: int, size: int) -> tuple[int, list[Row]]:
            body = await self._client.get_unassociated_customer(number, size)
            action = "GetUnassociatedCustomer"
            total = total_at(body, ("PageInfo", "Total"), action=action, partner_id=self._id)
            return total, rows_at(body, ("InviteInfoList", "InviteInfo"), action=action, partner_id=self._id)

        return fetch

    def _account_page(self, user_type: int) -> Fetch:
        async def fetch(number: int, size: int) -> tuple[int, list[Row]]:
            # PageInfo.Total is read as the number of matching accounts; the SDK's doc ("page volume
            # in total", A.4.3) is ambiguous and the simulator implements this reading.
            body = await self._client.get_account_info(current_page=number, page_size=size, user_type=user_type)
            total = total_at(body, ("PageInfo", "Total"), action="GetAccountInfo", partner_id=self._id)
            rows = rows_at(body, ("AccountInfoList", "AccountInfo"), action="GetAccountInfo", partner_id=self._id)
            return total, rows

        return fetch


def _key(value: object) -> str:
    return "" if value is None else str(value).strip()
