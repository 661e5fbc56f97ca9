"""The Huawei reads of CONTRACTS.md H.6.4-H.6.9 that the graph shows: the voucher log, the partner's own
vouchers, new-customer tags, incentive policies, the product catalogue and yearly/monthly price quotes.

Choices the SDK leaves open: an H.6.4 ``operation_type`` other than ``1`` (issue) is a reclaim, its code kept as
the record's ``reason``; an H.6.7 ``incentive_policy`` of ``13`` or ``3`` is "performance credit, no rebate" (the
SDK's text runs the codes together, CONTRACTS.md X.3); an H.6.6 tag that is empty is ``NONE``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from adapters.huaweicloud._client import BssClient
from adapters.huaweicloud._errors import PROVIDER
from adapters.huaweicloud._mapping import _text, money_of, parse_timestamp
from adapters.huaweicloud._mapping_catalog import price_product, voucher_from_wire
from adapters.huaweicloud._paging import Pager
from gateway.errors import InvalidInput
from gateway.models import (
    CatalogueEntry,
    CatalogueKind,
    IncentivePolicy,
    IncentivePolicyKind,
    Money,
    NewCustomerTag,
    Page,
    PeriodUnit,
    PriceOffer,
    PriceQuote,
    PriceRequest,
    Voucher,
    VoucherRecord,
    VoucherRecordKind,
)

__all__ = ["PERIOD_TYPES", "Promotions", "period_quote_from_wire", "period_request_to_wire"]

Wire = dict[str, Any]

#: H.6.8 ``period_type``.
PERIOD_TYPES: Mapping[PeriodUnit, int] = {
    PeriodUnit.DAY: 0,
    PeriodUnit.MONTH: 2,
    PeriodUnit.YEAR: 3,
    PeriodUnit.HOUR: 4,
}
_TAGS = {"Y": NewCustomerTag.NEW, "N": NewCustomerTag.NOT_NEW, "UNDETERMINED": NewCustomerTag.UNDETERMINED}
_POLICIES = {
    "0": IncentivePolicyKind.NON_SPECIFIC_PRODUCT,
    "1": IncentivePolicyKind.SPECIFIC_PRODUCT,
    "2": IncentivePolicyKind.NO_PERFORMANCE_NO_REBATE,
    "3": IncentivePolicyKind.PERFORMANCE_NO_REBATE,
    "13": IncentivePolicyKind.PERFORMANCE_NO_REBATE,
}
_TAG_BATCH = 100


def _money(value: object, currency: object) -> Money:
    """An amount of the answer's currency (an empty one is CNY); a missing or unreadable amount is zero."""
    found = money_of(value, currency or "CNY")
    return found if found is not None else Money(Decimal(0), str(currency or "CNY"))


class Promotions:
    """One partner account's H.6.4-H.6.9 reads."""

    def __init__(self, client: BssClient, pages: Pager, *, partner_id: str) -> None:
        self._client = client
        self._pages = pages
        self._id = partner_id

    async def voucher_records(self, offset: int, limit: int, customer_id: str | None) -> Page[VoucherRecord]:
        async def fetch(position: int, size: int) -> Wire:
            query: dict[str, Any] = {"offset": position, "limit": size}
            if customer_id is not None:  # "" would filter everything out (H.6.4)
                query["customer_id"] = customer_id
            return await self._client.list_partner_coupons_record(query)

        keys = ("total_count", "records")
        return await self._pages.window("list_partner_coupons_record", offset, limit, fetch, keys, _record)

    async def own_vouchers(self, offset: int, limit: int) -> Page[Voucher]:
        async def fetch(position: int, size: int) -> Wire:
            return await self._client.list_sub_customer_coupons({"offset": position, "limit": size})

        def item(entry: Wire) -> Voucher:
            return voucher_from_wire(
                {**entry, "customer_id": None, "effective_time": entry.get("valid_time")}, partner_id=self._id
            )

        keys = ("count", "user_coupons")
        return await self._pages.window("list_sub_customer_coupons", offset, limit, fetch, keys, item)

    async def new_customer_tags(self, customer_ids: Sequence[str]) -> Mapping[str, NewCustomerTag]:
        """H.6.6 in batches of ``_TAG_BATCH``; no total, so each batch reads until a short page."""
        tags: dict[str, NewCustomerTag] = {}
        wanted = [c for c in dict.fromkeys(customer_ids) if c]
        for start in range(0, len(wanted), _TAG_BATCH):
            batch = wanted[start : start + _TAG_BATCH]
            offset = 0
            while True:
                data = await self._client.list_sub_customer_new_tag(
                    {"customer_ids": batch, "offset": offset, "limit": _TAG_BATCH}
                )
                entries = self._pages.entries("list_sub_customer_new_tag", data, "new_customer_tags")
                for entry in entries:
                    customer = _text(entry.get("customer_id"))
                    if customer:
                        tags[customer] = _TAGS.get(
                            (_text(entry.get("new_customer_tag")) or "").upper(), NewCustomerTag.NONE
                        )
                offset += len(entries)
                if len(entries) < _TAG_BATCH:
                    break
        return tags

    async def incentive_policies(self, month: str, service_type: str | None) -> tuple[IncentivePolicy, ...]:
        async def fetch(position: int, size: int) -> Wire:
            query: dict[str, Any] = {"time": month, "offset": position, "limit": size}
            if service_type is not None:
                query["service_type_code"] = service_type
            return await self._client.list_incentive_discount_policies(query)

        rows = await self._pages.all("list_incentive_discount_policies", fetch, ("total_count", "policies"), 100)
        return tuple(
            IncentivePolicy(
                service_type=_text(row.get("service_type_code")) or "",
                service_name=_text(row.get("service_type_name")),
                policy=_POLICIES.get(_text(row.get("incentive_policy")) or "", IncentivePolicyKind.UNKNOWN),
                allows_discount={"YES": True, "NO": False}.get((_text(row.get("allow_discount")) or "").upper()),
            )
            for row in rows
        )

    async def catalogue(self, kind: CatalogueKind, parent_code: str | None) -> tuple[CatalogueEntry, ...]:
        if kind is CatalogueKind.MEASURE_UNITS:  # one answer, no paging (H.6.9)
            data = await self._client.list_measure_units()
            rows = self._pages.entries("list_measure_units", data, "measure_units")
            rows = [{**e, "measure_id": str(e["measure_id"])} for e in rows if e.get("measure_id") is not None]
        else:
            operation, items, *_ = _TABLES[kind]
            call = getattr(self._client, operation)

            def page(offset: int, limit: int) -> Any:
                query: dict[str, Any] = {"offset": offset, "limit": limit}
                if kind is CatalogueKind.USAGE_TYPES and parent_code is not None:
                    query["resource_type_code"] = parent_code  # the one table the upstream filters by parent
                return call(query)

            rows = await self._pages.all(operation, page, ("total_count", items), 100)
        code, name, parent, description = _TABLES[kind][2:]
        entries = (
            CatalogueEntry(
                kind,
                _text(row.get(code)) or "",
                _text(row.get(name)) or "",
                _text(row.get(parent)) if parent else None,
                _text(row.get(description)) if description else None,
            )
            for row in rows
        )
        return tuple(e for e in entries if parent_code is None or parent is None or e.parent_code == parent_code)


