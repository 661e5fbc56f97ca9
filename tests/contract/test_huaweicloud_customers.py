"""The official SDK against the BSS simulator: creating customers and the registration helpers.

A created customer is invisible until its (asynchronous) association lands; a phone number needs the
SMS code, which a test reads from the simulator's control endpoint. No SDK-vs-CONTRACTS disagreement:
send_verification_message_code and reclaim answer an empty body, which the SDK accepts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from huaweicloudsdkbss.v2 import (
    CheckSubcustomerUserReq,
    CheckUserIdentityRequest,
    CreateCustomerV2Req,
    CreateSubCustomerRequest,
    ListCustomerOnDemandResourcesRequest,
    ListSubCustomersRequest,
    QueryCustomerOnDemandResourcesReq,
    QuerySubCustomerListReq,
    SendVerificationCodeV2Req,
    SendVerificationMessageCodeRequest,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from adapters.huaweicloud.simulator import CODES_PATH
from tests.adapters.huaweicloud.sdk_support import T1, T2, Served, serve


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    yield from serve()


def _listed(served: Served, customer_id: str, account=T1, **fields: object) -> int:  # type: ignore[no-untyped-def]
    body = QuerySubCustomerListReq(customer_id=customer_id, **fields)
    return served.client(account).list_sub_customers(ListSubCustomersRequest(body=body)).count  # type: ignore[no-any-return]


def _wait_until_listed(served: Served, customer_id: str, account=T1, **fields: object) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 5
    while _listed(served, customer_id, account, **fields) == 0:
        assert time.monotonic() < deadline, "the created customer never became associated"
        time.sleep(0.2)


def _send_code(served: Served, phone: str) -> str:
    body = SendVerificationCodeV2Req(receiver_type=1, mobile_phone=phone, timeout=10, scene=29)
    served.client().send_verification_message_code(SendVerificationMessageCodeRequest(body=body))
    reply = httpx.get(served.url + CODES_PATH, params={"mobile_phone": phone})
    assert reply.status_code == 200
    code: str = reply.json()["verification_code"]
    assert code == served.app.simulator.verification_code(phone)  # the Python accessor agrees
    return code


def test_created_customer_appears_after_asynchronous_association(served: Served) -> None:
    body = CreateCustomerV2Req(xaccount_id="crm-000777", xaccount_type="partner_crm", domain_name="new_customer_01")
    response = served.client().create_sub_customer(CreateSubCustomerRequest(body=body))
    assert response.domain_name == "new_customer_01"
    assert len(response.domain_id) == 32
    assert _listed(served, response.domain_id) == 0  # association is asynchronous (H.4.1)
    _wait_until_listed(served, response.domain_id)
    listed = served.client().list_sub_customers(
        ListSubCustomersRequest(body=QuerySubCustomerListReq(customer_id=response.domain_id))
    )
    (info,) = listed.customer_infos
    assert (info.account_name, info.association_type, info.xaccount_id, info.customer_type) == (
        "new_customer_01",
        "2",  # resale by default
        "crm-000777",
        -1,
    )


def test_tier1_creates_a_customer_for_its_tier2(served: Served) -> None:
    body = CreateCustomerV2Req(
        xaccount_id="crm-000778", xaccount_type="partner_crm", indirect_partner_id=T2.domain_id, cooperation_type="1"
    )
    response = served.client().create_sub_customer(CreateSubCustomerRequest(body=body))
    assert len(response.domain_name) == 32  # random when not given (H.4.1)
    _wait_until_listed(served, response.domain_id, T2)
    assert _listed(served, response.domain_id, T2, association_type="1") == 1
    assert _listed(served, response.domain_id) == 0  # not the tier-1's own customer


def test_phone_number_needs_a_valid_verification_code(served: Served) -> None:
    phone = "13712345678"
    base = {"xaccount_type": "partner_crm", "mobile_phone": phone}
    with pytest.raises(ClientRequestException) as caught:
        served.client().create_sub_customer(
            CreateSubCustomerRequest(body=CreateCustomerV2Req(xaccount_id="crm-1", domain_name="phone_user_1", **base))
        )
    assert (caught.value.status_code, caught.value.error_code) == (400, "CBC.99006003")
    code = _send_code(served, phone)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(ClientRequestException):
        served.client().create_sub_customer(
            CreateSubCustomerRequest(
                body=CreateCustomerV2Req(
                    xaccount_id="crm-1", domain_name="phone_user_1", verification_code=wrong, **base
                )
            )
        )
    created = served.client().create_sub_customer(
        CreateSubCustomerRequest(
            body=CreateCustomerV2Req(xaccount_id="crm-1", domain_name="phone_user_1", verification_code=code, **base)
        )
    )
    assert created.domain_id
    with pytest.raises(ClientRequestException):  # a code is used once
        served.client().create_sub_customer(
            CreateSubCustomerRequest(
                body=CreateCustomerV2Req(
                    xaccount_id="crm-2", domain_name="phone_user_2", verification_code=code, **base
                )
            )
        )


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"domain_name": "abc"}, "CBC.0100"),  # too short
        ({"domain_name": "9starts_with_digit"}, "CBC.0100"),
        ({"domain_name": "op_reserved"}, "CBC.0100"),
        ({"domain_name": "has space"}, "CBC.0100"),
        ({"domain_name": "valid_name_x", "password": "password"}, "CBC.0100"),  # one kind of character
        ({"domain_name": "valid_name_y", "mobile_phone": "02012345678", "verification_code": "1"}, "CBC.0100"),
        ({"xaccount_id": None}, "CBC.0100"),
    ],
)
def test_create_validation(served: Served, fields: dict[str, object], code: str) -> None:
    body = CreateCustomerV2Req(**{"xaccount_id": "crm-9", "xaccount_type": "partner_crm", **fields})
    with pytest.raises(ClientRequestException) as caught:
        served.client().create_sub_customer(CreateSubCustomerRequest(body=body))
    assert (caught.value.status_code, caught.value.error_code) == (400, code)


def test_duplicate_account_name_is_refused(served: Served) -> None:
    taken = served.partner(T1).customers[0].account_name
    body = CreateCustomerV2Req(xaccount_id="crm-10", xaccount_type="partner_crm", domain_name=taken)
    with pytest.raises(ClientRequestException) as caught:
        served.client().create_sub_customer(CreateSubCustomerRequest(body=body))
    assert caught.value.error_code == "CBC.99006004"


def test_verification_code_validation(served: Served) -> None:
    body = SendVerificationCodeV2Req(receiver_type=1, mobile_phone="12345")
    with pytest.raises(ClientRequestException) as caught:
        served.client().send_verification_message_code(SendVerificationMessageCodeRequest(body=body))
    assert caught.value.error_code == "CBC.0100"
    assert httpx.get(served.url + CODES_PATH, params={"mobile_phone": "13700000000"}).status_code == 404


def test_check_user_identity(served: Served) -> None:
    customer = next(c for c in served.partner(T1).customers if c.email)

    def check(search_type: str, value: str):  # type: ignore[no-untyped-def]
        body = CheckSubcustomerUserReq(search_type=search_type, search_value=value)
        return served.client().check_user_identity(CheckUserIdentityRequest(body=body))

    used = check("name", customer.account_name)
    assert (used.check_result, used.error_code) == ("used_by_user", "CBC.0000")
    assert check("name", "nobody_has_this_name").check_result == "available"
    assert check("email", customer.email).check_result == "used_by_user"  # type: ignore[arg-type]
    mobile = check("mobile", f"0086-{customer.telephone}")
    assert (mobile.check_result, mobile.mobile_remain_available_num) == ("available", 4)
    assert check("mobile", "0086-13000000000").mobile_remain_available_num == 5
    with pytest.raises(ClientRequestException):
        check("mobile", "13000000000")  # must be 00XX-XXXXXXXX (H.4.4)


def test_on_demand_resources_of_a_resale_customer(served: Served) -> None:
    partner = served.partner(T1)
    owner = next(r["customer_id"] for r in partner.resources)
    mine = [r for r in partner.resources if r["customer_id"] == owner]
    request = ListCustomerOnDemandResourcesRequest(body=QueryCustomerOnDemandResourcesReq(customer_id=owner, limit=50))
    response = served.client().list_customer_on_demand_resources(request)
    assert response.total_count == len(mine)
    for resource, seeded in zip(response.resources, mine, strict=True):
        assert (resource.resource_id, resource.region_code, resource.status) == (
            seeded["resource_id"],
            seeded["region_code"],
            seeded["status"],
        )
        assert resource.service_type_code.startswith("hws.service.type.")
        assert resource.resource_info.startswith("{")
    by_id = QueryCustomerOnDemandResourcesReq(customer_id=owner, resource_ids=[mine[0]["resource_id"]])
    assert (
        served.client().list_customer_on_demand_resources(ListCustomerOnDemandResourcesRequest(body=by_id)).total_count
        == 1
    )
    advisory = next(c.customer_id for c in partner.customers if not c.is_resale)
    with pytest.raises(ClientRequestException) as caught:
        served.client().list_customer_on_demand_resources(
            ListCustomerOnDemandResourcesRequest(body=QueryCustomerOnDemandResourcesReq(customer_id=advisory))
        )
    assert caught.value.error_code == "CBC.99006002"
