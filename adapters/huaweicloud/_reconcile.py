"""``find_applied``: was a write whose reply was lost applied? Asked of the upstream's own records.

Every search starts ``SKEW`` before ``since`` (clocks differ), reads its list to the end, drops records whose
upstream id is in ``exclude`` and takes the **oldest** match: the gateway runs one write per target at a
time and reconciles its pending writes oldest first.

=====================  =================================================================================
intent                 evidence
=====================  =================================================================================
TransferFunds          list_partner_adjust_records (H.4.27): ``customer_id``, SOURCE_OPERATION_BEADJUST,
                       same amount (with ``indirect_partner_id`` for a tier-2's customer) -> ``trans_id``
ReclaimFunds           the same, SOURCE_OPERATION_BERETRIEVE
AllocateResellerFunds  the same with the tier-2's id as ``customer_id``, BEADJUST
ReclaimResellerFunds   the same, BERETRIEVE
GrantVoucherQuota      list_coupon_quotas_records (H.4.16): grant (10) to the tier-2 from the parent quota,
                       same amount, result 0 -> the new quota id
ReclaimVoucherQuota    list_coupon_quotas_records: reclaim (11) of the quota, result 0 -> the quota id
IssueVoucher           list_issued_partner_coupons (H.4.19) of the customer created since, same face value
                       (one from the same quota preferred) -> the coupon id
ReclaimVoucher         list_issued_partner_coupons by ``coupon_id``: status 5 (reclaimed) -> the coupon id
CreateCustomer         list_sub_customers (H.4.2) associated since, by ``xaccount_id`` or account name
SendVerificationCode   None: sending a code again is harmless (the new code replaces the old one)
=====================  =================================================================================

Limits of the evidence, each on the safe side:

* A reclaim's upstream id is the quota or coupon id itself (a quota or coupon is reclaimed at most once),
  which is also the id its grant or issue created. ``exclude`` is taken as the gateway builds it, the ids
  of other writes on the same *target* (``quota:<id>``, ``voucher:<id>``): an excluded id means an earlier
  reclaim already did it, so this one was refused. A coupon has no reclaim time: found reclaimed (and not
  excluded) counts as this write's effect.
* A created customer is listed only once associated, which is asynchronous (H.4.1). Until
  ``ASSOCIATION_WAIT`` after ``since`` a customer not found yet is "cannot tell now"
  (``ProviderUnavailable``), unless the account name is given and check_user_identity says it is free.
* list_issued_partner_coupons shows coupons that expire within 12 months only (H.4.19).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.errors import InvalidInput, ProviderError, ProviderUnavailable, Reason, UnsupportedByProvider
from gateway.models import Money
from gateway.writes import (
    AllocateResellerFunds,
    CreateCustomer,
    GrantVoucherQuota,
    Intent,
    IssueVoucher,
    Receipt,
    ReclaimFunds,
    ReclaimResellerFunds,
    ReclaimVoucher,
    ReclaimVoucherQuota,
    SendVerificationCode,
    TransferFunds,
)

from ._client import BssClient
from ._mapping import CURRENCY, PROVIDER, _text, decimal_of, parse_timestamp
from ._paging import Pager, Wire
from ._writes import wire_time, xaccount_id

__all__ = ["ASSOCIATION_WAIT", "RECORD_PAGE", "SKEW", "Reconciler"]

SKEW = timedelta(minutes=5)  # clock skew allowed between the gateway and the upstream
ASSOCIATION_WAIT = timedelta(minutes=10)  # chosen: how long a created customer may take to be listed
RECORD_PAGE = 100  # records per call while searching (the largest ``limit`` we send)
BEADJUST, BERETRIEVE = "SOURCE_OPERATION_BEADJUST", "SOURCE_OPERATION_BERETRIEVE"  # H.4.27
GRANT, RECLAIM = "10", "11"  # quota record operation_type (H.4.16)
RECLAIMED_COUPON = 5  # user_coupons[].status (H.4.19)
_LATEST = datetime.max.replace(tzinfo=UTC)


class Reconciler:
    """``Provider.find_applied`` for one Huawei partner account, over its client and its pager."""

    def __init__(self, client: BssClient, pages: Pager, *, clock: Callable[[], datetime]) -> None:
        self._client = client
        self._pages = pages
        self._clock = clock

    async def find_applied(self, intent: Intent, since: datetime, exclude: frozenset[str]) -> Receipt | None:
        if since.tzinfo is None:
            raise InvalidInput("since must carry a time zone", field="since")
        begin = (since - SKEW).astimezone(UTC).replace(microsecond=0)
        match intent:
            case TransferFunds() | ReclaimFunds():
                kind = BEADJUST if isinstance(intent, TransferFunds) else BERETRIEVE
                return await self._adjusted(intent.customer_id, kind, intent.amount, begin, exclude, intent.reseller_id)
            case AllocateResellerFunds() | ReclaimResellerFunds():
                kind = BEADJUST if isinstance(intent, AllocateResellerFunds) else BERETRIEVE
                return await self._adjusted(intent.reseller_id, kind, intent.amount, begin, exclude, None)
            case GrantVoucherQuota():
                return await self._granted(intent, begin, exclude)
            case ReclaimVoucherQuota():
                return await self._quota_reclaimed(intent.quota_id, begin, exclude)
            case IssueVoucher():
                return await self._issued(intent, begin, exclude)
            case ReclaimVoucher():
                return await self._coupon_reclaimed(intent.voucher_id, exclude)
            case CreateCustomer():
                return await self._created(intent, since, begin, exclude)
            case SendVerificationCode():
                return None  # harmless to send again; nothing to look for
            case _:
                raise UnsupportedByProvider(PROVIDER, intent.kind)

    async def _adjusted(
        self, party: str, kind: str, amount: Money, begin: datetime, exclude: frozenset[str], reseller_id: str | None
    ) -> Receipt | None:
        query: dict[str, Any] = {"customer_id": party, "operation_type": kind, "operation_time_begin": _at(begin)}
        if reseller_id:
            query["indirect_partner_id"] = reseller_id

        async def fetch(offset: int, limit: int) -> Wire:
            return await self._client.list_partner_adjust_records({**query, "offset": offset, "limit": limit})

        records = await self._pages.all("list_partner_adjust_records", fetch, ("total_count", "records"), RECORD_PAGE)
        candidates = (
            (r, _text(r.get("trans_id")))
            for r in records
            if r.get("customer_id") == party and r.get("operation_type") == kind and _same(r.get("amount"), amount)
        )
        return _pick(candidates, "operation_time", begin, exclude)

    async def _granted(self, intent: GrantVoucherQuota, begin: datetime, exclude: frozenset[str]) -> Receipt | None:
        query = {
            "indirect_partner_id": intent.reseller_id,
            "parent_quota_id": intent.parent_quota_id,
            "operation_type": GRANT,
            "operation_time_begin": _at(begin),
        }
        records = await self._quota_records(query)
        candidates = (
            (r, _text(r.get("quota_id")))
            for r in records
            if r.get("indirect_partner_id") == intent.reseller_id
            and r.get("parent_quota_id") == intent.parent_quota_id
            and _succeeded(r, GRANT)
            and _same(r.get("amount"), intent.amount)
        )
        return _pick(candidates, "operation_time", begin, exclude)

    async def _quota_reclaimed(self, quota_id: str, begin: datetime, exclude: frozenset[str]) -> Receipt | None:
        query = {"quota_id": quota_id, "operation_type": RECLAIM, "operation_time_begin": _at(begin)}
        records = await self._quota_records(query)
        candidates = ((r, _text(r.get("quota_id"))) for r in records if r.get("quota_id") == quota_id)
        return _pick(((r, i) for r, i in candidates if _succeeded(r, RECLAIM)), "operation_time", begin, exclude)

    async def _issued(self, intent: IssueVoucher, begin: datetime, exclude: frozenset[str]) -> Receipt | None:
        if intent.face_value is None or not intent.customer_id:
            return None  # execute refuses such an intent before sending it
        query: dict[str, Any] = {"customer_id": intent.customer_id, "create_time_begin": _at(begin)}
        if intent.reseller_id:
            query["indirect_partner_id"] = intent.reseller_id
        coupons = await self._coupons(query)
        matching = [
            c
            for c in coupons
            if c.get("customer_id") == intent.customer_id and _same(c.get("face_value"), intent.face_value)
        ]
        # Huawei documents no quota id on a coupon; the simulator (and, we expect, BSS) puts it in
        # promotion_plan_id. One from the same quota is preferred, but not required (a miss would resend).
        same_quota = [c for c in matching if c.get("promotion_plan_id") == intent.quota_id]
        for candidates in (same_quota, matching):
            if receipt := _pick(((c, _text(c.get("coupon_id"))) for c in candidates), "create_time", begin, exclude):
                return receipt
        return None

    async def _coupon_reclaimed(self, coupon_id: str, exclude: frozenset[str]) -> Receipt | None:
        if coupon_id in exclude:
            return None  # an earlier write on this coupon reclaimed it: this one was refused
        coupons = await self._coupons({"coupon_id": coupon_id})
        for coupon in coupons:
            if coupon.get("coupon_id") == coupon_id and str(coupon.get("status")) == str(RECLAIMED_COUPON):
                return Receipt((coupon_id,))
        return None

    async def _created(
        self, intent: CreateCustomer, since: datetime, begin: datetime, exclude: frozenset[str]
    ) -> Receipt | None:
        reference = xaccount_id(intent)
        body: dict[str, Any] = {"associated_on_begin": _at(begin)}
        if intent.account_name:
            body["account_name"] = intent.account_name  # a fuzzy filter (H.4.2): matched exactly below
        if intent.reseller_id:
            body["indirect_partner_id"] = intent.reseller_id

        async def fetch(offset: int, limit: int) -> Wire:
            return await self._client.list_sub_customers({**body, "offset": offset, "limit": limit})

        customers = await self._pages.all("list_sub_customers", fetch, ("count", "customer_infos"), RECORD_PAGE)
        name = intent.account_name
        candidates = (
            (c, _text(c.get("customer_id")))
            for c in customers
            if c.get("xaccount_id") == reference or (name and c.get("account_name") == name)
        )
        if (receipt := _pick(candidates, "associated_on", begin, exclude)) is not None:
            return Receipt(
                receipt.upstream_ids, details={**receipt.details, "customerNativeId": receipt.upstream_ids[0]}
            )
        if name and any(c.get("account_name") == name for c in customers):
            return None  # names are unique: the one account of that name is another write's
        if name and not await self._name_taken(name):
            return None  # the name is free: no account was created
        if self._clock() - since < ASSOCIATION_WAIT:
            raise ProviderUnavailable(
                "Huawei Cloud has not listed the customer yet; association is asynchronous: ask again later",
                provider=PROVIDER,
                partner_id=self._pages.partner_id,
            )
        # Long enough: it was not created (a name taken by someone else refuses a resend: ALREADY_EXISTS).
        return None

    async def _name_taken(self, name: str) -> bool:
        try:
            data = await self._client.check_user_identity({"search_type": "name", "search_value": name})
        except ProviderError as refused:
            if refused.reason is Reason.INVALID_INPUT:
                return False  # not a valid account name, so never created under it
            raise
        result = data.get("check_result")
        if result not in ("available", "used_by_user"):
            raise self._pages.protocol_error("check_user_identity", "'check_result' is missing or unknown")
        return bool(result == "used_by_user")

    async def _quota_records(self, query: dict[str, Any]) -> list[Wire]:
        async def fetch(offset: int, limit: int) -> Wire:
            return await self._client.list_coupon_quotas_records({**query, "offset": offset, "limit": limit})

        return await self._pages.all("list_coupon_quotas_records", fetch, ("total_count", "records"), RECORD_PAGE)

    async def _coupons(self, query: dict[str, Any]) -> list[Wire]:
        async def fetch(offset: int, limit: int) -> Wire:
            return await self._client.list_issued_partner_coupons({**query, "offset": offset, "limit": limit})

        return await self._pages.all("list_issued_partner_coupons", fetch, ("total_count", "user_coupons"), RECORD_PAGE)


def _at(moment: datetime) -> str:
    return wire_time(moment, "since")


def _same(value: object, money: Money) -> bool:
    amount = decimal_of(value)
    return amount is not None and money.currency == CURRENCY and amount == money.amount


def _succeeded(record: Wire, kind: str) -> bool:
    return str(record.get("operation_type")) == kind and str(record.get("result", "0")) == "0"


def _pick(
    candidates: Iterable[tuple[Wire, str | None]], time_key: str, begin: datetime, exclude: frozenset[str]
) -> Receipt | None:
    """The oldest candidate with an id, in the window and not excluded, as a receipt."""
    kept: list[tuple[datetime, Wire, str]] = []
    for record, upstream_id in candidates:
        moment = parse_timestamp(record.get(time_key))
        if not upstream_id or upstream_id in exclude or (moment is not None and moment < begin):
            continue  # no id, attributed to another write, or older than the window (a filter ignored)
        kept.append((moment or _LATEST, record, upstream_id))  # an unreadable time: trust the filter, last
    if not kept:
        return None
    _, record, upstream_id = min(kept, key=lambda entry: entry[0])  # min() keeps the first of equal times
    details = {time_key: str(record[time_key])} if record.get(time_key) else {}
    return Receipt((upstream_id,), details=details)
