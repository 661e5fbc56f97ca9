"""The BSS client on failing upstreams (respx): retries for reads and refusals only, never a blind retry
of a money-moving call; throttling honours Retry-After; malformed answers; per-item batch errors."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
import respx

from adapters.huaweicloud._client import BssClient
from adapters.huaweicloud._signing import SdkHmacAuth
from gateway.errors import ProviderError, ProviderProtocolError, ProviderThrottled, ProviderUnavailable
from gateway.models import Secret

from .conftest import ENDPOINT, T1, fixed_clock

BALANCES = ENDPOINT + "/v2/accounts/partner-accounts/balances"
ADJUST = ENDPOINT + "/v2/accounts/partner-accounts/adjust-amount"
COUPONS = ENDPOINT + "/v2/promotions/benefits/partner-coupons"
OK_BALANCES = {"account_balances": [{"account_id": "a", "account_type": 8, "amount": 10.5, "currency": "CNY"}]}
ERROR_5XX = {"error_code": "CBC.0999", "error_msg": "Other errors."}
THROTTLED = {"error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached", "request_id": "r"}


class Sleeps:
    """A no-op sleep that remembers how long it was asked to wait."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def client(sleeps: Sleeps):  # type: ignore[no-untyped-def]
    auth = SdkHmacAuth(T1.access_key, Secret(T1.secret_key), T1.domain_id, clock=fixed_clock())
    async with httpx.AsyncClient(base_url=ENDPOINT) as http:
        yield BssClient(http, auth, partner_id="hw-t1", sleep=sleeps)


def _reply(status: int, body: object, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers={"X-Request-Id": f"rid-{status}", **headers})


@pytest.mark.anyio
async def test_a_read_is_retried_after_a_5xx(respx_mock: respx.Router, client: BssClient, sleeps: Sleeps) -> None:
    route = respx_mock.get(BALANCES).mock(side_effect=[_reply(503, ERROR_5XX), _reply(200, OK_BALANCES)])
    data = await client.list_partner_balances()
    assert route.call_count == 2
    assert data["account_balances"][0]["amount"] == Decimal("10.5")  # a float on the wire, Decimal here
    assert len(sleeps.delays) == 1


@pytest.mark.anyio
async def test_attempts_are_bounded(respx_mock: respx.Router, client: BssClient, sleeps: Sleeps) -> None:
    route = respx_mock.get(BALANCES).mock(return_value=_reply(502, ERROR_5XX))
    with pytest.raises(ProviderUnavailable) as caught:
        await client.list_partner_balances()
    assert route.call_count == 3
    assert (caught.value.upstream_code, caught.value.request_id, caught.value.http_status) == (
        "CBC.0999",
        "rid-502",
        502,
    )


@pytest.mark.anyio
async def test_throttling_waits_at_least_retry_after(
    respx_mock: respx.Router, client: BssClient, sleeps: Sleeps
) -> None:
    route = respx_mock.get(BALANCES).mock(
        side_effect=[_reply(429, THROTTLED, **{"Retry-After": "4"}), _reply(200, OK_BALANCES)]
    )
    await client.list_partner_balances()
    assert route.call_count == 2
    assert sleeps.delays[0] >= 4.0


@pytest.mark.anyio
async def test_throttled_write_is_retried_because_it_was_refused(
    respx_mock: respx.Router, client: BssClient, sleeps: Sleeps
) -> None:
    route = respx_mock.post(ADJUST).mock(
        side_effect=[_reply(429, THROTTLED, **{"Retry-After": "1"}), _reply(200, {"transfer_id": "T1"})]
    )
    assert await client.update_customer_account_amount({"customer_id": "c1", "amount": Decimal("1.00")}) == {
        "transfer_id": "T1"
    }
    assert route.call_count == 2


@pytest.mark.anyio
@pytest.mark.parametrize(
    "failure",
    [_reply(500, ERROR_5XX), httpx.ReadTimeout("read timed out"), httpx.RemoteProtocolError("connection dropped")],
)
async def test_a_write_with_an_unknown_outcome_is_not_retried(
    respx_mock: respx.Router, client: BssClient, sleeps: Sleeps, failure: object
) -> None:
    route = respx_mock.post(ADJUST).mock(side_effect=[failure, _reply(200, {"transfer_id": "T2"})])
    with pytest.raises(ProviderUnavailable) as caught:
        await client.update_customer_account_amount({"customer_id": "c1", "amount": Decimal("1.00")})
    assert caught.value.outcome_unknown
    assert route.call_count == 1  # never resent blindly: the first one may have been applied
    assert sleeps.delays == []


