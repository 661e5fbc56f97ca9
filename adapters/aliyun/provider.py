"""``AliyunProvider``: one Aliyun partner account behind the ``gateway.provider.Provider`` seam."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx

from adapters.aliyun import _errors
from adapters.aliyun._client import AgencyClient
from adapters.aliyun._commissions import Commissions
from adapters.aliyun._credit_history import CreditHistory
from adapters.aliyun._customers import Customers
from adapters.aliyun._mapping_business import (
    INVITATION_PREFIX,
    funds_from_credit_info,
    note_from_row,
    order_from_row,
    region_from_country,
    reseller_from_sub_partner,
    voucher_from_coupon,
)
from adapters.aliyun._paging import check_window, each, read_range, rows_at, total_at
from adapters.aliyun._reconcile import Reconciler
from adapters.aliyun._roles import PartnerRole
from adapters.aliyun._scan import Scanner
from adapters.aliyun._signing import Acs3Signer
from adapters.aliyun._templates import Templates
from adapters.aliyun._transport import AgencyTransport
from adapters.aliyun._writes import AliyunWrites
from gateway.errors import ConfigError, InvalidInput, ProviderError, UnsupportedByProvider
from gateway.models import (
    Balance,
    BillFile,
    CatalogueEntry,
    CatalogueKind,
    ChargeMode,
    CommissionableProduct,
    ConsumptionLine,
    ConsumptionSource,
    CreditRecord,
    CreditRecordKind,
    Customer,
    Funds,
    IncentivePolicy,
    LedgerEntry,
    Money,
    NewCustomerTag,
    Note,
    Order,
    OrderType,
    Page,
    PartnerAccount,
    PriceQuote,
    PriceRequest,
    QuotaMovement,
    Region,
    RegionLevel,
    RenewalRate,
    Reseller,
    Voucher,
    VoucherApplication,
    VoucherQuota,
    VoucherRecord,
    VoucherTemplate,
    month_of,
)
from gateway.provider import Capability, Credentials
from gateway.retry import DEFAULT_POLICY, RetryPolicy
from gateway.writes import Intent, Receipt

__all__ = ["DEFAULT_ORDER_WINDOW", "MAX_ORDER_WINDOW", "MAX_PAGE_SIZE", "AliyunProvider"]

#: GetAccountInfo ``PageSize`` is at most 20 (A.4.3).
MAX_PAGE_SIZE = 20
#: A.5.2: each order window is at most 6 months (counted as 183 days). Without ``since``/``until``,
#: ``list_orders`` reads orders created in the last 180 days.
MAX_ORDER_WINDOW = timedelta(days=183)
DEFAULT_ORDER_WINDOW = timedelta(days=180)

_COUPON_PAGE = 50  # ListCouponUsage PageSize max (A.4.11)
_LIST_PAGE = 50  # 2025 order and partner lists
_ALL_ROWS = 10**9


class AliyunProvider:
    """One partner account at the Alibaba Cloud Agency API.

    Customers are GetAccountInfo's ``UserType`` 1 (end users) followed by ``UserType`` 2
    (enterprises), each in the upstream's own order; T2 partners (``UserType`` 3) are resellers.
    Money is in the account's ``currency`` setting (default CNY).
    """

    def __init__(
        self,
        account: PartnerAccount,
        credentials: Credentials,
        http: httpx.AsyncClient,
        *,
        policy: RetryPolicy = DEFAULT_POLICY,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._account = account
        self._page_size = _page_size(account)
        self._currency = str(account.settings.get("currency", "CNY"))
        self._now = clock or (lambda: datetime.now(UTC))
        missing = [name for name in ("access_key_id", "access_key_secret") if name not in credentials]
        if missing:
            raise ConfigError(f"accounts.{account.id}.credentials", f"missing {', '.join(missing)}")
        signer = Acs3Signer(credentials["access_key_id"].reveal(), credentials["access_key_secret"])
        transport = AgencyTransport(http, signer, partner_id=account.id, policy=policy, sleep=sleep)
        self._client = AgencyClient(transport)
        scanner = Scanner(self._client, account.id)
        self._customers = Customers(
            self._client, scanner, partner_id=account.id, page_size=self._page_size, now=self._now
        )
        self._writes = AliyunWrites(self._client, scanner, partner_id=account.id, currency=self._currency)
        self._reconciler = Reconciler(self._client, scanner, partner_id=account.id, currency=self._currency)
        self._templates = Templates(
            self._client, partner_id=account.id, currency=self._currency, page_size=self._page_size
        )
        self._commissions = Commissions(
            self._client, partner_id=account.id, currency=self._currency, page_size=self._page_size
        )
        self._history = CreditHistory(
            self._client, partner_id=account.id, currency=self._currency, page_size=self._page_size
        )

    @property
    def account(self) -> PartnerAccount:
        return self._account

    @property
    def client(self) -> AgencyClient:
        """Every Agency Action, raw (tests and tools; the gateway uses the methods of the seam)."""
        return self._client

    @property
    def capabilities(self) -> frozenset[Capability]:
        # X.3: no partner balance, voucher quota, ledger or province/city API at Aliyun. T2 partners
        # belong to distributors only.
        reads = {
            Capability.LIST_CUSTOMERS,
            Capability.CUSTOMER_FUNDS,
            Capability.LIST_INVITATIONS,
            Capability.LIST_VOUCHERS,
            Capability.LIST_ORDERS,
            Capability.LIST_NOTES,
            Capability.LIST_REGIONS,
            Capability.CREDIT_HISTORY,
            Capability.LIST_VOUCHER_TEMPLATES,
            Capability.CONSUMPTION,
            Capability.COMMISSIONS,
            Capability.BILL_FILES,
        }
        # Writes (X.3): no cash transfers, voucher quotas or SMS codes at Aliyun; T2 invitations are a
        # distributor's.
        writes = {
            Capability.CREATE_CUSTOMER,
            Capability.RESEND_INVITATION,
            Capability.FREEZE_CUSTOMER,
            Capability.SET_CREDIT_LINE,
            Capability.CREDIT_CONTROLS,
            Capability.MANAGE_VOUCHER_TEMPLATES,
            Capability.ADD_NOTE,
            Capability.ISSUE_VOUCHER,
            Capability.RECLAIM_VOUCHER,
        }
        if self._account.role == PartnerRole.DISTRIBUTOR:
            reads |= {Capability.LIST_RESELLERS, Capability.RESELLER_FUNDS, Capability.LIST_VOUCHER_APPLICATIONS}
            writes |= {Capability.INVITE_RESELLER, Capability.DECIDE_VOUCHER_APPLICATIONS}
        return frozenset(reads | writes)

    async def ping(self) -> None:
        await self._client.get_account_info(current_page=1, page_size=1, user_type=1)

    # -- customers and their funds ----------------------------------------------------------------------

    async def list_customers(self, offset: int, limit: int) -> Page[Customer]:
        """End users (GetAccountInfo ``UserType`` 1), then enterprises (2), then those invited and not
        registered yet (GetUnassociatedCustomer: INVITED, INVITATION_EXPIRED, with the account type
        GetInviteStatus reports), each in upstream order; a page's upstream pages and its invitees' statuses
        go out at once, planned from the lists' last lengths: one round trip while they keep them (see
        ``_customers``)."""
        return await self._customers.window(offset, limit)

    async def get_customers(self, native_ids: Sequence[str]) -> Mapping[str, Customer]:
        """By UID (GetAccountInfo), or ``invitation-<InviteId>`` for an invitee; unknown ids are absent."""
        # Only what can be a UID (or an invitation) is asked for: "１２３" or a 400-digit "UID" is no customer.
        return await self._customers.get([i for i in native_ids if _invitee(i) or _UID.fullmatch(i)])

    async def list_reseller_customers(self, reseller_id: str, offset: int, limit: int) -> Page[Customer]:
        raise UnsupportedByProvider(_errors.PROVIDER, "listing a tier-2 partner's customers (no Agency API)")

    async def customer_funds(self, customer_ids: Sequence[str]) -> Mapping[str, Funds | ProviderError]:
        """GetCreditInfo per customer (no batch API), all at once: the account's limits bound what goes out
        together (``gateway.upstream.limits``), and a finance figure is cached for ``[upstream]
        funds_cache_seconds`` until the account's next write (``gateway.upstream.flight``). A UID the
        upstream does not know as this partner's (3029) is left out, and so is an invitee (no UID, no
        credit yet). A customer whose read failed maps to its error: one failure nulls one balance."""
        return await self._funds([i for i in customer_ids if not i.startswith(INVITATION_PREFIX)])

    async def reseller_funds(self, reseller_ids: Sequence[str]) -> Mapping[str, Funds | ProviderError]:
        """A T2 partner is a sub-account (``SubAccountType`` 5), so GetCreditInfo on its UID (X.3)."""
        if self._account.role != PartnerRole.DISTRIBUTOR:
            raise UnsupportedByProvider(_errors.PROVIDER, "tier-2 resellers for a reseller account")
        return await self._funds(reseller_ids)

    async def _funds(self, uids: Sequence[str]) -> Mapping[str, Funds | ProviderError]:
        async def one(uid: str) -> Funds | ProviderError | None:
            if not _UID.fullmatch(uid.strip()):
                return None  # not a UID, so not one of this partner's accounts
            try:
                body = await self._client.get_credit_info(uid.strip())
            except ProviderError as error:
                return None if error.upstream_code == "3029" else error
            data = body.get("Data")
            return funds_from_credit_info(uid, data if isinstance(data, dict) else {}, self._currency)

        return await each(uids, one)

    async def partner_balances(self) -> tuple[Balance, ...]:
        raise UnsupportedByProvider(_errors.PROVIDER, "partner balances (no Agency API, CONTRACTS.md X.3)")

    async def list_ledger(self, offset: int, limit: int, *, reseller_id: str | None = None) -> Page[LedgerEntry]:
        raise UnsupportedByProvider(_errors.PROVIDER, "a funds ledger (credit-line model only, CONTRACTS.md X.3)")

    async def list_quota_movements(
        self, offset: int, limit: int, *, reseller_id: str | None = None
    ) -> Page[QuotaMovement]:
        raise UnsupportedByProvider(_errors.PROVIDER, "voucher-quota records (no Agency API, CONTRACTS.md X.3)")

    async def list_voucher_quotas(
        self, offset: int, limit: int, *, reseller_id: str | None = None
    ) -> Page[VoucherQuota]:
        raise UnsupportedByProvider(_errors.PROVIDER, "voucher quotas (no Agency API, CONTRACTS.md X.3)")

    # -- lists ---------------------------------------------------------------------------------------------

    async def list_resellers(self, offset: int, limit: int) -> Page[Reseller]:
        check_window(offset, limit)
        if self._account.role != PartnerRole.DISTRIBUTOR:
            raise UnsupportedByProvider(_errors.PROVIDER, "tier-2 resellers for a reseller account")

        async def fetch(number: int, size: int) -> tuple[int, list[dict[str, Any]]]:
            body = await self._client.get_sub_partner_list(number, size)
            return self._total(body, "GetSubPartnerList", "Total"), self._rows(
                body, "GetSubPartnerList", "SubPartnerList"
            )

        total, rows = await read_range(fetch, offset, offset + limit, _LIST_PAGE)
        items = tuple(reseller_from_sub_partner(r, provider=_errors.PROVIDER, partner_id=self._id) for r in rows)
        return Page(items=items, total=total)

    async def get_resellers(self, native_ids: Sequence[str]) -> Mapping[str, Reseller]:
        """GetSubPartnerList has no UID filter (A.5.1): one scan of the list."""
        wanted = set(native_ids)
        page = await self.list_resellers(0, 10_000)
        return {r.native_id: r for r in page.items if r.native_id in wanted}

    async def list_vouchers(self, offset: int, limit: int, *, customer_id: str | None = None) -> Page[Voucher]:
        check_window(offset, limit)
        if _invitee(customer_id):
            return Page(items=(), total=0)  # no account yet, so no coupons: nothing to ask
        filters = {"Uid": _uid(customer_id)} if customer_id is not None else {}

        async def fetch(number: int, size: int) -> tuple[int, list[dict[str, Any]]]:
            body = await self._client.list_coupon_usage(number, size, **filters)
            return self._total(body, "ListCouponUsage", "PageInfo", "Total"), self._rows(
                body, "ListCouponUsage", "Data"
            )

        total, rows = await read_range(fetch, offset, offset + limit, _COUPON_PAGE)
        items = tuple(
            voucher_from_coupon(r, provider=_errors.PROVIDER, partner_id=self._id, currency=self._currency)
            for r in rows
        )
        return Page(items=items, total=total)

    async def get_vouchers(self, native_ids: Sequence[str]) -> Mapping[str, Voucher]:
        """ListCouponUsage has no coupon-id filter (A.4.11): one scan of the list."""
        wanted = set(native_ids)
        page = await self.list_vouchers(0, 10_000)
        return {v.native_id: v for v in page.items if v.native_id in wanted}

    async def get_orders(self, native_ids: Sequence[str]) -> Mapping[str, Order]:
        """GetCustomerOrderList by ``OrderId`` within the default window (the last 180 days: the API
        needs a window of at most 6 months); older orders are absent."""
        end = self._now()
        window: dict[str, Any] = {
            "OrderCreateAfter": _millis(end - DEFAULT_ORDER_WINDOW),
            "OrderCreateBefore": _millis(end),
        }

        async def one(order_id: str) -> Order | None:
            body = await self._client.get_customer_order_list(1, 1, OrderId=_uid(order_id), **window)
            rows = self._rows(body, "GetCustomerOrderList", "Data")
            return (
                order_from_row(rows[0], provider=_errors.PROVIDER, partner_id=self._id, currency=self._currency)
                if rows
                else None
            )

        return await each(native_ids, one)

    async def list_orders(
        self,
        offset: int,
        limit: int,
        *,
        customer_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Page[Order]:
        """GetCustomerOrderList (2025) on the order-create window ``[since, until)``. Default: ``until``
        is now and ``since`` 180 days before ``until``; a window longer than 6 months (183 days) is
        refused with ``InvalidInput`` (A.5.2), so the caller splits it. An invitee (an invitation row of
        ``list_customers``) has no account, hence no orders: an empty page, without asking upstream."""
        check_window(offset, limit)
        end = until or self._now()
        start = since or end - DEFAULT_ORDER_WINDOW
        if end <= start or end - start > MAX_ORDER_WINDOW:
            raise InvalidInput("the order window must be ordered and at most 183 days (6 months)", field="since")
        if _invitee(customer_id):
            return Page(items=(), total=0)
        filters: dict[str, Any] = {"OrderCreateAfter": _millis(start), "OrderCreateBefore": _millis(end)}
        if customer_id is not None:
            filters["CustomerUid"] = _uid(customer_id)

        async def fetch(number: int, size: int) -> tuple[int, list[dict[str, Any]]]:
            body = await self._client.get_customer_order_list(number, size, **filters)
            return self._total(body, "GetCustomerOrderList", "Total"), self._rows(body, "GetCustomerOrderList", "Data")

        total, rows = await read_range(fetch, offset, offset + limit, _LIST_PAGE)
        items = tuple(
            order_from_row(r, provider=_errors.PROVIDER, partner_id=self._id, currency=self._currency) for r in rows
        )
        return Page(items=items, total=total)

    async def list_notes(self, customer_id: str, offset: int, limit: int) -> Page[Note]:
        check_window(offset, limit)
        if _invitee(customer_id):
            return Page(items=(), total=0)  # notes are kept per UID, which an invitee does not have yet
        uid = _uid(customer_id)

        async def fetch(number: int, size: int) -> tuple[int, list[dict[str, Any]]]:
            body = await self._client.customer_note_list(uid, number, size)
            inner = body.get("Data")
            if isinstance(inner, dict) and _errors.is_business_error(inner):  # the inner envelope (A.5.5)
                raise _errors.business_error(inner, action="CustomerNoteList", partner_id=self._id)
            return self._total(body, "CustomerNoteList", "Data", "Total"), self._rows(
                body, "CustomerNoteList", "Data", "Data"
            )

        total, rows = await read_range(fetch, offset, offset + limit, self._page_size)
        return Page(items=tuple(note_from_row(r, customer_id) for r in rows), total=total)

    async def list_regions(self, level: RegionLevel, parent_code: str | None = None) -> tuple[Region, ...]:
        if level is not RegionLevel.COUNTRY:
            raise UnsupportedByProvider(_errors.PROVIDER, f"{level.value.lower()} regions (ListCountries only)")
        body = await self._client.list_countries()
        codes = body.get("Data")
        if not isinstance(codes, list):
            codes = []
        return tuple(region_from_country(code) for code in codes if code)

    async def consumption(
        self,
        month: str,
        *,
        customer_id: str | None = None,
        reseller_id: str | None = None,
        itemised: bool = False,
    ) -> tuple[ConsumptionLine, ...]:
        """Paid orders as consumption (source ``ORDERS``): the Agency API has amounts per customer only in
        bill *files* whose columns the SDK does not describe (CONTRACTS.md X.3), so this is what customers
        paid for, not what they were billed. GetCustomerOrderList (A.5.2) with the month as the pay window
        (China time, UTC+8, one call per 50 orders) and ``OrderStatus`` paid; ``reseller_id``: the T2 partner's
        orders, GetSubPartnerOrderList (A.5.3, distributors only), each line under the T2's UID.

        A line's day is the day the order was paid (China time), its product the order's; itemised: one line
        per order (``record_id`` the OrderId), else summed per customer, product and charge mode. A REFUND
        order counts negative. Charge mode: orders are subscriptions (包年包月) except ``OTHERS``; pay-per-use
        usage billed without an order is not here. A month that has not started asks nothing."""
        start, end = _month_window(month)
        if start > self._now() or _invitee(customer_id):
            return ()
        window = {"OrderPayAfter": _millis(start), "OrderPayBefore": _millis(end), "OrderStatus": _PAID}
        if reseller_id is not None:
            if self._account.role != PartnerRole.DISTRIBUTOR:
                raise UnsupportedByProvider(_errors.PROVIDER, "tier-2 resellers for a reseller account")
            rows = await self._every_row(
                "GetSubPartnerOrderList",
                self._client.get_sub_partner_order_list,
                SubPartnerUid=_uid(reseller_id),
                **window,
            )
        else:
            filters = {"CustomerUid": _uid(customer_id)} if customer_id is not None else {}
            rows = await self._every_row(
                "GetCustomerOrderList", self._client.get_customer_order_list, **window, **filters
            )
        lines = [self._consumption_line(row, month, reseller=reseller_id is not None) for row in rows]
        paid = [line for line in lines if line is not None]
        return tuple(paid) if itemised else _summed(paid)

    async def _every_row(
        self, action: str, call: Callable[..., Awaitable[dict[str, Any]]], **filters: Any
    ) -> list[dict[str, Any]]:
        """Every row of a 2025 order list: page 1, which gives the total, then every other page at once."""

        async def fetch(number: int, size: int) -> tuple[int, list[dict[str, Any]]]:
            body = await call(number, size, **filters)
            return self._total(body, action, "Total"), self._rows(body, action, "Data")

        return (await read_range(fetch, 0, _ALL_ROWS, _LIST_PAGE))[1]

    def _consumption_line(self, row: Mapping[str, Any], month: str, *, reseller: bool) -> ConsumptionLine | None:
        order = order_from_row(row, provider=_errors.PROVIDER, partner_id=self._id, currency=self._currency)
        owner = _text(row.get("SubPartnerUid")) if reseller else order.customer_id
        if order.paid_at is None or order.amount_due is None or not owner:
            return None  # not a paid order with an amount: nothing consumed
        day = order.paid_at.astimezone(_CHINA).date()
        if month_of(day) != month:
            return None  # paid on the window's edge in another zone's reckoning
        amount = order.amount_due.amount
        if order.order_type is OrderType.REFUND:
            amount = -abs(amount)
        return ConsumptionLine(
            customer_id=owner,
            month=month,
            product_code=order.product_code or "",
            product_name=order.product_name or order.product_code or "",
            charge_mode=ChargeMode.OTHER if order.order_type is OrderType.OTHER else ChargeMode.SUBSCRIPTION,
            amount=Money(amount, order.amount_due.currency),
            source=ConsumptionSource.ORDERS,
            day=day,
            record_id=order.native_id,
            reseller_id=owner if reseller else None,
        )

    async def credit_history(
        self, customer_id: str, kind: CreditRecordKind, offset: int, limit: int
    ) -> Page[CreditRecord]:
        """The histories of A.7.5, A.7.16, A.7.17, A.7.22 and A.7.23 (see ``_credit_history``)."""
        check_window(offset, limit)
        if _invitee(customer_id):
            return Page(items=(), total=0)  # an invitee has no UID, so no credit yet
        return await self._history.read(int(_uid(customer_id)), kind, offset, limit)

    async def list_voucher_templates(self, offset: int, limit: int) -> Page[VoucherTemplate]:
        """CouponApprovalStatusList with each template's detail (see ``_templates``)."""
        check_window(offset, limit)
        return await self._templates.list_templates(offset, limit)

    async def voucher_template_products(self) -> tuple[str, ...]:
        return await self._templates.product_codes()

    async def list_voucher_applications(self, offset: int, limit: int) -> Page[VoucherApplication]:
        check_window(offset, limit)
        if self._account.role != PartnerRole.DISTRIBUTOR:
            raise UnsupportedByProvider(_errors.PROVIDER, "tier-2 voucher applications for a reseller account")
        return await self._templates.list_applications(offset, limit)

    async def get_voucher_application(self, native_id: str) -> VoucherApplication | None:
        if self._account.role != PartnerRole.DISTRIBUTOR:
            raise UnsupportedByProvider(_errors.PROVIDER, "tier-2 voucher applications for a reseller account")
        return await self._templates.application(native_id.strip())

    async def list_voucher_records(
        self, offset: int, limit: int, *, customer_id: str | None = None
    ) -> Page[VoucherRecord]:
        raise UnsupportedByProvider(_errors.PROVIDER, "the voucher issue and reclaim log")

    async def list_own_vouchers(self, offset: int, limit: int) -> Page[Voucher]:
        raise UnsupportedByProvider(_errors.PROVIDER, "the partner's own vouchers")

    async def new_customer_tags(self, customer_ids: Sequence[str]) -> Mapping[str, NewCustomerTag]:
        raise UnsupportedByProvider(_errors.PROVIDER, "new-customer tags")

    async def incentive_policies(self, month: str, service_type: str | None = None) -> tuple[IncentivePolicy, ...]:
        raise UnsupportedByProvider(_errors.PROVIDER, "incentive policies")

    async def catalogue(self, kind: CatalogueKind, parent_code: str | None = None) -> tuple[CatalogueEntry, ...]:
        raise UnsupportedByProvider(_errors.PROVIDER, "the product catalogue")

    async def list_commissionable_products(self, offset: int, limit: int) -> Page[CommissionableProduct]:
        """GetCommissionableProducts (A.7.11)."""
        check_window(offset, limit)
        return await self._commissions.products(offset, limit)

    async def renewal_rates(self, quarter: str) -> tuple[RenewalRate, ...]:
        """GetRenewalRateList (A.8.4) for ``YYYYQn`` (Aliyun's fiscal year starts in April)."""
        return await self._commissions.renewal_rates(quarter)

    async def bill_files(self, month: str) -> tuple[BillFile, ...]:
        """GetMonthlyBill (A.7.15) and GetCommissionDetailFileList (A.8.2) of ``YYYY-MM``."""
        return await self._commissions.bill_files(month)

    async def quote_price(self, request: PriceRequest) -> PriceQuote:
        raise UnsupportedByProvider(_errors.PROVIDER, "price inquiry (no Agency API, CONTRACTS.md X.3)")

    # -- writes (gateway.writes; _writes.py and _reconcile.py) ------------------------------------------------

    async def execute(self, intent: Intent) -> Receipt:
        """Apply one intent once (see ``_writes``); Huawei-only intents raise ``UnsupportedByProvider``."""
        return await self._writes.execute(intent)

    async def find_applied(self, intent: Intent, since: datetime, exclude: frozenset[str]) -> Receipt | None:
        """Look for ``intent``'s effect in the upstream's records (see ``_reconcile``)."""
        return await self._reconciler.find_applied(intent, since, exclude)

    # -- helpers -------------------------------------------------------------------------------------------

    @property
    def _id(self) -> str:
        return self._account.id

    def _rows(self, body: Mapping[str, Any], action: str, *path: str) -> list[dict[str, Any]]:
        return rows_at(body, path, action=action, partner_id=self._id)

    def _total(self, body: Mapping[str, Any], action: str, *path: str) -> int:
        return total_at(body, path, action=action, partner_id=self._id)


