"""Whole lists of the upstream's own records, read page by page to the end (CONTRACTS.md X.1, A.6.5).

The write side needs complete lists, not windows: the coupons of one customer and template (to find the
coupon a write created), invitations and accounts (to find a filing or an invitation by e-mail) and a
customer's notes (to reconcile a write whose reply was lost). A list that cannot be read raises the
``ProviderError`` the read raised. GetInviteStatus is read here too, one id or many (the write side's
filings, the read side's invitees).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from adapters.aliyun import _errors
from adapters.aliyun._client import AgencyClient
from adapters.aliyun._paging import Fetch, rows_at, total_at, unreadable

__all__ = ["INVITE_STATUS_BATCH", "MAX_ROWS", "Scanner"]

#: A guard against a list that never ends (a misbehaving upstream); far above any real partner's lists.
MAX_ROWS = 100_000
_COUPON_PAGE = 50  # ListCouponUsage PageSize max (A.4.11)
_ACCOUNT_PAGE = 20  # GetAccountInfo PageSize max (A.4.3)
_NOTE_PAGE = 50
#: GetInviteStatus takes at most 5 ids per call (A.4.4 "Sub-levels <= 5").
INVITE_STATUS_BATCH = 5


async def read_all(fetch: Fetch, size: int) -> list[dict[str, Any]]:
    """Every row of a page-numbered list, from page 1 until the total is reached or a page is short."""
    rows: list[dict[str, Any]] = []
    number = 1
    while True:
        total, page = await fetch(number, size)
        rows.extend(page)
        if len(page) < size or len(rows) >= total or len(rows) >= MAX_ROWS:
            return rows
        number += 1


class Scanner:
    """Complete lists of one partner account's records."""

    def __init__(self, client: AgencyClient, partner_id: str) -> None:
        self._client = client
        self._id = partner_id

    async def coupons(self, **filters: object) -> list[dict[str, Any]]:
        """ListCouponUsage ``Data[]`` (A.4.11) with wire-name filters (``Uid``, ``CouponTemplateId``, ``Status``)."""

        async def fetch(number: int, size: int) -> tuple[int, list[dict[str, Any]]]:
            body = await self._client.list_coupon_usage(number, size, **filters)
            return self._total(body, "ListCouponUsage", "PageInfo", "Total"), self._rows(
                body, "ListCouponUsage", "Data"
            )

        return await read_all(fetch, _COUPON_PAGE)

    async def invitations(self) -> list[dict[str, Any]]:
        """GetUnassociatedCustomer ``InviteInfo[]`` (A.4.6): invitations not associated yet."""

        async def fetch(number: int, size: int) -> tuple[int, list[dict[str, Any]]]:
            body = await self._client.get_unassociated_customer(number, size)
            action = "GetUnassociatedCustomer"
            return self._total(body, action, "PageInfo", "Total"), self._rows(
                body, action, "InviteInfoList", "InviteInfo"
            )

        return await read_all(fetch, _ACCOUNT_PAGE)

    async def accounts(self, user_type: int) -> list[dict[str, Any]]:
        """GetAccountInfo ``AccountInfo[]`` (A.4.3) of one ``UserType``."""

        async def fetch(number: int, size: int) -> tuple[int, list[dict[str, Any]]]:
            body = await self._client.get_account_info(current_page=number, page_size=size, user_type=user_type)
            action = "GetAccountInfo"
            return self._total(body, action, "PageInfo", "Total"), self._rows(
                body, action, "AccountInfoList", "AccountInfo"
            )

        return await read_all(fetch, _ACCOUNT_PAGE)

    async def notes(self, uid: str) -> list[dict[str, Any]]:
        """CustomerNoteList ``Data.Data[]`` (A.5.5); the page is an envelope inside ``Data``."""

        async def fetch(number: int, size: int) -> tuple[int, list[dict[str, Any]]]:
            body = await self._client.customer_note_list(uid, number, size)
            inner = body.get("Data")
            if isinstance(inner, dict) and _errors.is_business_error(inner):
                raise _errors.business_error(inner, action="CustomerNoteList", partner_id=self._id)
            action = "CustomerNoteList"
            return self._total(body, action, "Data", "Total"), self._rows(body, action, "Data", "Data")

        return await read_all(fetch, _NOTE_PAGE)

    async def invite_status(self, invite_id: str) -> dict[str, Any] | None:
        """GetInviteStatus (A.4.4) for one id: its ``InviteStatusList`` object, or ``None`` when the
        upstream has no sending record for it (item code 3060)."""
        return (await self.invite_statuses([invite_id])).get(invite_id)

    async def invite_statuses(self, invite_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """GetInviteStatus (A.4.4) for many ids, ``INVITE_STATUS_BATCH`` per call, the calls at once: each
        id's ``InviteStatusList`` object; ids without a sending record (item code 3060) are absent."""
        unique = list(dict.fromkeys(invite_ids))
        batches = [unique[i : i + INVITE_STATUS_BATCH] for i in range(0, len(unique), INVITE_STATUS_BATCH)]
        bodies = await asyncio.gather(*(self._client.get_invite_status(batch) for batch in batches))
        found: dict[str, dict[str, Any]] = {}
        for batch, body in zip(batches, bodies, strict=True):
            items = self._rows(body, "GetInviteStatus", "Data", "InviteStatus")
            if not items:
                continue  # no record of any of them
            if len(items) != len(batch):  # one item per InviteId, in order: their only link
                raise unreadable(body, "GetInviteStatus", self._id, f"{len(items)} items for {len(batch)} ids")
            for invite_id, item in zip(batch, items, strict=True):
                if str(item.get("Code", "200")) != "200" or item.get("Success") is False:
                    if str(item.get("Code")) == "3060":  # no sending record for this InviteId (A.4.5)
                        continue
                    raise _errors.item_error(item, body, action="GetInviteStatus", partner_id=self._id)
                status = item.get("InviteStatusList")
                if isinstance(status, dict):
                    found[invite_id] = status
        return found

    def _rows(self, body: dict[str, Any], action: str, *path: str) -> list[dict[str, Any]]:
        return rows_at(body, path, action=action, partner_id=self._id)

    def _total(self, body: dict[str, Any], action: str, *path: str) -> int:
        return total_at(body, path, action=action, partner_id=self._id)
