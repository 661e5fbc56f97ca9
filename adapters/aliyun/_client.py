"""The Agency API: one method per upstream Action (CONTRACTS.md A.4, A.5), raw dicts in and out.

Reads are sent with ``idempotent=True`` (retried after any retryable failure); writes with
``idempotent=False`` (retried only when refused before being applied, e.g. throttled). GetInviteStatus
is a read sent as POST; EditEndUserStatus is a write sent as GET (A.4.14). Ids are 64-bit: callers
pass them as ``int`` or digit strings, and both go on the wire as the same digits (A.6.4).

One read is slow-changing and cached (``gateway.upstream.flight``) for ``REFERENCE_SECONDS``: ListCountries,
the fixed list of region codes CreateCustomer accepts (A.4.2). Every other read the gateway makes is of
customers, credit, invitations, coupons, orders, notes or tier-2 partners, which the partner's own writes (and
the customers' spending) change at any moment: those are shared while in flight, never cached. The Agency API
has no read of the partner's own profile, and no catalogue or price read (CONTRACTS.md X.3). The coupon product
codes (GetCoupondeductProductCode, A.7.13) are reference data too and cached like the region codes.

The OSS file pushes (A.8.1-A.8.3) carry the partner's OSS AccessKey secret and STS token. The SDK puts them in
the query string, where every URL log (httpx's, a proxy's, an access log) would record them; this client sends
those three operations' parameters in the signed form body instead (as A.2.2 does for CustomerNote*), and takes
the secrets as ``Secret`` (``OssTarget``), revealed only into that body.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from adapters.aliyun._transport import USER_AGENT, AgencyTransport, flatten_params, parse_json
from gateway.models import Secret

__all__ = [
    "REFERENCE_SECONDS",
    "USER_AGENT",
    "VERSION_2022",
    "VERSION_2025",
    "AgencyClient",
    "OssTarget",
    "flatten_params",
    "parse_json",
]

VERSION_2022 = "2022-12-16"
VERSION_2025 = "2025-02-27"
#: How long reference data (the region codes) may be served again: they change when the upstream adds a region.
REFERENCE_SECONDS = 86_400.0

Id = int | str
Params = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class OssTarget:
    """Where A.8.1-A.8.3 push their files: the partner's OSS bucket and the credentials to write to it."""

    access_key_id: str
    access_key_secret: Secret
    bucket: str
    endpoint: str
    region: str
    security_token: Secret | None = None

    def params(self) -> dict[str, str | None]:
        """The wire parameters, secrets revealed: only for the request body."""
        return {
            "OssAccessKeyId": self.access_key_id,
            "OssAccessKeySecret": self.access_key_secret.reveal(),
            "OssBucketName": self.bucket,
            "OssEndpoint": self.endpoint,
            "OssRegion": self.region,
            "OssSecurityToken": None if self.security_token is None else self.security_token.reveal(),
        }


