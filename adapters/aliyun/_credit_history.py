"""``AliyunProvider.credit_history``: a credit customer's five histories (CONTRACTS.md A.7.5, A.7.16, A.7.17,
A.7.22, A.7.23) as ``gateway.models.CreditRecord``.

Two of them need a date window (A.7.5 and A.7.23 require ``StartDate``/``EndDate``): the adapter asks for the
last ``HISTORY_DAYS`` days, China time, to today. QueryAutomaticWriteOffChangeRecords pages without a total
(A.7.22): the total reported is what was read, plus one while the last page read was full (so a client knows to
ask for more).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from adapters.aliyun._client import AgencyClient
from adapters.aliyun._mapping import parse_timestamp
from adapters.aliyun._mapping_business import money
from adapters.aliyun._mapping_business import text as _text
from adapters.aliyun._paging import read_range, rows_at, total_at
from gateway.models import CreditRecord, CreditRecordKind, Money, Page

__all__ = ["HISTORY_DAYS", "CreditHistory"]

#: How far back the dated histories (credit line, reversed deductions) are read.
HISTORY_DAYS = 365
_CHINA = timezone(timedelta(hours=8))

Fetch = Callable[[int, int], Awaitable[tuple[int, list[dict[str, Any]]]]]


class CreditHistory:
    """The histories of one partner account's credit customers."""

    def __init__(self, client: AgencyClient, *, partner_id: str, currency: str, page_size: int) -> None:
        self._client = client
        self._id = partner_id
        self._currency = currency
        self._size = min(page_size, 100)  # PageSize <= 100 on these lists

    async def read(self, uid: int, kind: CreditRecordKind, offset: int, limit: int) -> Page[CreditRecord]:
        if kind is CreditRecordKind.AUTOMATIC_WRITE_OFF:
            return await self._write_offs(uid, offset, limit)
        action, fetch, convert = self._list(uid, kind)

        async def page(number: int, size: int) -> tuple[int, list[dict[str, Any]]]:
            body = await fetch(number, size)
            return total_at(body, ("Total",), action=action, partner_id=self._id), rows_at(
                body, ("Data",), action=action, partner_id=self._id
            )

        total, rows = await read_range(page, offset, offset + limit, self._size)
        return Page(tuple(convert(row) for row in rows), total)

    def _list(
        self, uid: int, kind: CreditRecordKind
    ) -> tuple[str, Callable[[int, int], Awaitable[dict[str, Any]]], Callable[[Mapping[str, Any]], CreditRecord]]:
        start, end = self._window()
        match kind:
            case CreditRecordKind.CREDIT_LINE:
                return (
                    "CustomerQuotaRecordList",
                    lambda n, s: self._client.customer_quota_record_list(uid, start, end, n, s),
                    self._credit_line,
                )
            case CreditRecordKind.PURCHASE_CONTROL:
                return (
                    "GetPurchaseControlRecord",
                    lambda n, s: self._client.get_purchase_control_record(uid, n, s),
                    self._purchase_control,
                )
            case CreditRecordKind.SHUTDOWN_POLICY:
                return (
                    "GetShutdownPolicyRecord",
                    lambda n, s: self._client.get_shutdown_policy_record(uid, n, s),
                    self._shutdown_policy,
                )
            case _:
                return (
                    "QueryReversedDeductionHistory",
                    lambda n, s: self._client.query_reversed_deduction_history(uid, start, end, n, s),
                    self._reversed_deduction,
                )

    async def _write_offs(self, uid: int, offset: int, limit: int) -> Page[CreditRecord]:
        """A.7.22 has no total: read pages until the window is covered or a page comes back short."""
        rows: list[dict[str, Any]] = []
        number = offset // self._size + 1
        skip = offset - (number - 1) * self._size
        full = True
        while full and len(rows) < skip + max(limit, 1):
            body = await self._client.query_automatic_write_off_change_records(uid, number, self._size)
            page = rows_at(body, ("Data",), action="QueryAutomaticWriteOffChangeRecords", partner_id=self._id)
            rows.extend(page)
            full = len(page) == self._size
            number += 1
        window = rows[skip : skip + limit]
        read = offset + len(rows) - skip
        return Page(tuple(self._write_off(row) for row in window), read + (1 if full else 0))

    def _window(self) -> tuple[str, str]:
        today = datetime.now(_CHINA).date()
        return (today - timedelta(days=HISTORY_DAYS)).isoformat(), today.isoformat()

    def _money(self, value: object) -> Money | None:
        return money(value, self._currency)

    def _credit_line(self, row: Mapping[str, Any]) -> CreditRecord:
        return CreditRecord(
            kind=CreditRecordKind.CREDIT_LINE,
            occurred_at=parse_timestamp(row.get("OperationTime")),
            description=_text(row.get("OperationTypeDesc")) or _text(row.get("OperationTypeCode")),
            before=_text(row.get("UpdateBeforeAmount")),
            after=_text(row.get("UpdateAfterAmount")),
            amount=self._money(row.get("UpdateAmount")),
            operator=_text(row.get("OperationUid")),
            extra={"submitType": row.get("OperationSubmitType"), "type": row.get("OperationTypeCode")},
        )

    def _purchase_control(self, row: Mapping[str, Any]) -> CreditRecord:
        changed = _text(row.get("ChangedType"))
        return CreditRecord(
            kind=CreditRecordKind.PURCHASE_CONTROL,
            occurred_at=parse_timestamp(row.get("OperationTime")),
            description=changed,
            after={"ban": "ban", "cancelban": "normal"}.get((changed or "").lower(), changed),
            operator=_text(row.get("Operator")),
            extra={"path": row.get("OperationPath")},
        )

    def _shutdown_policy(self, row: Mapping[str, Any]) -> CreditRecord:
        return CreditRecord(
            kind=CreditRecordKind.SHUTDOWN_POLICY,
            occurred_at=parse_timestamp(row.get("OperationTime")),
            before=_text(row.get("PreviousPolicy")),
            after=_text(row.get("CurrentPolicy")),
            operator=_text(row.get("Operator")),
            extra={"path": row.get("OperationPath")},
        )

    def _reversed_deduction(self, row: Mapping[str, Any]) -> CreditRecord:
        return CreditRecord(
            kind=CreditRecordKind.REVERSED_DEDUCTION,
            occurred_at=parse_timestamp(row.get("OperationTime")),
            amount=self._money(row.get("OffsetAmount")),
            operator=_text(row.get("OperationUid")),
            extra={"submitType": row.get("OperationSubmitType")},
        )

    def _write_off(self, row: Mapping[str, Any]) -> CreditRecord:
        content = _text(row.get("ChangeContent"))
        enabled = write_off_enabled(content)
        return CreditRecord(
            kind=CreditRecordKind.AUTOMATIC_WRITE_OFF,
            occurred_at=parse_timestamp(row.get("OperationTime")),
            description=content,
            after=None if enabled is None else ("enabled" if enabled else "disabled"),
            operator=_text(row.get("OperateId")),
            native_id=None,
            extra={"source": row.get("OperateSource")},
        )


def write_off_enabled(content: str | None) -> bool | None:
    """The setting a write-off change record shows, when its ``ChangeContent`` (undocumented) is JSON with
    ``AutomaticWriteOffEnabled``; None otherwise."""
    if not content:
        return None
    try:
        data = json.loads(content)
    except ValueError:
        return None
    value = data.get("AutomaticWriteOffEnabled") if isinstance(data, dict) else None
    return value if isinstance(value, bool) else None
