"""The BSS simulator: API Gateway refusals in Huawei's real shape, validation errors, list_sub_customers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from adapters.huaweicloud._signing import SdkHmacAuth
from adapters.huaweicloud.simulator import SimulatorState, create_app
from gateway.models import Secret

from .conftest import ENDPOINT, NOW, OTHER_T1, SEED, T1, T2, fixed_clock, signed_client

QUERY = "/v2/partners/sub-customers/query"


async def _post(client: httpx.AsyncClient, body: Any) -> httpx.Response:
    return await client.post(QUERY, json=body)


def _assert_gateway_refusal(response: httpx.Response, status: int, code: str, message_part: str) -> None:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error_msg", "error_code", "request_id"}  # API Gateway's shape
    assert body["error_code"] == code
    assert message_part in body["error_msg"]
    assert body["error_msg"].startswith("Incorrect IAM authentication information: ") or code != "APIGW.0301"
    assert response.headers["X-Request-Id"] == body["request_id"]
    assert len(body["request_id"]) == 32


@pytest.mark.anyio
async def test_signed_request_lists_customers(app: Starlette) -> None:
    async with signed_client(app) as client:
        response = await _post(client, {})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert len(response.headers["X-Request-Id"]) == 32
    body = response.json()
    assert body["count"] == 36
    assert len(body["customer_infos"]) == 10  # default limit (H.4.2)


@pytest.mark.anyio
async def test_wrong_signature_is_refused(app: Starlette) -> None:
    async with signed_client(app, secret_key="not-the-secret") as client:
        response = await _post(client, {})
    _assert_gateway_refusal(response, 401, "APIGW.0301", "verify aksk signature fail")


@pytest.mark.anyio
async def test_tampered_body_is_refused(app: Starlette) -> None:
    auth = SdkHmacAuth(T1.access_key, Secret(T1.secret_key), T1.domain_id, clock=fixed_clock())
    signed = httpx.Request("POST", ENDPOINT + QUERY, content=b'{"limit": 1}')
    auth.sign(signed)
    tampered = httpx.Request("POST", ENDPOINT + QUERY, content=b'{"limit": 2}', headers=signed.headers)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        response = await client.send(tampered)
    _assert_gateway_refusal(response, 401, "APIGW.0301", "verify aksk signature fail")


@pytest.mark.anyio
async def test_unknown_access_key_is_refused(app: Starlette) -> None:
    stranger = T1.__class__("AKUNKNOWN0000000000", "whatever", T1.domain_id)
    async with signed_client(app, stranger) as client:
        response = await _post(client, {})
    _assert_gateway_refusal(response, 401, "APIGW.0301", "err:ak not exist")
    assert "whatever" not in response.text


@pytest.mark.anyio
@pytest.mark.parametrize("skew", [timedelta(minutes=16), -timedelta(minutes=16)])
async def test_stale_sdk_date_is_refused(app: Starlette, skew: timedelta) -> None:
    async with signed_client(app, clock=fixed_clock(NOW - skew)) as client:
        response = await _post(client, {})
    _assert_gateway_refusal(response, 401, "APIGW.0301", "signature expired")
    assert "server time:20250301T080000Z" in response.json()["error_msg"]


@pytest.mark.anyio
async def test_sdk_date_within_fifteen_minutes_is_accepted(app: Starlette) -> None:
    async with signed_client(app, clock=fixed_clock(NOW - timedelta(minutes=14))) as client:
        response = await _post(client, {})
    assert response.status_code == 200


@pytest.mark.anyio
async def test_wrong_domain_id_is_refused(app: Starlette) -> None:
    async with signed_client(app, domain_id=OTHER_T1.domain_id) as client:
        response = await _post(client, {})
    _assert_gateway_refusal(response, 401, "APIGW.0301", "X-Domain-Id")


@pytest.mark.anyio
async def test_missing_authorization_is_refused(app: Starlette) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ENDPOINT) as client:
        response = await client.post(QUERY, json={}, headers={"X-Domain-Id": T1.domain_id})
    _assert_gateway_refusal(response, 401, "APIGW.0301", "x-auth-token not found")


@pytest.mark.anyio
async def test_signed_headers_must_include_host(app: Starlette) -> None:
    auth = SdkHmacAuth(T1.access_key, Secret(T1.secret_key), T1.domain_id, clock=fixed_clock())
    request = httpx.Request("POST", ENDPOINT + QUERY, content=b"{}")
    auth.sign(request)
    request.headers["Authorization"] = request.headers["Authorization"].replace("host;", "")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        response = await client.send(request)
    _assert_gateway_refusal(response, 401, "APIGW.0301", "verify aksk signature fail")


@pytest.mark.anyio
async def test_unknown_api_is_404(app: Starlette) -> None:
    async with signed_client(app) as client:
        response = await client.post("/v2/partners/sub-customers/nope", json={})
    _assert_gateway_refusal(response, 404, "APIGW.0101", "does not exist")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"limit": 101}, "limit: must be less than or equal to 100"),
        ({"limit": 0}, "limit: must be greater than or equal to 1"),
        ({"offset": -1}, "offset: must be greater than or equal to 0"),
        ({"limit": "10"}, "limit: must be an integer"),
        ({"limit": True}, "limit: must be an integer"),
        ({"customer_id": 7}, "customer_id: must be a string"),
        ({"association_type": "3"}, "association_type: must be 1 or 2"),
        ({"associated_on_begin": ""}, "associated_on_begin: must be a UTC time yyyy-MM-ddTHH:mm:ssZ"),
        ([1, 2], "body: must be a JSON object"),
    ],
)
async def test_validation_error_shape(app: Starlette, body: Any, message: str) -> None:
    async with signed_client(app) as client:
        response = await _post(client, body)
    assert response.status_code == 400
    assert response.json() == {"error_code": "CBC.0100", "error_msg": message}  # H.3 canonical shape
    assert len(response.headers["X-Request-Id"]) == 32


@pytest.mark.anyio
async def test_filters(app: Starlette, state: SimulatorState) -> None:
    customers = state.by_access_key(T1.access_key).customers  # type: ignore[union-attr]
    named = next(c for c in customers if c.customer)
    async with signed_client(app) as client:
        advisory = (await _post(client, {"association_type": "1", "limit": 100})).json()
        by_name = (await _post(client, {"customer": named.customer[1:3], "limit": 100})).json()  # type: ignore[index]
        by_account = (await _post(client, {"account_name": named.account_name[2:-2]})).json()
        by_id = (await _post(client, {"customer_id": named.customer_id})).json()
        window = (await _post(client, {"associated_on_end": customers[4].associated_on, "limit": 100})).json()
    assert advisory["count"] == sum(c.association_type == "1" for c in customers) > 0
    assert {info["association_type"] for info in advisory["customer_infos"]} == {"1"}
    assert named.customer_id in {info["customer_id"] for info in by_name["customer_infos"]}
    assert named.customer_id in {info["customer_id"] for info in by_account["customer_infos"]}
    assert by_id["count"] == 1
    assert by_id["customer_infos"][0] == named.to_wire()
    assert window["count"] == 5


@pytest.mark.anyio
async def test_tier1_lists_its_tier2_customers(app: Starlette, state: SimulatorState) -> None:
    t2_ids = [c.customer_id for c in state.by_access_key(T2.access_key).customers]  # type: ignore[union-attr]
    async with signed_client(app) as client:
        mine = (await _post(client, {"indirect_partner_id": T2.domain_id, "limit": 100})).json()
        refused = await _post(client, {"indirect_partner_id": OTHER_T1.domain_id})
    assert [info["customer_id"] for info in mine["customer_infos"]] == t2_ids
    assert refused.status_code == 400
    assert refused.json()["error_code"] == "CBC.0100"


def test_seed_is_deterministic_and_varied() -> None:
    def wires(seed: int) -> list[dict[str, Any]]:
        simulator: SimulatorState = create_app([T1, T2], seed=seed).state.simulator
        return [c.to_wire() for p in simulator.partners for c in p.customers]

    assert wires(SEED) == wires(SEED)
    assert wires(SEED) != wires(SEED + 1)
    customers = wires(SEED)[:36]
    assert len(customers) >= 30
    assert {c["association_type"] for c in customers} == {"1", "2"}
    assert {c["customer_type"] for c in customers} == {-1, 0, 1}
    assert {c["is_frozen"] for c in customers} >= {0, 1}
    assert len({c["verified_status"] for c in customers}) >= 3
    assert {c["customer_level"] for c in customers} <= {"V0", "V1", "V2", "V3", "V4", "V5"}
    assert all(c["telephone"].startswith("13") and len(c["telephone"]) == 11 for c in customers)
    assert any("有限公司" in (c.get("customer") or "") for c in customers)
    assert len({c["customer_id"] for c in customers}) == 36
