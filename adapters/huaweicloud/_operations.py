"""The BSS v2 operations we call, named after the official SDK's methods (CONTRACTS.md 0.4, H.4).

The client and the simulator share this table: one line here, one client method, one simulator handler.
``idempotent`` says whether repeating the call can change nothing upstream (reads, price inquiries,
availability checks); the client passes it to ``gateway.retry.call_with_retries``.

``cache_seconds`` marks the slow-changing reads, whose answers ``gateway.upstream.flight`` serves again for
that long (every read is shared while in flight): the administrative regions (H.4.22-24: they change with
administrative reforms) and pay-per-use price inquiries (H.4.21: list prices and the discounts that apply
change rarely, and a quote is a quote, not a charge). ``funds`` marks the customers' balances (H.4.6), served
again for the account's ``[upstream] funds_cache_seconds`` (a few seconds: any write of the account drops
them). Everything else is a customer's, a tier-2 reseller's or the partner's own account, quota, voucher or
order, which the partner's writes (and spending) change at any moment: never cached. BSS v2 has no read of
the partner's own profile (CONTRACTS.md X.3).
The product catalogue and the incentive policies (H.6.7, H.6.9) are reference data like the regions; the
yearly/monthly price inquiry (H.6.8) is a price like H.4.21. Bills (H.6.1-H.6.3) grow as customers consume:
never cached.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BY_NAME", "BY_ROUTE", "OPERATIONS", "PRICE_SECONDS", "REFERENCE_SECONDS", "Operation"]


@dataclass(frozen=True, slots=True)
class Operation:
    """One upstream operation: the SDK method name, HTTP method and path, and whether a repeat is harmless."""

    name: str
    method: str
    path: str
    idempotent: bool = True
    cache_seconds: float = 0.0
    """How long the answer may be served again (slow-changing reads only; 0: shared in flight, never cached)."""
    funds: bool = False
    """A read of customers' money, served again for the account's ``[upstream] funds_cache_seconds``."""


#: Administrative regions: they change with administrative reforms.
REFERENCE_SECONDS = 86_400.0
#: Price inquiries: list prices and the discounts that apply change rarely.
PRICE_SECONDS = 300.0


def _read(name: str, method: str, path: str, *, cache_seconds: float = 0.0, funds: bool = False) -> Operation:
    return Operation(name, method, path, idempotent=True, cache_seconds=cache_seconds, funds=funds)


def _write(name: str, path: str) -> Operation:
    return Operation(name, "POST", path, idempotent=False)


# Customers (H.4.1-H.4.5)
CREATE_SUB_CUSTOMER = _write("create_sub_customer", "/v2/partners/sub-customers")
LIST_SUB_CUSTOMERS = _read("list_sub_customers", "POST", "/v2/partners/sub-customers/query")
SEND_VERIFICATION_MESSAGE_CODE = _write("send_verification_message_code", "/v2/bases/verificationcode/send")
CHECK_USER_IDENTITY = _read("check_user_identity", "POST", "/v2/partners/sub-customers/users/check-identity")
LIST_CUSTOMER_ON_DEMAND_RESOURCES = _read(
    "list_customer_on_demand_resources", "POST", "/v2/partners/sub-customers/on-demand-resources/query"
)
# Money (H.4.6-H.4.9, H.4.25, H.4.27)
LIST_CUSTOMERS_BALANCES_DETAIL = _read(
    "list_customers_balances_detail", "POST", "/v2/accounts/customer-accounts/balances/batch-query", funds=True
)
UPDATE_CUSTOMER_ACCOUNT_AMOUNT = _write("update_customer_account_amount", "/v2/accounts/partner-accounts/adjust-amount")
RECLAIM_TO_PARTNER_ACCOUNT = _write("reclaim_to_partner_account", "/v2/accounts/partner-accounts/reclaim")
LIST_PARTNER_BALANCES = _read("list_partner_balances", "GET", "/v2/accounts/partner-accounts/balances")
LIST_PARTNER_ACCOUNT_CHANGE_RECORDS = _read(
    "list_partner_account_change_records", "GET", "/v2/accounts/partner-accounts/account-change-records"
)
LIST_PARTNER_ADJUST_RECORDS = _read(
    "list_partner_adjust_records",
    "GET",
    "/v3/accounts/partner-accounts/adjust-records",  # v3 (H.4.27)
)
# Tier-2 resellers (H.4.10-H.4.12)
LIST_INDIRECT_PARTNERS = _read("list_indirect_partners", "POST", "/v2/partners/indirect-partners/query")
UPDATE_INDIRECT_PARTNER_ACCOUNT = _write(
    "update_indirect_partner_account", "/v2/accounts/partner-accounts/indirect-partner-adjust"
)
RECLAIM_INDIRECT_PARTNER_ACCOUNT = _write(
    "reclaim_indirect_partner_account", "/v2/accounts/partner-accounts/indirect-partner-reclaim"
)
# Voucher quotas (H.4.13-H.4.16, H.4.26)
LIST_QUOTA_COUPONS = _read("list_quota_coupons", "POST", "/v2/partners/coupon-quotas/query")
UPDATE_COUPON_QUOTAS = _write("update_coupon_quotas", "/v2/partners/coupon-quotas/indirect-partner-adjust")
RECLAIM_COUPON_QUOTAS = _write("reclaim_coupon_quotas", "/v2/partners/coupon-quotas/indirect-partner-reclaim")
LIST_ISSUED_COUPON_QUOTAS = _read("list_issued_coupon_quotas", "GET", "/v2/partners/issued-coupon-quotas")
LIST_COUPON_QUOTAS_RECORDS = _read("list_coupon_quotas_records", "GET", "/v2/partners/coupon-quotas/records")
# Vouchers (H.4.17-H.4.19)
CREATE_PARTNER_COUPONS = _write("create_partner_coupons", "/v2/promotions/benefits/partner-coupons")
RECLAIM_PARTNER_COUPONS = _write("reclaim_partner_coupons", "/v2/promotions/benefits/partner-coupons/reclaim")
LIST_ISSUED_PARTNER_COUPONS = _read("list_issued_partner_coupons", "GET", "/v2/promotions/benefits/partner-coupons")
# Orders and reference data (H.4.20-H.4.24)
LIST_CUSTOMER_ORDERS = _read("list_customer_orders", "GET", "/v2/orders/customer-orders")
LIST_ON_DEMAND_RESOURCE_RATINGS = _read(
    "list_on_demand_resource_ratings",
    "POST",
    "/v2/bills/ratings/on-demand-resources",  # a price inquiry
    cache_seconds=PRICE_SECONDS,
)
LIST_PROVINCES = _read("list_provinces", "GET", "/v2/systems/configs/provinces", cache_seconds=REFERENCE_SECONDS)
LIST_CITIES = _read("list_cities", "GET", "/v2/systems/configs/cities", cache_seconds=REFERENCE_SECONDS)
LIST_COUNTIES = _read("list_counties", "GET", "/v2/systems/configs/counties", cache_seconds=REFERENCE_SECONDS)
# Bills and consumption (H.6.1-H.6.3)
LIST_SUBCUSTOMER_MONTHLY_BILLS = _read(
    "list_subcustomer_monthly_bills", "GET", "/v2/bills/partner-bills/subcustomer-bills/monthly-sum"
)
LIST_SUB_CUSTOMER_BILL_DETAIL = _read(
    "list_sub_customer_bill_detail", "GET", "/v2/bills/subcustomer-bills/res-fee-records"
)
LIST_CONSUME_SUB_CUSTOMERS = _read(
    "list_consume_sub_customers", "POST", "/v2/bills/subcustomer-bills/res-fee-records/sub-customers/query"
)
# Coupon records, the partner's own coupons, new-customer tags, policies, period prices (H.6.4-H.6.8)
LIST_PARTNER_COUPONS_RECORD = _read(
    "list_partner_coupons_record", "GET", "/v2/promotions/benefits/partner-coupons/records/query"
)
LIST_SUB_CUSTOMER_COUPONS = _read("list_sub_customer_coupons", "GET", "/v2/promotions/benefits/coupons")
LIST_SUB_CUSTOMER_NEW_TAG = _read(
    "list_sub_customer_new_tag", "POST", "/v2/partners/sub-customers/new-customers-tags/batch-query"
)
LIST_INCENTIVE_DISCOUNT_POLICIES = _read(
    "list_incentive_discount_policies",
    "GET",
    "/v2/products/incentive-discount-policies",
    cache_seconds=REFERENCE_SECONDS,
)
LIST_RATE_ON_PERIOD_DETAIL = _read(
    "list_rate_on_period_detail",
    "POST",
    "/v2/bills/ratings/period-resources/subscribe-rate",  # a price inquiry
    cache_seconds=PRICE_SECONDS,
)
# The product catalogue (H.6.9)
LIST_SERVICE_TYPES = _read("list_service_types", "GET", "/v2/products/service-types", cache_seconds=REFERENCE_SECONDS)
LIST_RESOURCE_TYPES = _read(
    "list_resource_types", "GET", "/v2/products/resource-types", cache_seconds=REFERENCE_SECONDS
)
LIST_SERVICE_RESOURCES = _read(
    "list_service_resources", "GET", "/v2/products/service-resources", cache_seconds=REFERENCE_SECONDS
)
LIST_USAGE_TYPES = _read("list_usage_types", "GET", "/v2/products/usage-types", cache_seconds=REFERENCE_SECONDS)
LIST_MEASURE_UNITS = _read("list_measure_units", "GET", "/v2/bases/measurements", cache_seconds=REFERENCE_SECONDS)
LIST_CONVERSIONS = _read("list_conversions", "GET", "/v2/bases/conversions", cache_seconds=REFERENCE_SECONDS)

OPERATIONS: tuple[Operation, ...] = (
    CREATE_SUB_CUSTOMER,
    LIST_SUB_CUSTOMERS,
    SEND_VERIFICATION_MESSAGE_CODE,
    CHECK_USER_IDENTITY,
    LIST_CUSTOMER_ON_DEMAND_RESOURCES,
    LIST_CUSTOMERS_BALANCES_DETAIL,
    UPDATE_CUSTOMER_ACCOUNT_AMOUNT,
    RECLAIM_TO_PARTNER_ACCOUNT,
    LIST_PARTNER_BALANCES,
    LIST_INDIRECT_PARTNERS,
    UPDATE_INDIRECT_PARTNER_ACCOUNT,
    RECLAIM_INDIRECT_PARTNER_ACCOUNT,
    UPDATE_COUPON_QUOTAS,
    RECLAIM_COUPON_QUOTAS,
    LIST_ISSUED_COUPON_QUOTAS,
    LIST_COUPON_QUOTAS_RECORDS,
    CREATE_PARTNER_COUPONS,
    RECLAIM_PARTNER_COUPONS,
    LIST_ISSUED_PARTNER_COUPONS,
    LIST_CUSTOMER_ORDERS,
    LIST_ON_DEMAND_RESOURCE_RATINGS,
    LIST_PROVINCES,
    LIST_CITIES,
    LIST_COUNTIES,
    LIST_PARTNER_ACCOUNT_CHANGE_RECORDS,
    LIST_QUOTA_COUPONS,
    LIST_PARTNER_ADJUST_RECORDS,
    LIST_SUBCUSTOMER_MONTHLY_BILLS,
    LIST_SUB_CUSTOMER_BILL_DETAIL,
    LIST_CONSUME_SUB_CUSTOMERS,
    LIST_PARTNER_COUPONS_RECORD,
    LIST_SUB_CUSTOMER_COUPONS,
    LIST_SUB_CUSTOMER_NEW_TAG,
    LIST_INCENTIVE_DISCOUNT_POLICIES,
    LIST_RATE_ON_PERIOD_DETAIL,
    LIST_SERVICE_TYPES,
    LIST_RESOURCE_TYPES,
    LIST_SERVICE_RESOURCES,
    LIST_USAGE_TYPES,
    LIST_MEASURE_UNITS,
    LIST_CONVERSIONS,
)

BY_NAME: dict[str, Operation] = {op.name: op for op in OPERATIONS}
BY_ROUTE: dict[tuple[str, str], Operation] = {(op.method, op.path): op for op in OPERATIONS}
