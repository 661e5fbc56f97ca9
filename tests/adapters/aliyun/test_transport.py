"""The Agency client's failure handling with respx standing in for the upstream: 5xx, throttling with
x-acs-retry-after (honoured, bounded), timeouts, malformed JSON, HTTP 200 business errors, and the
retry rule (a read is repeated, a write with an unknown outcome is not)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from adapters.aliyun._client import AgencyClient
from adapters.aliyun._signing import Acs3Signer
from adapters.aliyun._transport import AgencyTransport
from gateway.errors import (
    ProviderError,
    ProviderForbidden,
    ProviderProtocolError,
    ProviderThrottled,
    ProviderUnavailable,
)
from gateway.models import Secret
from gateway.retry import RetryPolicy

pytestmark = pytest.mark.anyio
ENDPOINT = "https://agency.aliyuncs.com"
OK = {"RequestId": "R-OK", "Code": "200", "Success": True, "Message": "Success", "Data": {"CreditLine": "10.50"}}


class Sleeps:
    def __init__(self) -> None:
        self.waited: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waited.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def client(sleeps: Sleeps) -> AsyncIterator[AgencyClient]:
    async with httpx.AsyncClient(base_url=ENDPOINT) as http:
        transport = AgencyTransport(
            http,
            Acs3Signer("AK", Secret("SK")),
            partner_id="p1",
            policy=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, max_total=30),
            sleep=sleeps,
        )
        yield AgencyClient(transport)


def reply(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(status, content=content, headers=headers)


def action(name: str) -> respx.Route:
    return respx.route(host="agency.aliyuncs.com", headers={"x-acs-action": name})


@respx.mock
async def test_a_read_is_retried_after_5xx(client: AgencyClient) -> None:
    route = action("GetCreditInfo").mock(
        side_effect=[reply(503, {"RequestId": "R5", "Code": "ServiceUnavailable", "Message": "busy"}), reply(200, OK)]
    )
    body = await client.get_credit_info("1234567890123456789")
    assert body["Data"]["CreditLine"] == "10.50"
    assert route.call_count == 2
    request = route.calls[0].request
    assert request.method == "GET"
    assert request.url.params["Uid"] == "1234567890123456789"  # 64-bit ids on the wire exactly
    assert request.headers["x-acs-version"] == "2022-12-16"
    assert request.headers["authorization"].startswith("ACS3-HMAC-SHA256 Credential=AK,")


@respx.mock
async def test_5xx_gives_up_after_the_bounded_attempts(client: AgencyClient) -> None:
    route = action("GetCreditInfo").mock(return_value=reply(500, {"RequestId": "R", "Code": "InternalError"}))
    with pytest.raises(ProviderUnavailable) as caught:
        await client.get_credit_info(1)
    assert route.call_count == 3
    assert (caught.value.upstream_code, caught.value.request_id, caught.value.http_status) == (
        "InternalError",
        "R",
        500,
    )


@respx.mock
async def test_throttling_honours_retry_after_in_milliseconds(client: AgencyClient, sleeps: Sleeps) -> None:
    throttled = reply(
        400, {"RequestId": "RT", "Code": "Throttling.User", "Message": "flow"}, {"x-acs-retry-after": "1500"}
    )
    route = action("SetCreditLine").mock(side_effect=[throttled, reply(200, OK)])
    await client.set_credit_line(1, "100")  # a write refused before applying is retried
    assert route.call_count == 2
    assert sleeps.waited
    assert sleeps.waited[0] >= 1.5


@respx.mock
async def test_throttling_is_bounded(client: AgencyClient, sleeps: Sleeps) -> None:
    throttled = reply(400, {"RequestId": "RT", "Code": "Throttling.User"}, {"x-acs-retry-after": "200"})
    route = action("GetAccountInfo").mock(return_value=throttled)
    with pytest.raises(ProviderThrottled) as caught:
        await client.get_account_info(1, 20, user_type=1)
    assert route.call_count == 3
    assert len(sleeps.waited) == 2
    assert caught.value.retry_after == 0.2


@respx.mock
async def test_a_write_with_an_unknown_outcome_is_not_retried(client: AgencyClient) -> None:
    route = action("IssueCouponForCustomer").mock(side_effect=httpx.ReadTimeout("lost"))
    with pytest.raises(ProviderUnavailable) as caught:
        await client.issue_coupon_for_customer(77, ["1", "2"], use_benefit=True)
    assert caught.value.outcome_unknown is True
    assert route.call_count == 1
    assert route.calls[0].request.url.params["Uidlist"] == "1,2"
    assert route.calls[0].request.url.params["IsUseBenefit"] == "True"  # as the SDK sends it (A.2.2)


@respx.mock
async def test_a_read_timeout_is_retried(client: AgencyClient) -> None:
    route = action("ListCouponUsage").mock(side_effect=[httpx.ReadTimeout("slow"), reply(200, OK)])
    await client.list_coupon_usage(1, 50)
    assert route.call_count == 2


@respx.mock
async def test_a_write_never_sent_is_retried(client: AgencyClient) -> None:
    route = action("EditEndUserStatus").mock(side_effect=[httpx.ConnectError("refused"), reply(200, OK)])
    await client.edit_end_user_status(1, "postPayFreeze")
    assert route.call_count == 2
    assert route.calls[1].request.method == "GET"  # a mutating GET (A.4.14)


@respx.mock
async def test_malformed_json(client: AgencyClient) -> None:
    action("ListCountries").mock(return_value=reply(200, b"{not json"))
    with pytest.raises(ProviderProtocolError):
        await client.list_countries()


@respx.mock
@pytest.mark.parametrize(
    "body",
    [
        {"RequestId": "RB", "Code": "3040", "Message": "frozen", "Success": False},
        {"RequestId": "RB", "Code": "3040", "Message": "frozen"},  # no Success field (ListCouponUsage)
        {"RequestId": "RB", "Success": False, "Message": "no"},  # no Code (GetSubPartnerList)
        {"RequestId": "RB", "Code": "X", "HttpStatusCode": 403, "Msg": "denied"},  # 2025 envelope
    ],
)
async def test_http_200_business_errors_keep_code_and_request_id(client: AgencyClient, body: dict[str, object]) -> None:
    route = action("SetCreditLine").mock(return_value=reply(200, body))
    with pytest.raises(ProviderError) as caught:
        await client.set_credit_line(1, "5")
    assert (caught.value.upstream_code, caught.value.request_id) == (body.get("Code"), "RB")
    assert route.call_count == 1


@respx.mock
async def test_a_distributor_only_operation_refused_to_a_reseller_is_forbidden_not_auth(client: AgencyClient) -> None:
    body = {"RequestId": "RF", "Code": "Forbidden.NotDistributor", "Message": "no", "Success": False}
    action("InviteSubReseller").mock(return_value=reply(200, body))
    with pytest.raises(ProviderForbidden) as caught:
        await client.invite_sub_reseller([{"AccountNickname": "T2", "EmailAddress": "t2@example.com"}])
    assert caught.value.extensions()["code"] == "PROVIDER_FORBIDDEN"


@respx.mock
async def test_note_operations_send_a_form_body(client: AgencyClient) -> None:
    route = action("CustomerNoteCreate").mock(return_value=reply(200, {"RequestId": "R", "Code": "200", "Data": 5}))
    await client.customer_note_create(111, "hi there", TouchDate=1_700_000_000_000)
    request = route.calls[0].request
    assert request.content == b"CustomerUid=111&NoteContent=hi+there&TouchDate=1700000000000"  # A.2.2
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.url.query == b""
    assert request.headers["x-acs-version"] == "2025-02-27"


@respx.mock
async def test_json_style_and_indexed_lists(client: AgencyClient) -> None:
    orders = action("GetCustomerOrderList").mock(return_value=reply(200, OK))
    await client.get_customer_order_list(1, 10, order_types=["BUY", "RENEW"], OrderCreateAfter=1_700_000_000_000)
    assert orders.calls[0].request.url.params["OrderTypeList"] == '["BUY","RENEW"]'
    status = action("GetInviteStatus").mock(return_value=reply(200, OK))
    await client.get_invite_status([11, 12])
    params = status.calls[0].request.url.params
    assert (params["InviteStatusList.1.InviteId"], params["InviteStatusList.2.InviteId"]) == ("11", "12")