class AgencyClient:
    """Raw Agency API calls for one partner account (see ``AgencyTransport`` for the transport)."""

    def __init__(self, transport: AgencyTransport) -> None:
        self._transport = transport

    async def _read(
        self,
        action: str,
        params: Params,
        *,
        method: str = "POST",
        v: str = VERSION_2022,
        cache_seconds: float = 0.0,
        funds: bool = False,
    ) -> dict[str, Any]:
        return await self._transport.call(
            action, v, method, params, idempotent=True, cache_seconds=cache_seconds, funds=funds
        )

    async def _write(
        self, action: str, params: Params, *, method: str = "POST", v: str = VERSION_2022
    ) -> dict[str, Any]:
        return await self._transport.call(action, v, method, params, idempotent=False)

    async def _note(self, action: str, params: Params, *, idempotent: bool) -> dict[str, Any]:
        return await self._transport.call(action, VERSION_2025, "POST", params, idempotent=idempotent, form=True)

    # -- 2022-12-16: accounts and invitations -------------------------------------------------------------

    async def get_account_info(
        self, current_page: int, page_size: int, user_type: int | str | None = None, uid: Id | None = None
    ) -> dict[str, Any]:
        """GetAccountInfo (A.4.3): a page of the partner's customers of one ``UserType``, or one ``Uid``."""
        params = {"CurrentPage": current_page, "PageSize": page_size, "UserType": user_type, "Uid": uid}
        return await self._read("GetAccountInfo", params, method="GET")

    async def list_countries(self) -> dict[str, Any]:
        """ListCountries (A.4.2): the region codes CreateCustomer accepts."""
        return await self._read("ListCountries", {}, method="GET", cache_seconds=REFERENCE_SECONDS)

    async def create_customer(
        self, name: str, source: str, trade: str, nation: str, sub_trade: str | None = None
    ) -> dict[str, Any]:
        """CreateCustomer (A.4.2): the new CID is the reply's ``Message``."""
        params = {
            "CustomerName": name,
            "CustomerSource": source,
            "CustomerTrade": trade,
            "CustomerSubTrade": sub_trade,
            "Nation": nation,
        }
        return await self._write("CreateCustomer", params)

    async def invite_sub_account(self, accounts: Sequence[Mapping[str, object]]) -> dict[str, Any]:
        """InviteSubAccount (A.4.1): ``accounts`` are ``AccountInfoList`` entries with wire names
        (``AccountNickname``, ``CreditLine``, ``CustomerId``, ``EmailAddress``, ...); at most 5."""
        return await self._write("InviteSubAccount", {"AccountInfoList": [dict(a) for a in accounts]})

    async def invite_sub_reseller(self, accounts: Sequence[Mapping[str, object]]) -> dict[str, Any]:
        """InviteSubReseller (A.4.13): T2 partners, distributors only; at most 5."""
        return await self._write("InviteSubReseller", {"AccountInfoList": [dict(a) for a in accounts]})

    async def get_invite_status(self, invite_ids: Sequence[Id]) -> dict[str, Any]:
        """GetInviteStatus (A.4.4): a read sent as POST; at most 5 ids."""
        params = {"InviteStatusList": [{"InviteId": invite_id} for invite_id in invite_ids]}
        return await self._read("GetInviteStatus", params)

    async def resend_email(self, invite_id: Id) -> dict[str, Any]:
        """ResendEmail (A.4.5)."""
        return await self._write("ResendEmail", {"InviteId": invite_id})

    async def get_unassociated_customer(self, current_page: int, page_size: int) -> dict[str, Any]:
        """GetUnassociatedCustomer (A.4.6): invitations not associated yet."""
        return await self._read(
            "GetUnassociatedCustomer", {"CurrentPage": current_page, "PageSize": page_size}, method="GET"
        )

    # -- 2022-12-16: credit ---------------------------------------------------------------------------------

    async def set_credit_line(self, uid: Id, credit_line: str) -> dict[str, Any]:
        """SetCreditLine (A.4.7): ``credit_line`` is a decimal string."""
        return await self._write("SetCreditLine", {"CreditLine": credit_line, "Uid": uid})

    async def get_credit_info(self, uid: Id) -> dict[str, Any]:
        """GetCreditInfo (A.4.8): a funds read, served again for ``[upstream] funds_cache_seconds`` until the
        account's next write (``gateway.upstream.flight``)."""
        return await self._read("GetCreditInfo", {"Uid": uid}, method="GET", funds=True)

    async def edit_end_user_status(self, uid: Id, credit_status: str) -> dict[str, Any]:
        """EditEndUserStatus (A.4.14): ``postPayFreeze`` / ``postPayThaw``; a write sent as GET."""
        return await self._write("EditEndUserStatus", {"Uid": uid, "CreditStatus": credit_status}, method="GET")

    async def deduct_outstanding_balance(self, uid: Id, amount: str) -> dict[str, Any]:
        """DeductOutstandingBalance (A.4.15): ``amount`` is a decimal string."""
        return await self._write("DeductOutstandingBalance", {"DeductAmount": amount, "Uid": uid})

    # -- 2022-12-16: credit controls and exports (A.7) ---------------------------------------------------------

    async def set_warning_threshold(self, uid: Id, warning_value: int | str) -> dict[str, Any]:
        """SetWarningThreshold (A.7.26): a percentage 1-100, read back as GetCreditInfo ``AlarmThreshold``."""
        return await self._write("SetWarningThreshold", {"Uid": uid, "WarningValue": str(warning_value)})

    async def edit_new_buy_status(self, uid: Id, new_buy_status: str) -> dict[str, Any]:
        """EditNewBuyStatus (A.7.7): ``ban`` / ``cancelBan`` (GetCreditInfo reads ``ban`` / ``normal``)."""
        return await self._write("EditNewBuyStatus", {"NewBuyStatus": new_buy_status, "Uid": uid})

    async def edit_zero_credit_shutdown(self, uid: Id, shutdown_policy: str) -> dict[str, Any]:
        """EditZeroCreditShutdown (A.7.8): the value set is not documented (see docs/simulator-aliyun.md)."""
        return await self._write("EditZeroCreditShutdown", {"ShutdownPolicy": shutdown_policy, "Uid": uid})

    async def automatic_write_off(
        self, customer_uid: Id, enabled: bool, amount: int | None = None, *, language: str | None = None
    ) -> dict[str, Any]:
        """AutomaticWriteOff (A.7.1): ``AutomaticWriteOffEnabled`` goes as True/False, like the SDK."""
        params = {
            "AutomaticWriteOffAmount": amount,
            "AutomaticWriteOffEnabled": enabled,
            "CustomerUid": customer_uid,
            "Language": language,
        }
        return await self._write("AutomaticWriteOff", params)

    async def set_account_info(
        self, uid: Id, *, nickname: str | None = None, customer_bd: str | None = None, remark: str | None = None
    ) -> dict[str, Any]:
        """SetAccountInfo (A.7.25): only the fields given change (read back through GetAccountInfo)."""
        params = {"AccountNickname": nickname, "CustomerBd": customer_bd, "Remark": remark, "Uid": uid}
        return await self._write("SetAccountInfo", params)

    async def customer_quota_record_list(
        self,
        end_user_pk: Id,
        start_date: str,
        end_date: str,
        page_no: int,
        page_size: int,
        *,
        operation_type: str = "all",
        language: str | None = None,
    ) -> dict[str, Any]:
        """CustomerQuotaRecordList (A.7.5, GET): credit-line changes; dates ``yyyy-MM-dd``; ``PageSize`` <= 100."""
        params = {
            "EndDate": end_date,
            "EndUserPk": end_user_pk,
            "Language": language,
            "OperationType": operation_type,
            "PageNo": page_no,
            "PageSize": page_size,
            "StartDate": start_date,
        }
        return await self._read("CustomerQuotaRecordList", params, method="GET")

    async def get_purchase_control_record(
        self, customer_uid: Id, page_no: int, page_size: int, *, operation_time: str | None = None
    ) -> dict[str, Any]:
        """GetPurchaseControlRecord (A.7.16): the EditNewBuyStatus log; note ``CustomerUID``."""
        params = {
            "CustomerUID": customer_uid,
            "OperationTime": operation_time,
            "PageNo": page_no,
            "PageSize": page_size,
        }
        return await self._read("GetPurchaseControlRecord", params)

    async def get_shutdown_policy_record(
        self, customer_uid: Id, page_no: int, page_size: int, *, operation_time: str | None = None
    ) -> dict[str, Any]:
        """GetShutdownPolicyRecord (A.7.17): the EditZeroCreditShutdown log; note ``CustomerUID``."""
        params = {
            "CustomerUID": customer_uid,
            "OperationTime": operation_time,
            "PageNo": page_no,
            "PageSize": page_size,
        }
        return await self._read("GetShutdownPolicyRecord", params)

    async def query_automatic_write_off_change_records(
        self,
        customer_uid: Id,
        page_no: int,
        page_size: int,
        *,
        start_date: str | None = None,
        end_date: str | None = None,
        language: str | None = None,
    ) -> dict[str, Any]:
        """QueryAutomaticWriteOffChangeRecords (A.7.22): pages, but the answer has no total (a short page
        is the last)."""
        params = {
            "CustomerUid": customer_uid,
            "EndDate": end_date,
            "Language": language,
            "PageNo": page_no,
            "PageSize": page_size,
            "StartDate": start_date,
        }
        return await self._read("QueryAutomaticWriteOffChangeRecords", params)

    async def query_reversed_deduction_history(
        self, uid: Id, start_date: str, end_date: str, page_no: int, page_size: int, *, language: str | None = None
    ) -> dict[str, Any]:
        """QueryReversedDeductionHistory (A.7.23): write-offs of the outstanding balance."""
        params = {
            "EndDate": end_date,
            "Language": language,
            "PageNo": page_no,
            "PageSize": page_size,
            "StartDate": start_date,
            "Uid": uid,
        }
        return await self._read("QueryReversedDeductionHistory", params)

    async def export_customer_quota_record(
        self,
        end_user_pk: Id,
        start_date: str,
        end_date: str,
        *,
        operation_type: str = "all",
        language: str | None = None,
    ) -> dict[str, Any]:
        """ExportCustomerQuotaRecord (A.7.9): starts a task (``Data.Id``, ``Data.Cost`` minutes); each call
        starts another, so it is a write. Poll QuotaListExportPaged."""
        params = {
            "EndDate": end_date,
            "EndUserPk": end_user_pk,
            "Language": language,
            "OperationType": operation_type,
            "StartDate": start_date,
        }
        return await self._write("ExportCustomerQuotaRecord", params)

    async def export_reversed_deduction_history(
        self, export_uid: Id, start_date: str, end_date: str, *, language: str | None = None
    ) -> dict[str, Any]:
        """ExportReversedDeductionHistory (A.7.10): starts a task; poll ListExportTasks."""
        params = {"EndDate": end_date, "ExportUid": export_uid, "Language": language, "StartDate": start_date}
        return await self._write("ExportReversedDeductionHistory", params)

    async def list_export_tasks(
        self, scene_code: str, page_no: int, page_size: int, *, task_id: Id | None = None, language: str | None = None
    ) -> dict[str, Any]:
        """ListExportTasks (A.7.19): export tasks of one ``SceneCode`` (values undocumented upstream)."""
        params = {
            "Id": task_id,
            "Language": language,
            "PageNo": page_no,
            "PageSize": page_size,
            "SceneCode": scene_code,
        }
        return await self._read("ListExportTasks", params)

    async def quota_list_export_paged(
        self, current_page: int, page_size: int, *, language: str | None = None
    ) -> dict[str, Any]:
        """QuotaListExportPaged (A.7.24, GET): ``CurrentPage`` in, ``PageNo`` out; rows have no task id."""
        params = {"CurrentPage": current_page, "Language": language, "PageSize": page_size}
        return await self._read("QuotaListExportPaged", params, method="GET")

    # -- 2022-12-16: coupons and orders --------------------------------------------------------------------

    async def issue_coupon_for_customer(
        self,
        template_id: Id,
        uids: Sequence[Id],
        *,
        reason: str | None = None,
        language: str | None = None,
        use_benefit: bool | None = None,
    ) -> dict[str, Any]:
        """IssueCouponForCustomer (A.4.9): ``Uidlist`` is one comma-separated string."""
        params = {
            "CouponTemplateId": template_id,
            "Uidlist": ",".join(str(uid) for uid in uids),
            "ApplicationReason": reason,
            "AcceptLanguage": language,
            "IsUseBenefit": use_benefit,  # sent as True/False, like the SDK
        }
        return await self._write("IssueCouponForCustomer", params)

    async def cancel_coupon(self, coupon_id: Id) -> dict[str, Any]:
        """CancelCoupon (A.4.10)."""
        return await self._write("CancelCoupon", {"CouponId": coupon_id})

    async def list_coupon_usage(self, page: int, page_size: int, **filters: object) -> dict[str, Any]:
        """ListCouponUsage (A.4.11): ``filters`` use wire names (``Uid``, ``Status``, ...)."""
        return await self._read("ListCouponUsage", {"Page": page, "PageSize": page_size, **filters})

    async def get_customer_orders(
        self, start_date: str, end_date: str, time_type: int, page_no: int, page_size: int, **filters: object
    ) -> dict[str, Any]:
        """GetCustomerOrders (A.4.12, 2022)."""
        params = {"StartDate": start_date, "EndDate": end_date, "TimeType": time_type}
        return await self._read(
            "GetCustomerOrders", {**params, "PageNo": page_no, "PageSize": page_size, **filters}, method="GET"
        )

    # -- 2022-12-16: coupon templates and T2 coupon applications (A.7) ---------------------------------------

    async def create_coupon_template(
        self,
        name: str,
        value: str,
        *,
        limit_per_person: int,
        cost_bearer: str,
        applicable_products: str,
        reason: str,
        valid_until: str,
        language: str = "zh-CN",
        valid_from: str | None = None,
        expires: str | None = None,
        valid_days: int | None = None,
        product_types: Sequence[str] | None = None,
        purchase_type: str | None = None,
        description: str | None = None,
    ) -> dict[str, Any]:
        """CreateCouponTemplate (A.7.4): ``value`` a decimal string; the id is ``Data.CouponTemplateID``. The
        misspelt wire names (``Vailddate``, ``Expireddate``, ``Vaildperioddays``) are kept; ``LimitPerPerson``
        goes as a string; ``ProductType`` as one JSON string."""
        params = {
            "TemplateName": name,
            "Value": value,
            "LimitPerPerson": str(limit_per_person),
            "CostBearer": cost_bearer,
            "ApplicableProducts": applicable_products,
            "ReasonForApplication": reason,
            "ValidUntil": valid_until,
            "AcceptLanguage": language,
            "Vailddate": valid_from,
            "Expireddate": expires,
            "Vaildperioddays": None if valid_days is None else str(valid_days),
            "ProductType": _json_list(product_types),
            "PurchaseType": purchase_type,
            "CouponDescription": description,
        }
        return await self._write("CreateCouponTemplate", params)

    async def get_coupon_template_detail(self, template_id: Id) -> dict[str, Any]:
        """GetCouponTemplateDetail (A.7.12): ``Denomination`` is a number, ``LimitPerPerson`` an integer here."""
        return await self._read("GetCouponTemplateDetail", {"TemplateId": template_id})

    async def delete_coupon_template(self, template_id: Id) -> dict[str, Any]:
        """DeleteCouponTemplate (A.7.6)."""
        return await self._write("DeleteCouponTemplate", {"TemplateId": template_id})

    async def coupon_approval_status_list(self, page_no: int, page_size: int, **filters: object) -> dict[str, Any]:
        """CouponApprovalStatusList (A.7.3): ``filters`` are ``TemplateId``, ``TemplateName``, ``TemplateStatus``
        (all strings on the wire); no ``Success`` in the reply."""
        return await self._read("CouponApprovalStatusList", {"PageNo": page_no, "PageSize": page_size, **filters})

    async def get_coupondeduct_product_code(self, language: str = "zh-CN") -> dict[str, Any]:
        """GetCoupondeductProductCode (A.7.13): a GET; cached as reference data."""
        return await self._read(
            "GetCoupondeductProductCode", {"AcceptLanguage": language}, method="GET", cache_seconds=REFERENCE_SECONDS
        )

    async def list_tier2_coupon_approval(self, current_page: int, page_size: int, **filters: object) -> dict[str, Any]:
        """ListTier2CouponApproval (A.7.20): ``CurrentPage`` in, ``PageNo`` out; distributors only."""
        params = {"CurrentPage": current_page, "PageSize": page_size, **filters}
        return await self._read("ListTier2CouponApproval", params)

    async def get_tier2_coupon_approval_detail(self, sheet_id: str) -> dict[str, Any]:
        """GetTier2CouponApprovalDetail (A.7.18)."""
        return await self._read("GetTier2CouponApprovalDetail", {"ApplicationSheetId": sheet_id})

    async def process_approval(self, sheet_id: str, action: str, comments: str) -> dict[str, Any]:
        """ProcessApproval (A.7.21): decide a T2 coupon application once."""
        params = {"ApplicationSheetId": sheet_id, "ApprovalAction": action, "ApprovalComments": comments}
        return await self._write("ProcessApproval", params)

    # -- 2022-12-16: commission products and the partner's own bills (A.7) -----------------------------------

    async def get_commissionable_products(
        self, page_no: int, page_size: int, *, show_statuses: Sequence[str] | None = None, **filters: object
    ) -> dict[str, Any]:
        """GetCommissionableProducts (A.7.11): ``ListShowStatusList`` goes comma-joined (simple style)."""
        statuses = ",".join(show_statuses) if show_statuses else None
        params = {"PageNo": page_no, "PageSize": page_size, "ListShowStatusList": statuses, **filters}
        return await self._read("GetCommissionableProducts", params)

    async def get_daily_bill(self, bill_owner: str, bill_type: str, date: str) -> dict[str, Any]:
        """GetDailyBill (A.7.14): download links for one day's bill (``date`` yyyy-MM-dd)."""
        return await self._read("GetDailyBill", {"BillOwner": bill_owner, "BillType": bill_type, "Date": date})

    async def get_monthly_bill(self, bill_owner: str, bill_type: str, month: str) -> dict[str, Any]:
        """GetMonthlyBill (A.7.15): download links for one month's bill (``month`` yyyy-MM)."""
        return await self._read("GetMonthlyBill", {"BillOwner": bill_owner, "BillType": bill_type, "Month": month})

    async def subscription_bill(
        self,
        subscribe_type: str,
        begin_billing_cycle: str,
        bill_format: str,
        bucket_owner_id: Id,
        bucket: str,
        segment_size: int | None = None,
    ) -> dict[str, Any]:
        """SubscriptionBill (A.7.27): push one bill type to an OSS bucket from ``begin_billing_cycle`` (yyyy-MM)."""
        params = {
            "SubscribeType": subscribe_type,
            "BeginBillingCycle": begin_billing_cycle,
            "BillFormat": bill_format,
            "BucketOwnerId": bucket_owner_id,
            "SubscribeBucket": bucket,
            "SubscribeSegmentSize": segment_size,
        }
        return await self._write("SubscriptionBill", params)

    async def cancel_subscription_bill(self, subscribe_type: str) -> dict[str, Any]:
        """CancelSubscriptionBill (A.7.2)."""
        return await self._write("CancelSubscriptionBill", {"SubscribeType": subscribe_type})

    # -- 2025-02-27 ------------------------------------------------------------------------------------------

    async def _oss(self, action: str, params: Params, oss: OssTarget | None) -> dict[str, Any]:
        # Idempotent: the same month and bucket find the push already started. Form body: see the module doc.
        merged = {**params, **(oss.params() if oss is not None else {})}
        return await self._transport.call(action, VERSION_2025, "POST", merged, idempotent=True, form=True)

    async def get_bill_detail_file_list(self, bill_month: str, oss: OssTarget | None = None) -> dict[str, Any]:
        """GetBillDetailFileList (A.8.1): push the month's (``yyyyMM``) bill files to ``oss`` and list them."""
        return await self._oss("GetBillDetailFileList", {"BillMonth": bill_month}, oss)

    async def get_commission_detail_file_list(
        self, bill_month: str | None = None, oss: OssTarget | None = None
    ) -> dict[str, Any]:
        """GetCommissionDetailFileList (A.8.2): every parameter optional."""
        return await self._oss("GetCommissionDetailFileList", {"BillMonth": bill_month}, oss)

    async def get_intl_commission_detail_file_list(self, bill_month: str, oss: OssTarget) -> dict[str, Any]:
        """GetIntlCommissionDetailFileList (A.8.3): every parameter required."""
        return await self._oss("GetIntlCommissionDetailFileList", {"BillMonth": bill_month}, oss)

    async def get_renewal_rate_list(self, fiscal_year_and_quarter: str) -> dict[str, Any]:
        """GetRenewalRateList (A.8.4): the partner's renewal rates for one fiscal quarter."""
        params = {"FiscalYearAndQuarter": fiscal_year_and_quarter}
        return await self._read("GetRenewalRateList", params, v=VERSION_2025)

    async def get_sub_partner_list(self, page_no: int, page_size: int, **filters: object) -> dict[str, Any]:
        """GetSubPartnerList (A.5.1): no ``Code`` in the reply."""
        return await self._read(
            "GetSubPartnerList", {"PageNo": page_no, "PageSize": page_size, **filters}, v=VERSION_2025
        )

    async def get_customer_order_list(
        self, page_no: int, page_size: int, *, order_types: Sequence[str] | None = None, **filters: object
    ) -> dict[str, Any]:
        """GetCustomerOrderList (A.5.2): timestamps in ms; ``OrderTypeList`` is one JSON string."""
        params = {"PageNo": page_no, "PageSize": page_size, "OrderTypeList": _json_list(order_types), **filters}
        return await self._read("GetCustomerOrderList", params, v=VERSION_2025)

    async def get_sub_partner_order_list(
        self, page_no: int, page_size: int, *, order_types: Sequence[str] | None = None, **filters: object
    ) -> dict[str, Any]:
        """GetSubPartnerOrderList (A.5.3)."""
        params = {"PageNo": page_no, "PageSize": page_size, "OrderTypeList": _json_list(order_types), **filters}
        return await self._read("GetSubPartnerOrderList", params, v=VERSION_2025)

    async def customer_note_create(self, customer_uid: Id, content: str, **fields: object) -> dict[str, Any]:
        """CustomerNoteCreate (A.5.4): ``CustomerUid`` is a string here; ``Data`` is the note id."""
        params = {"CustomerUid": str(customer_uid), "NoteContent": content, **fields}
        return await self._note("CustomerNoteCreate", params, idempotent=False)

    async def customer_note_list(self, customer_uid: Id, page_num: int, page_size: int) -> dict[str, Any]:
        """CustomerNoteList (A.5.5): ``PageNum``; the page is an envelope inside ``Data``."""
        params = {"CustomerUid": str(customer_uid), "PageNum": page_num, "PageSize": page_size}
        return await self._note("CustomerNoteList", params, idempotent=True)

    async def customer_note_list_detail(self, note_id: Id) -> dict[str, Any]:
        """CustomerNoteListDetail (A.5.6)."""
        return await self._note("CustomerNoteListDetail", {"NoteId": note_id}, idempotent=True)

    async def customer_note_edit(self, note_id: Id, **fields: object) -> dict[str, Any]:
        """CustomerNoteEdit (A.5.6): ``fields`` are ``NoteContent``, ``ContactName``, ... (wire names)."""
        return await self._note("CustomerNoteEdit", {"NoteId": note_id, **fields}, idempotent=False)


def _json_list(values: Sequence[str] | None) -> str | None:
    # A.2.2: the SDK's "json" style, e.g. OrderTypeList=["BUY","RENEW"] (no spaces).
    return None if not values else json.dumps(list(values), separators=(",", ":"))