#: The H.6.9 code tables: the operation, its list's key, then the fields of code, name, parent and description.
_TABLES: Mapping[CatalogueKind, tuple[str, str, str, str, str | None, str | None]] = {
    CatalogueKind.SERVICE_TYPES: (
        "list_service_types",
        "service_types",
        "service_type_code",
        "service_type_name",
        None,
        "abbreviation",
    ),
    CatalogueKind.RESOURCE_TYPES: (
        "list_resource_types",
        "resource_types",
        "resource_type_code",
        "resource_type_name",
        "service_type_code",
        "resource_type_desc",
    ),
    CatalogueKind.USAGE_TYPES: ("list_usage_types", "usage_types", "code", "name", "resource_type_code", None),
    CatalogueKind.MEASURE_UNITS: (
        "list_measure_units",
        "measure_units",
        "measure_id",
        "measure_name",
        None,
        "abbreviation",
    ),
}


def _record(entry: Wire) -> VoucherRecord:
    """One ``records[]`` entry of list_partner_coupons_record (H.6.4)."""
    operation = _text(entry.get("operation_type")) or ""
    return VoucherRecord(
        native_id=_text(entry.get("id")) or "",
        kind=VoucherRecordKind.ISSUE if operation == "1" else VoucherRecordKind.RECLAIM,
        amount=_money(entry.get("operation_amount"), "CNY"),
        succeeded=_text(entry.get("result")) == "0",
        voucher_id=_text(entry.get("coupon_id")),
        customer_id=_text(entry.get("customer_id")),
        quota_id=_text(entry.get("quota_id")),
        occurred_at=parse_timestamp(entry.get("operation_time")),
        reason=operation or None,
        remark=_text(entry.get("remark")),
    )


def period_request_to_wire(request: PriceRequest) -> dict[str, Any]:
    """The body of list_rate_on_period_detail (H.6.8); item ids are their 1-based positions."""
    products = []
    for index, item in enumerate(request.items, start=1):
        if item.period is None:
            raise InvalidInput("a subscription price inquiry gives every item a period", field="items.periodUnit")
        period = {"period_type": PERIOD_TYPES[item.period.unit], "period_num": item.period.count}
        products.append({**price_product(item, index), **period})
    return {"project_id": request.customer_project_id, "product_infos": products}


def period_quote_from_wire(data: Mapping[str, Any]) -> PriceQuote:
    """The answer of list_rate_on_period_detail (H.6.8): the list price and one offer per discount; the quote's
    own amount is the best offer's (or the list price when there is none). An empty currency means CNY."""
    currency = data.get("currency") or "CNY"
    official = data.get("official_website_rating_result")
    official = official if isinstance(official, Mapping) else {}
    list_price = _money(official.get("official_website_amount"), currency)
    offers = tuple(
        PriceOffer(
            discount_id=_text(o.get("discount_id")),
            name=_text(o.get("discount_name")),
            kind=_text(o.get("discount_type")),
            list_price=_money(o.get("official_website_amount"), currency),
            discount=_money(o.get("discount_amount"), currency),
            amount=_money(o.get("amount"), currency),
            best=str(o.get("best_offer")) == "1",
        )
        for o in data.get("optional_discount_rating_results") or ()
        if isinstance(o, Mapping)
    )
    best = next((o for o in offers if o.best), None) or min(offers, key=lambda o: o.amount.amount, default=None)
    zero = _money(0, currency)
    return PriceQuote(
        list_price=list_price,
        discount=best.discount if best else zero,
        amount=best.amount if best else list_price,
        offers=offers,
        extra={"provider": PROVIDER},
    )
