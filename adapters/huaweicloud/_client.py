"""The raw BSS v2 client: one method per upstream operation, plain dicts in and out.

It signs (``_signing``), serialises money as JSON numbers (``_json``), sends every call with the
``httpx.AsyncClient``'s own timeout (the app builds the client from the gateway's configuration), retries
through ``gateway.retry`` (reads and refusals only; a write whose outcome is unknown is never repeated)
and turns every failure into a ``gateway.errors`` type (``_errors``). Batch operations answer HTTP 200
with per-item ``error_details[]`` (CONTRACTS.md H.3, H.5 item 5): those come back in the dict, for
``_writes`` to turn into ``Receipt.failures``. Mapping to the domain is elsewhere.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from gateway.retry import DEFAULT_POLICY, RetryPolicy, call_with_retries
from gateway.upstream import call as upstream_call

from . import _errors, _json
from . import _operations as ops
from ._operations import Operation
from ._signing import SdkHmacAuth

__all__ = ["CREATED_NOT_ASSOCIATED", "BssClient", "Reply"]

#: create_sub_customer's one documented error code: the account *was* created (``domain_id`` is in the
#: body) and its association follows asynchronously (CONTRACTS.md H.3, H.4.1). Answered as a result.
CREATED_NOT_ASSOCIATED = "CBC.99000050"

Body = Mapping[str, Any]
Query = Mapping[str, Any]


def _query_value(value: object) -> str:
    # The SDK sends booleans as true/false and numbers in their JSON spelling (H.2 step 5).
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        raise TypeError("floats are not sent upstream; use Decimal")
    return str(value)


def _query(query: Query | None) -> httpx.QueryParams | None:
    if not query:
        return None
    pairs: list[tuple[str, str | int | float | bool | None]] = []
    for key, value in query.items():
        # A list goes as repeated keys, as the SDK sends it (H.5 item 10); None is not sent at all.
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if item is not None:
                pairs.append((key, _query_value(item)))
    return httpx.QueryParams(pairs)


class Reply(dict[str, Any]):
    """An answer's JSON object, and the ``X-Request-Id`` it came with (H.3): receipts keep it."""

    request_id: str | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any], response: httpx.Response) -> Reply:
        reply = cls(data)
        reply.request_id = response.headers.get("X-Request-Id")
        return reply


