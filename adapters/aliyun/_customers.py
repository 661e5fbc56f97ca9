"""Customer reads: the partner's accounts and its invitees, as one list (CONTRACTS.md A.4.3, A.4.4, A.4.6).

The list is GetAccountInfo ``UserType`` 1 (end users), then 2 (enterprises), then the invitations not
registered yet (GetUnassociatedCustomer), each in upstream order. An invitee has no UID: its id is
``invitation-<InviteId>``; once it registers, the invitation leaves GetUnassociatedCustomer and the
account is listed under its UID instead. GetUnassociatedCustomer does not say which ``SubAccountType``
an invitation was sent with; GetInviteStatus does, so the invitees of a page are asked about at once
(5 ids per call).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
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

__all__ = ["LOOKUP_CONCURRENCY", "Customers"]

#: How many GetAccountInfo calls ``get`` runs at once (one per UID).
LOOKUP_CONCURRENCY = 8
_ALL = 10**9
Row = dict[str, Any]


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

    async def window(self, offset: int, limit: int) -> Page[Customer]:
        """Where the window falls in each list depends on the lists before it, so the first page of every
        list is asked for at once (it also gives each total); only the further pages a window needs are
        read after that, again concurrently, and then the statuses of the window's invitees."""
        check_window(offset, limit)
        end = offset + limit
        sources = [*(self._account_page(t) for t in CUSTOMER_USER_TYPES), self._invite_page()]
        first_size = self._page_size if limit else 1  # a total alone: the cheapest page
        firsts = await asyncio.gather(*(fetch(1, first_size) for fetch in sources))
        windows: list[tuple[Fetch, int, int, list[Row]]] = []
        base = 0
        for fetch, (total, first_rows) in zip(sources, firsts, strict=True):
            windows.append((fetch, max(offset - base, 0), min(max(end - base, 0), total), first_rows))
            base += total

        async def rows_of(fetch: Fetch, lo: int, hi: int, first_rows: list[Row]) -> list[Row]:
            if lo >= hi:
                return []
            if hi <= first_size:
                return first_rows[lo:hi]
            if lo < first_size:  # page 1 is in hand: read only the pages after it
                return first_rows[lo:] + (await read_range(fetch, first_size, hi, self._page_size))[1]
            return (await read_range(fetch, lo, hi, self._page_size))[1]

        *account_parts, invite_rows = await asyncio.gather(*(rows_of(*window) for window in windows))
        accounts = [
            self._account(row, user_type)
            for user_type, rows in zip(CUSTOMER_USER_TYPES, account_parts, strict=True)
            for row in rows
        ]
        return Page(items=(*accounts, *await self._invitees(invite_rows)), total=base)

    async def get(self, native_ids: Sequence[str]) -> Mapping[str, Customer]:
        """GetAccountInfo by ``Uid`` (the row does not say its UserType, so UserType 1, then 2); unknown
        UIDs and T2 partners are absent. Invitees from the pending list, which is short: read in full."""
        invited = {i for i in native_ids if i.startswith(INVITATION_PREFIX)}
        found: dict[str, Customer] = {}
        if invited:
            _, rows = await read_range(self._invite_page(), 0, _ALL, self._page_size)
            wanted = [row for row in rows if f"{INVITATION_PREFIX}{_key(row.get('InviteId'))}" in invited]
            found = {customer.native_id: customer for customer in await self._invitees(wanted)}

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
        return {**found, **await each(uids, one, LOOKUP_CONCURRENCY)}

    def invitation(self, row: Mapping[str, Any]) -> Invitation:
        """One GetUnassociatedCustomer row as an ``Invitation``."""
        return invitation_from_invite_info(row, provider=_errors.PROVIDER, partner_id=self._id, now=self._now())

    async def _invitees(self, rows: Sequence[Row]) -> list[Customer]:
        """GetUnassociatedCustomer rows as customers, with what GetInviteStatus reports of each."""
        if not rows:
            return []
        statuses = await self._scan.invite_statuses([_key(row.get("InviteId")) for row in rows])
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