def _invitee(customer_id: str | None) -> bool:
    """Whether ``customer_id`` is an invitation row's (an invitee has no UID until it registers)."""
    return customer_id is not None and customer_id.startswith(INVITATION_PREFIX)


#: An Aliyun UID: ASCII digits, 64-bit (``str.isdigit`` would also take "１２３" and 400-digit numbers).
_UID = re.compile(r"[0-9]{1,20}")


def _uid(customer_id: str | None) -> str:
    text = (customer_id or "").strip()
    if not _UID.fullmatch(text):
        raise InvalidInput(f"not an Aliyun UID: {customer_id!r}", field="customerId")
    return text


_CHINA = timezone(timedelta(hours=8))
#: GetCustomerOrderList ``OrderStatus`` paid, as ``_mapping_business.ORDER_STATUSES`` reads it (A.6.1).
_PAID = 2
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def _month_window(month: str) -> tuple[datetime, datetime]:
    """The billing month ``YYYY-MM`` as a pay window ``[start, end)``, China time (UTC+8)."""
    found = _MONTH.fullmatch(month)
    if found is None:
        raise InvalidInput(f"a billing month is YYYY-MM, not {month!r}", field="month")
    year, number = int(found[1]), int(found[2])
    start = datetime(year, number, 1, tzinfo=_CHINA)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=_CHINA)
    return start, end


def _text(value: object) -> str | None:
    text = "" if value is None else str(value).strip()
    return None if text in ("", "0") else text


def _summed(lines: Sequence[ConsumptionLine]) -> tuple[ConsumptionLine, ...]:
    """One summary line per customer, product and charge mode (and currency), in first-seen order."""
    sums: dict[tuple[str, str, ChargeMode, str], ConsumptionLine] = {}
    for line in lines:
        key = (line.customer_id, line.product_code, line.charge_mode, line.amount.currency)
        seen = sums.get(key)
        total = line.amount.amount + (seen.amount.amount if seen is not None else 0)
        sums[key] = replace(seen or line, amount=Money(total, line.amount.currency), day=None, record_id=None)
    return tuple(sums.values())


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _page_size(account: PartnerAccount) -> int:
    value = account.settings.get("page_size", MAX_PAGE_SIZE)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
        raise ConfigError(f"accounts.{account.id}.page_size", f"must be an integer from 1 to {MAX_PAGE_SIZE}")
    return value
