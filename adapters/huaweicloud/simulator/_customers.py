"""Handlers for the customer operations (H.4.1-H.4.5), each named after the SDK method it serves."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from ._errors import ACCOUNT_NAME_USED, SUCCESS, VERIFICATION_CODE_INVALID, ApiError, invalid
from ._params import customer_of, integer, page, resale_customer, string, string_list, target, utc_time
from ._state import PartnerState, SimulatorState, SubCustomer, timestamp

__all__ = [
    "check_user_identity",
    "create_sub_customer",
    "list_customer_on_demand_resources",
    "list_sub_customers",
    "send_verification_message_code",
]

_STRING_FIELDS = (
    "account_name",
    "customer",
    "label",
    "association_type",
    "associated_on_begin",
    "associated_on_end",
    "customer_id",
    "indirect_partner_id",
)
# H.4.1: 5-32 characters, letters, digits, _ and -, not starting with a digit, op_ or shadow_.
_ACCOUNT_NAME = re.compile(r"^[a-zA-Z_-][a-zA-Z0-9_-]{4,31}$")
_MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")  # H.4.1, H.4.3: mainland China only
_CHECK_MOBILE = re.compile(r"^\d{4}-\d+$")  # H.4.4: 00XX-XXXXXXXX
MAX_ACCOUNTS_PER_MOBILE = 5  # chosen: how many accounts one phone number may register


def _matches(customer: SubCustomer, body: dict[str, Any], begin: datetime | None, end: datetime | None) -> bool:
    # Fuzzy = substring (prefix, suffix or infix), case-sensitive; empty or absent = no filter (H.4).
    for name in ("account_name", "customer", "label"):
        wanted = body.get(name)
        if wanted and wanted not in (getattr(customer, name) or ""):
            return False
    for name in ("association_type", "customer_id"):
        wanted = body.get(name)
        if wanted and getattr(customer, name) != wanted:
            return False
    associated = datetime.strptime(customer.associated_on, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return (begin is None or associated >= begin) and (end is None or associated <= end)


def list_sub_customers(state: SimulatorState, caller: PartnerState, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v2/partners/sub-customers/query`` (H.4.2): every field optional, all in the body."""
    for name in _STRING_FIELDS:
        if body.get(name) is not None and not isinstance(body[name], str):
            raise invalid(name, "must be a string")
    if body.get("association_type") not in (None, "", "1", "2"):
        raise invalid("association_type", "must be 1 or 2")
    begin, end = utc_time(body, "associated_on_begin"), utc_time(body, "associated_on_end")
    partner = target(state, caller, body.get("indirect_partner_id"))
    now = state.clock()
    found = [c for c in partner.customers if c.visible(now) and _matches(c, body, begin, end)]
    return {
        "count": len(found),  # ``count``, not ``total_count`` (H.5 item 3)
        "customer_infos": [customer.to_wire() for customer in page(body, found)],
    }


def _check_account_name(state: SimulatorState, name: str) -> None:
    if not _ACCOUNT_NAME.match(name) or name.startswith(("op_", "shadow_")):
        raise invalid("domain_name", "must be 5-32 letters, digits, _ or -, not starting with a digit, op_ or shadow_")
    if any(c.account_name == name for p in state.partners for c in p.customers):
        raise ApiError(400, ACCOUNT_NAME_USED, "The account name has been used.")


def _check_password(password: str, name: str, phone: str | None) -> None:
    kinds = sum(
        (
            any(ch.isupper() for ch in password),
            any(ch.islower() for ch in password),
            any(ch.isdigit() for ch in password),
            any(not ch.isalnum() for ch in password),
        )
    )
    if len(password) < 8 or kinds < 2 or password in (name, name[::-1]) or (phone and phone in password):
        raise invalid("password", "must have 8+ characters of 2+ kinds and not contain the name or phone number")


