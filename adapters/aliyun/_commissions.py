"""Commissionable products (A.7.11), renewal rates (A.8.4) and the partner's own bill and commission files
(A.7.15, A.8.2) as ``gateway.models``.

Formats the SDK leaves open, as the simulator documents them: ``FiscalYearAndQuarter`` ``yyyyQn`` (Aliyun's fiscal
year starts in April: FY2025 Q1 is April-June 2024); ``BillMonth`` ``yyyyMM`` (A.8, Aliyun's published API
metadata), ``Month`` ``yyyy-MM`` (A.7.15). The monthly bill is asked as ``MonthlyInstanceConsumeV2`` of the
master account (``BillOwner`` 1). Commission files (A.8.2) are pushed to the partner's own OSS bucket: the gateway
holds no OSS credentials, so it starts no push (the call goes without OSS parameters) and lists the month's latest
push, made from the console or a tool of the partner's, with its status. A.8.1 (bill details) is not read, for the
same reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.aliyun._client import AgencyClient
from adapters.aliyun._mapping_business import money
from adapters.aliyun._mapping_business import text as _text
from adapters.aliyun._paging import read_range, rows_at, total_at
from gateway.models import BillFile, BillFileKind, CommissionableProduct, Money, Page, RenewalRate

__all__ = ["MONTHLY_BILL_TYPE", "Commissions"]

MONTHLY_BILL_TYPE = "MonthlyInstanceConsumeV2"
_MASTER = "1"
_READY = frozenset({"succeeded", "3", "completed"})


def _decimal(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


class Commissions:
    """One partner account's commission, renewal and bill-file reads."""

    def __init__(self, client: AgencyClient, *, partner_id: str, currency: str, page_size: int) -> None:
        self._client = client
        self._id = partner_id
        self._currency = currency
        self._size = min(page_size, 100)

    def _money(self, value: object) -> Money:
        return money(value, self._currency) or Money(Decimal(0), self._currency)

    async def products(self, offset: int, limit: int) -> Page[CommissionableProduct]:
        async def page(number: int, size: int) -> tuple[int, list[dict[str, Any]]]:
            body = await self._client.get_commissionable_products(number, size)
            action = "GetCommissionableProducts"
            return total_at(body, ("Total",), action=action, partner_id=self._id), rows_at(
                body, ("Data",), action=action, partner_id=self._id
            )

        total, rows = await read_range(page, offset, offset + limit, self._size)
        return Page(tuple(_product(row) for row in rows), total)

    async def renewal_rates(self, quarter: str) -> tuple[RenewalRate, ...]:
        body = await self._client.get_renewal_rate_list(quarter)
        rows = rows_at(body, ("Data",), action="GetRenewalRateList", partner_id=self._id)
        return tuple(self._rate(row, quarter) for row in rows)

    def _rate(self, row: Mapping[str, Any], quarter: str) -> RenewalRate:
        return RenewalRate(
            quarter=_text(row.get("FiscalYearAndQuarter")) or quarter,
            renewal_due=self._money(row.get("FinalRenewalAmountDue")),
            renewed=self._money(row.get("FinalRenewedAmount")),
            rate=_decimal(row.get("FinalRenewalRate")),
            other_bills=self._money(row.get("FinalOtherBillAmount")),
            customer_due=self._money(row.get("FinalCustomerRenewalAmountDue")),
            customer_renewed=self._money(row.get("FinalCustomerRenewedAmount")),
            customer_rate=_decimal(row.get("FinalCustomerRenewalRate")),
            reseller_due=self._money(row.get("FinalSubPartnerRenewalAmountDue")),
            reseller_renewed=self._money(row.get("FinalSubPartnerRenewedAmount")),
            reseller_rate=_decimal(row.get("FinalSubPartnerRenewalRate")),
        )

    async def bill_files(self, month: str) -> tuple[BillFile, ...]:
        """The month's bill (and its refund part) and its commission files."""
        bill = await self._client.get_monthly_bill(_MASTER, MONTHLY_BILL_TYPE, month)
        data = _object(bill.get("Data"))
        files: list[BillFile] = []
        link = _text(data.get("BillLinkCSV"))
        if link:
            name = f"{MONTHLY_BILL_TYPE}_{month}.csv"
            files.append(BillFile(BillFileKind.MONTHLY_BILL, month, name, link, True))
        refund = _text(data.get("RefundInvoiceLink"))
        if data.get("RefundInvoiceFlag") is True and refund:
            files.append(
                BillFile(BillFileKind.REFUND_BILL, month, f"{MONTHLY_BILL_TYPE}_{month}_refund.csv", refund, True)
            )
        commissions = await self._client.get_commission_detail_file_list(month.replace("-", ""))
        inner = _object(commissions.get("Data"))
        for row in inner.get("FileList") or ():
            if not isinstance(row, Mapping):
                continue
            status = _text(row.get("BucketSyncStatus"))
            ready = (status or "").lower() in _READY
            files.append(
                BillFile(
                    BillFileKind.COMMISSION_DETAIL,
                    month,
                    _text(row.get("FileName")) or "",
                    _text(row.get("FileUrl")) if ready else None,
                    ready,
                    status,
                    _text(row.get("CommissionPolicyName")),
                )
            )
        return tuple(files)


def _object(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _product(row: Mapping[str, Any]) -> CommissionableProduct:
    return CommissionableProduct(
        product_code=_text(row.get("ProductCode")) or "",
        product_name=_text(row.get("ProductName")),
        commodity_code=_text(row.get("CommodityCode")),
        commodity_name=_text(row.get("CommodityName")),
        eligible_for_commission=_text(row.get("EligibleForCommission")),
        eligible_for_discount=_text(row.get("EligibleForDiscount")),
        start_month=_text(row.get("ActualStartMonth")),
        end_month=_text(row.get("EndMonth")),
        status=_text(row.get("Status")),
        campaign=_text(row.get("ProductCampaign")),
    )