@pytest.mark.anyio
async def test_a_read_timeout_is_retried_and_a_write_never_sent_is_too(
    respx_mock: respx.Router, client: BssClient
) -> None:
    reads = respx_mock.get(BALANCES).mock(side_effect=[httpx.ReadTimeout("slow"), _reply(200, OK_BALANCES)])
    await client.list_partner_balances()
    assert reads.call_count == 2
    writes = respx_mock.post(ADJUST).mock(
        side_effect=[httpx.ConnectError("refused"), _reply(200, {"transfer_id": "T3"})]
    )
    await client.update_customer_account_amount({"customer_id": "c1", "amount": Decimal("1.00")})
    assert writes.call_count == 2  # a connection that never opened applied nothing


@pytest.mark.anyio
async def test_every_call_takes_the_timeout_of_the_client_it_is_given(respx_mock: respx.Router) -> None:
    route = respx_mock.get(BALANCES).mock(return_value=_reply(200, OK_BALANCES))
    auth = SdkHmacAuth(T1.access_key, Secret(T1.secret_key), T1.domain_id, clock=fixed_clock())
    async with httpx.AsyncClient(base_url=ENDPOINT, timeout=httpx.Timeout(7.0, connect=2.0)) as http:
        await BssClient(http, auth, partner_id="hw-t1").list_partner_balances()
    timeouts = route.calls.last.request.extensions["timeout"]
    assert (timeouts["read"], timeouts["connect"]) == (7.0, 2.0)  # the gateway's setting, not the adapter's


@pytest.mark.anyio
@pytest.mark.parametrize("content", [b'{"account_balances": [', b"<html>ok</html>", b"[1, 2]"])
async def test_malformed_json_is_a_protocol_error_and_not_retried(
    respx_mock: respx.Router, client: BssClient, content: bytes
) -> None:
    route = respx_mock.get(BALANCES).mock(
        return_value=httpx.Response(200, content=content, headers={"X-Request-Id": "r"})
    )
    with pytest.raises(ProviderProtocolError) as caught:
        await client.list_partner_balances()
    assert route.call_count == 1
    assert caught.value.request_id == "r"


@pytest.mark.anyio
async def test_per_item_batch_errors_come_back_with_http_200(respx_mock: respx.Router, client: BssClient) -> None:
    body = {
        "coupon_infos": [{"id": "c1", "coupon_id": "CP1"}],
        "error_details": [{"id": "c2", "error_code": "CBC.99006002", "error_msg": "not resale"}],
    }
    route = respx_mock.post(COUPONS).mock(return_value=_reply(200, body))
    data = await client.create_partner_coupons(
        {"quota_id": "Q1", "customer_ids": ["c1", "c2"], "face_value": Decimal("10.00")}
    )
    assert route.calls.last.request.content == (
        b'{"quota_id": "Q1", "customer_ids": ["c1", "c2"], "face_value": 10.00}'  # Decimal as a JSON number
    )
    assert data == body  # both lists, for the writer to turn into a receipt and its failures
    assert route.call_count == 1


@pytest.mark.anyio
async def test_business_refusals_keep_code_and_request_id_and_are_not_retried(
    respx_mock: respx.Router, client: BssClient
) -> None:
    route = respx_mock.post(ADJUST).mock(
        return_value=_reply(400, {"error_code": "CBC.99006001", "error_msg": "Insufficient balance"})
    )
    with pytest.raises(ProviderError) as caught:
        await client.update_customer_account_amount({"customer_id": "c1", "amount": Decimal("9.99")})
    assert type(caught.value) is ProviderError
    assert (caught.value.upstream_code, caught.value.request_id) == ("CBC.99006001", "rid-400")
    assert not caught.value.outcome_unknown
    assert route.call_count == 1


@pytest.mark.anyio
async def test_throttling_code_without_429(respx_mock: respx.Router, client: BssClient) -> None:
    respx_mock.get(BALANCES).mock(return_value=_reply(400, THROTTLED))
    with pytest.raises(ProviderThrottled):
        await client.list_partner_balances()