def create_sub_customer(state: SimulatorState, caller: PartnerState, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v2/partners/sub-customers`` (H.4.1): the account exists at once, its association later."""
    xaccount_id = string(body, "xaccount_id", required=True, max_length=128)
    xaccount_type = string(body, "xaccount_type", required=True, max_length=64)
    partner = target(state, caller, body.get("indirect_partner_id"))  # a tier-1 creating a tier-2's customer
    name = string(body, "domain_name")
    if name is None:
        name = state.new_id("hw")[:32]  # "random if empty" (H.4.1)
    else:
        _check_account_name(state, name)
    phone = string(body, "mobile_phone")
    if phone is not None:
        if not _MAINLAND_MOBILE.match(phone):
            raise invalid("mobile_phone", "must be a mainland China mobile number")
        code = string(body, "verification_code")
        if code is None or not state.consume_code(phone, code):
            raise ApiError(400, VERIFICATION_CODE_INVALID, "The verification code is incorrect or has expired.")
    password = string(body, "password")
    if password is not None:
        _check_password(password, name, phone)
    if body.get("include_association_result") not in (None, True, False):
        raise invalid("include_association_result", "must be a boolean")
    now = state.clock()
    associates_at = now + state.association_delay
    customer = SubCustomer(
        customer_id=state.new_id(),
        account_name=name,
        customer=None,
        associated_on=timestamp(associates_at),
        association_type="1" if body.get("cooperation_type") == "1" else "2",  # anything else: resale
        customer_type=-1,
        verified_status="-1",
        is_frozen=0,
        customer_level="V0",
        telephone=phone,
        country_code="0086" if phone else None,
        email=None,
        label=None,
        xaccount_id=xaccount_id,
        xaccount_type=xaccount_type,
        associates_at=associates_at,
    )
    partner.customers.append(customer)
    return {"domain_id": customer.customer_id, "domain_name": customer.account_name}


def send_verification_message_code(state: SimulatorState, caller: PartnerState, body: dict[str, Any]) -> None:
    """``POST /v2/bases/verificationcode/send`` (H.4.3): records the code; an empty body means sent."""
    integer(body, "receiver_type", None, 1, 1)  # 1 SMS, the only kind
    phone = string(body, "mobile_phone", required=True)
    if phone is None or not _MAINLAND_MOBILE.match(phone):
        raise invalid("mobile_phone", "must be a mainland China mobile number")
    minutes = integer(body, "timeout", 10, 1)
    if minutes > 60:
        minutes = 5  # "values > 60 become 5" (H.4.3)
    if body.get("lang") not in (None, "zh-cn", "en-us"):
        raise invalid("lang", "must be zh-cn or en-us")
    scene = integer(body, "scene", 29)
    if scene not in (18, 29):
        raise invalid("scene", "must be 18 or 29")
    if scene == 18:
        customer_of(state, caller, string(body, "customer_id", required=True) or "")
    state.issue_code(phone, minutes)


def check_user_identity(state: SimulatorState, caller: PartnerState, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v2/partners/sub-customers/users/check-identity`` (H.4.4): the verdict comes in a 200 body."""
    search_type = string(body, "search_type", required=True)
    value = string(body, "search_value", required=True, max_length=64) or ""
    customers = [c for p in state.partners for c in p.customers]
    answer: dict[str, Any] = {"error_code": SUCCESS, "error_msg": "Success."}
    if search_type == "email":
        used = any(c.email == value for c in customers)
    elif search_type == "name":
        if not _ACCOUNT_NAME.match(value) or value.startswith(("op_", "shadow_")):
            raise invalid("search_value", "is not a valid account name")
        used = any(c.account_name == value for c in customers)
    elif search_type == "mobile":
        if not _CHECK_MOBILE.match(value) or not value.startswith("0086-"):
            raise invalid("search_value", "must be a 0086-XXXXXXXXXXX mobile number")
        taken = sum(c.telephone == value[5:] for c in customers)
        remaining = max(0, MAX_ACCOUNTS_PER_MOBILE - taken)
        answer["mobile_remain_available_num"] = remaining
        used = remaining == 0
    else:
        raise invalid("search_type", "must be email, mobile or name")
    answer["check_result"] = "used_by_user" if used else "available"
    return answer


def list_customer_on_demand_resources(
    state: SimulatorState, caller: PartnerState, body: dict[str, Any]
) -> dict[str, Any]:
    """``POST /v2/partners/sub-customers/on-demand-resources/query`` (H.4.5): resale customers only."""
    partner = target(state, caller, body.get("indirect_partner_id"))
    customer = resale_customer(state, partner, string(body, "customer_id", required=True) or "")
    ids = set(string_list(body, "resource_ids", max_items=50, required=False))
    status = integer(body, "status", 0, 1, 6) if body.get("status") is not None else None
    begin, end = utc_time(body, "effective_time_begin"), utc_time(body, "effective_time_end")
    found = []
    for resource in partner.resources:
        effective = utc_time(resource, "effective_time")
        if (
            resource["customer_id"] != customer.customer_id
            or (ids and resource["resource_id"] not in ids)
            or (status is not None and resource["status"] != status)
            or any(body.get(n) and resource[n] != body[n] for n in ("region_code", "service_type_code"))
            or (begin is not None and effective is not None and effective < begin)
            or (end is not None and effective is not None and effective > end)
        ):
            continue
        found.append(resource)
    return {"total_count": len(found), "resources": page(body, found)}