class BssClient:
    """Calls Huawei Cloud BSS v2 for one partner account through the app-owned ``httpx.AsyncClient``."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        auth: SdkHmacAuth,
        *,
        partner_id: str,
        retry_policy: RetryPolicy = DEFAULT_POLICY,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self._http = http
        self._auth = auth
        self._partner_id = partner_id
        self._retry_policy = retry_policy
        self._sleep = sleep

    # --- customers (H.4.1-H.4.5) -------------------------------------------------------------------

    async def create_sub_customer(self, body: Body) -> Reply:
        """H.4.1: creates the account; association follows asynchronously. Never retried blindly."""
        return await self._call(ops.CREATE_SUB_CUSTOMER, body=body)

    async def list_sub_customers(self, body: Body) -> Reply:
        """H.4.2 (``count``, not ``total_count``)."""
        return await self._call(ops.LIST_SUB_CUSTOMERS, body=body)

    async def send_verification_message_code(self, body: Body) -> Reply:
        """H.4.3: empty body on success (``{}`` here)."""
        return await self._call(ops.SEND_VERIFICATION_MESSAGE_CODE, body=body)

    async def check_user_identity(self, body: Body) -> Reply:
        """H.4.4: ``error_code``/``error_msg`` come in the HTTP 200 body with ``check_result``."""
        return await self._call(ops.CHECK_USER_IDENTITY, body=body)

    async def list_customer_on_demand_resources(self, body: Body, *, language: str | None = None) -> Reply:
        """H.4.5 (resale customers only)."""
        return await self._call(ops.LIST_CUSTOMER_ON_DEMAND_RESOURCES, body=body, language=language)

    # --- money (H.4.6-H.4.12, H.4.25, H.4.27) -------------------------------------------------------

    async def list_customers_balances_detail(self, body: Body, *, language: str | None = None) -> Reply:
        """H.4.6: one call for many customers; advisory customers are silently left out."""
        return await self._call(ops.LIST_CUSTOMERS_BALANCES_DETAIL, body=body, language=language)

    async def update_customer_account_amount(self, body: Body) -> Reply:
        """H.4.7: allocate to a customer; answers ``transfer_id``."""
        return await self._call(ops.UPDATE_CUSTOMER_ACCOUNT_AMOUNT, body=body)

    async def reclaim_to_partner_account(self, body: Body) -> Reply:
        """H.4.8: reclaim from a customer; answers ``trans_id`` (H.5 item 2)."""
        return await self._call(ops.RECLAIM_TO_PARTNER_ACCOUNT, body=body)

    async def list_partner_balances(self, query: Query | None = None) -> Reply:
        """H.4.9: amounts are JSON floats upstream, read here as ``Decimal`` (H.5 item 1)."""
        return await self._call(ops.LIST_PARTNER_BALANCES, query=query)

    async def list_indirect_partners(self, body: Body) -> Reply:
        """H.4.10: tier-1 only (``count``)."""
        return await self._call(ops.LIST_INDIRECT_PARTNERS, body=body)

    async def update_indirect_partner_account(self, body: Body) -> Reply:
        """H.4.11: allocate to a tier-2 reseller; answers ``transfer_id``."""
        return await self._call(ops.UPDATE_INDIRECT_PARTNER_ACCOUNT, body=body)

    async def reclaim_indirect_partner_account(self, body: Body) -> Reply:
        """H.4.12: reclaim from a tier-2 reseller; answers ``trans_id``."""
        return await self._call(ops.RECLAIM_INDIRECT_PARTNER_ACCOUNT, body=body)

    async def list_partner_account_change_records(self, query: Query) -> Reply:
        """H.4.25: ``balance_type`` is required; amounts are strings."""
        return await self._call(ops.LIST_PARTNER_ACCOUNT_CHANGE_RECORDS, query=query)

    async def list_partner_adjust_records(self, query: Query | None = None) -> Reply:
        """H.4.27 (a v3 path): the ledger of allocations and reclaims; amounts are strings."""
        return await self._call(ops.LIST_PARTNER_ADJUST_RECORDS, query=query)

    # --- voucher quotas and vouchers (H.4.13-H.4.19, H.4.26) ------------------------------------------

    async def list_quota_coupons(self, body: Body) -> Reply:
        """H.4.26: the partner's own quotas (source of ``quota_id``)."""
        return await self._call(ops.LIST_QUOTA_COUPONS, body=body)

    async def update_coupon_quotas(self, body: Body) -> Reply:
        """H.4.13: grant quota to tier-2s; HTTP 200 with per-item ``error_details[]``."""
        return await self._call(ops.UPDATE_COUPON_QUOTAS, body=body)

    async def reclaim_coupon_quotas(self, body: Body) -> Reply:
        """H.4.14: HTTP 200 with per-item ``error_details[]``."""
        return await self._call(ops.RECLAIM_COUPON_QUOTAS, body=body)

    async def list_issued_coupon_quotas(self, query: Query | None = None) -> Reply:
        """H.4.15: quotas granted to tier-2s."""
        return await self._call(ops.LIST_ISSUED_COUPON_QUOTAS, query=query)

    async def list_coupon_quotas_records(self, query: Query | None = None) -> Reply:
        """H.4.16: grant (10) and reclaim (11) records."""
        return await self._call(ops.LIST_COUPON_QUOTAS_RECORDS, query=query)

    async def create_partner_coupons(self, body: Body) -> Reply:
        """H.4.17: issue vouchers; HTTP 200 with per-item ``error_details[]``."""
        return await self._call(ops.CREATE_PARTNER_COUPONS, body=body)

    async def reclaim_partner_coupons(self, body: Body) -> Reply:
        """H.4.18: empty body on success (``{}`` here)."""
        return await self._call(ops.RECLAIM_PARTNER_COUPONS, body=body)

    async def list_issued_partner_coupons(self, query: Query | None = None) -> Reply:
        """H.4.19."""
        return await self._call(ops.LIST_ISSUED_PARTNER_COUPONS, query=query)

    # --- orders and reference data (H.4.20-H.4.24) --------------------------------------------------

    async def list_customer_orders(self, query: Query | None = None) -> Reply:
        """H.4.20: yearly/monthly orders; amounts are JSON floats, read as ``Decimal``."""
        return await self._call(ops.LIST_CUSTOMER_ORDERS, query=query)

    async def list_on_demand_resource_ratings(self, body: Body) -> Reply:
        """H.4.21: a price inquiry (no state change, so retried like a read)."""
        return await self._call(ops.LIST_ON_DEMAND_RESOURCE_RATINGS, body=body)

    async def list_provinces(self, query: Query | None = None, *, language: str | None = None) -> Reply:
        """H.4.22."""
        return await self._call(ops.LIST_PROVINCES, query=query, language=language)

    async def list_cities(self, query: Query, *, language: str | None = None) -> Reply:
        """H.4.23: ``province_code`` is required."""
        return await self._call(ops.LIST_CITIES, query=query, language=language)

    async def list_counties(self, query: Query, *, language: str | None = None) -> Reply:
        """H.4.24: ``city_code`` is required."""
        return await self._call(ops.LIST_COUNTIES, query=query, language=language)

    # --- bills and consumption (H.6.1-H.6.3) ---------------------------------------------------------

    async def list_subcustomer_monthly_bills(self, query: Query) -> Reply:
        """H.6.1: resale customers' monthly sums; ``cycle`` and ``charge_mode`` required; total ``count``."""
        return await self._call(ops.LIST_SUBCUSTOMER_MONTHLY_BILLS, query=query)

    async def list_sub_customer_bill_detail(self, query: Query, *, language: str | None = None) -> Reply:
        """H.6.2: one customer's fee records of a month (``bill_cycle`` and ``customer_id`` required)."""
        return await self._call(ops.LIST_SUB_CUSTOMER_BILL_DETAIL, query=query, language=language)

    async def list_consume_sub_customers(self, body: Body, *, language: str | None = None) -> Reply:
        """H.6.3: the customers with consumption in ``bill_cycle`` (ids only)."""
        return await self._call(ops.LIST_CONSUME_SUB_CUSTOMERS, body=body, language=language)

    # --- coupon records, own coupons, tags, policies, period prices (H.6.4-H.6.8) ---------------------

    async def list_partner_coupons_record(self, query: Query | None = None) -> Reply:
        """H.6.4: voucher issue/reclaim log; list values (``operation_types``, ``coupon_ids``) go as
        repeated keys."""
        return await self._call(ops.LIST_PARTNER_COUPONS_RECORD, query=query)

    async def list_sub_customer_coupons(self, query: Query | None = None) -> Reply:
        """H.6.5: the partner's *own* coupons (total ``count``)."""
        return await self._call(ops.LIST_SUB_CUSTOMER_COUPONS, query=query)

    async def list_sub_customer_new_tag(self, body: Body) -> Reply:
        """H.6.6: new-customer tags; no total (page until a short page)."""
        return await self._call(ops.LIST_SUB_CUSTOMER_NEW_TAG, body=body)

    async def list_incentive_discount_policies(self, query: Query) -> Reply:
        """H.6.7: ``time`` (a UTC+8 month) required."""
        return await self._call(ops.LIST_INCENTIVE_DISCOUNT_POLICIES, query=query)

    async def list_rate_on_period_detail(self, body: Body) -> Reply:
        """H.6.8: a yearly/monthly price inquiry (no state change, so retried like a read)."""
        return await self._call(ops.LIST_RATE_ON_PERIOD_DETAIL, body=body)

    # --- the product catalogue (H.6.9) ----------------------------------------------------------------

    async def list_service_types(self, query: Query | None = None, *, language: str | None = None) -> Reply:
        """H.6.9."""
        return await self._call(ops.LIST_SERVICE_TYPES, query=query, language=language)

    async def list_resource_types(self, query: Query | None = None, *, language: str | None = None) -> Reply:
        """H.6.9."""
        return await self._call(ops.LIST_RESOURCE_TYPES, query=query, language=language)

    async def list_service_resources(self, query: Query, *, language: str | None = None) -> Reply:
        """H.6.9: ``service_type_code`` required."""
        return await self._call(ops.LIST_SERVICE_RESOURCES, query=query, language=language)

    async def list_usage_types(self, query: Query | None = None, *, language: str | None = None) -> Reply:
        """H.6.9."""
        return await self._call(ops.LIST_USAGE_TYPES, query=query, language=language)

    async def list_measure_units(self, *, language: str | None = None) -> Reply:
        """H.6.9: no paging, no total."""
        return await self._call(ops.LIST_MEASURE_UNITS, language=language)

    async def list_conversions(self, query: Query | None = None, *, language: str | None = None) -> Reply:
        """H.6.9: no paging, no total."""
        return await self._call(ops.LIST_CONVERSIONS, query=query, language=language)

    # --- the one call path ---------------------------------------------------------------------------

    async def _call(
        self,
        operation: Operation,
        *,
        query: Query | None = None,
        body: Body | None = None,
        language: str | None = None,
    ) -> Reply:
        content = _json.dumps(body).encode("utf-8") if body is not None else None
        headers = {"Content-Type": "application/json"}  # every BSS op, GETs too (H.1)
        if language is not None:
            headers["X-Language"] = language

        async def once() -> Reply:
            return await self._once(operation, _query(query), content, headers)

        return await call_with_retries(
            once, idempotent=operation.idempotent, policy=self._retry_policy, sleep=self._sleep
        )

    async def _once(
        self,
        operation: Operation,
        params: httpx.QueryParams | None,
        content: bytes | None,
        headers: dict[str, str],
    ) -> Reply:
        try:
            response = await self._http.request(
                operation.method,
                operation.path,
                params=params,
                content=content,
                headers=headers,
                auth=self._auth,
                extensions=upstream_call.tag(
                    operation.name,
                    idempotent=operation.idempotent,
                    cache_seconds=operation.cache_seconds,
                    funds=operation.funds,
                ),
            )
        except httpx.TransportError as exc:
            raise _errors.from_transport_error(exc, operation=operation.name, partner_id=self._partner_id) from exc
        if response.status_code >= 400:
            created = _created_not_associated(operation, response)
            if created is not None:
                return created
            raise _errors.from_response(response, operation=operation.name, partner_id=self._partner_id)
        if not response.content.strip():
            return Reply.of({}, response)  # send_verification_message_code, reclaim_partner_coupons: empty
        try:
            data = _json.loads(response.content)
        except ValueError as exc:
            raise _errors.protocol_error(
                response, "malformed JSON", operation=operation.name, partner_id=self._partner_id
            ) from exc
        if not isinstance(data, dict):
            raise _errors.protocol_error(
                response, "not a JSON object", operation=operation.name, partner_id=self._partner_id
            )
        return Reply.of(data, response)


def _created_not_associated(operation: Operation, response: httpx.Response) -> Reply | None:
    """create_sub_customer's CBC.99000050 with a ``domain_id``: created, so a result (``error_code`` kept)."""
    if operation is not ops.CREATE_SUB_CUSTOMER or response.status_code >= 500:
        return None
    try:
        data = _json.loads(response.content)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("error_code") != CREATED_NOT_ASSOCIATED or not data.get("domain_id"):
        return None
    return Reply.of(data, response)
