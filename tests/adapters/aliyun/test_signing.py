"""ACS3-HMAC-SHA256: the CONTRACTS.md A.2.1 vector, and parity with the official SDK's signer."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from alibabacloud_tea_openapi.utils import Utils as SdkUtils
from darabonba.request import DaraRequest
from darabonba.utils.form import Form as SdkForm

from adapters.aliyun._client import flatten_params
from adapters.aliyun._signing import (
    EMPTY_BODY_SHA256,
    Acs3Signer,
    authorization,
    canonical_request,
    sha256_hex,
    signature,
)
from gateway.models import Secret

VECTOR_UA = "AlibabaCloud (Linux; x86_64) Python/3.11.0 Core/0.4.3 TeaDSL/2"
VECTOR_DATE = datetime(2025, 1, 1, tzinfo=UTC)
VECTOR_NONCE = "3156853299f313e23d1673dc12e1703d"
VECTOR_AUTHORIZATION = (
    "ACS3-HMAC-SHA256 Credential=testAK,SignedHeaders=accept;host;user-agent;x-acs-action;"
    "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,"
    "Signature=82b803a06b9ec29d6b7df8550d4e463ce0ea1c595984a9687fd9081c8c59dcac"
)


def signer(ak: str = "testAK", sk: str = "testSecret") -> Acs3Signer:
    return Acs3Signer(ak, Secret(sk), clock=lambda: VECTOR_DATE, nonce=lambda: VECTOR_NONCE)


def signed_request(
    method: str,
    params: dict[str, object],
    action: str,
    *,
    body: bytes = b"",
    auth: Acs3Signer | None = None,
    base_url: str = "https://agency.aliyuncs.com",
) -> httpx.Request:
    headers = {
        "x-acs-action": action,
        "x-acs-version": "2022-12-16",
        "accept": "application/json",
        "user-agent": VECTOR_UA,
    }
    if body:
        headers["content-type"] = "application/x-www-form-urlencoded"
    with httpx.Client(base_url=base_url) as client:
        request = client.build_request(method, "/", params=flatten_params(params), headers=headers, content=body)
    (auth or signer()).sign(request)
    return request


def test_contract_vector_with_pure_functions() -> None:
    headers = {
        "accept": ["application/json"],
        "host": ["agency.aliyuncs.com"],
        "user-agent": [VECTOR_UA],
        "x-acs-action": ["SetCreditLine"],
        "x-acs-content-sha256": [EMPTY_BODY_SHA256],
        "x-acs-date": ["2025-01-01T00:00:00Z"],
        "x-acs-signature-nonce": [VECTOR_NONCE],
        "x-acs-version": ["2022-12-16"],
    }
    canonical = canonical_request(
        "POST", "/", [("Uid", "1234567890"), ("CreditLine", "100")], headers, list(headers), EMPTY_BODY_SHA256
    )
    assert sha256_hex(canonical.encode()) == "883fc8d2038435a492cd585c9fb637609b3d87a44fed4475236a6c26fc94d05c"
    assert authorization("testAK", list(headers), signature("testSecret", canonical)) == VECTOR_AUTHORIZATION


def test_contract_vector_through_the_httpx_signer() -> None:
    request = signed_request("POST", {"CreditLine": 100, "Uid": 1234567890}, "SetCreditLine")
    assert request.headers["Authorization"] == VECTOR_AUTHORIZATION
    assert request.headers["x-acs-content-sha256"] == EMPTY_BODY_SHA256
    assert request.headers["x-acs-date"] == "2025-01-01T00:00:00Z"
    assert "content-type" not in request.headers


def sdk_authorization(request: httpx.Request, params: dict[str, str], ak: str, secret: str) -> str:
    """What the SDK computes (utils.py:431) for the same method, query and the headers we sent."""
    sdk_request = DaraRequest()
    sdk_request.method = request.method
    sdk_request.pathname = "/"
    sdk_request.query = params
    signed = request.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    sdk_request.headers = {name: request.headers[name] for name in signed}
    payload = request.headers["x-acs-content-sha256"]
    return str(SdkUtils.get_authorization(sdk_request, "ACS3-HMAC-SHA256", payload, ak, secret))


CASES = [
    pytest.param("GET", {"CurrentPage": 1, "PageSize": 20, "UserType": "1"}, "GetAccountInfo", id="get"),
    pytest.param("POST", {"Uid": 2**53 + 1, "CreditLine": "100.50"}, "SetCreditLine", id="post-empty-body"),
    pytest.param(
        "GET",
        {"Remark": "a b+c/d~e*f'g(h)!&=?#%", "Name": "杭州云栖科技有限公司", "Empty": ""},
        "GetAccountInfo",
        id="special-characters",
    ),
    pytest.param(
        "POST",
        {"AccountInfoList": [{"AccountNickname": "张 三", "SubAccountType": 1}, {"EmailAddress": "a+b@c.cn"}]},
        "InviteSubAccount",
        id="flattened-list",
    ),
    pytest.param(
        "POST", {"IsUseBenefit": True, "Filter": {"Key": "v w"}}, "IssueCouponForCustomer", id="bool-and-object"
    ),
]


@pytest.mark.parametrize(("method", "params", "action"), CASES)
def test_signature_equals_the_official_sdk(method: str, params: dict[str, object], action: str) -> None:
    request = signed_request(method, params, action, auth=signer("LTAI5tParity", "parity-secret"))
    flat = SdkUtils.query(params)  # the SDK's own flattening (A.2.2)
    assert flatten_params(params) == flat
    expected = sdk_authorization(request, flat, "LTAI5tParity", "parity-secret")
    assert request.headers["Authorization"] == expected


def test_form_body_signature_equals_the_official_sdk() -> None:
    """CustomerNote* send a form body (A.2.2): content-type is signed and the payload hash is the body's."""
    body = SdkForm.to_form_string({"CustomerUid": "111", "NoteContent": "hi there 你好"}).encode()
    request = signed_request("POST", {}, "CustomerNoteCreate", body=body)
    assert request.headers["x-acs-content-sha256"] == sha256_hex(body)
    assert "content-type" in request.headers["Authorization"]
    assert request.headers["Authorization"] == sdk_authorization(request, {}, "testAK", "testSecret")


def test_host_with_port_is_signed_as_sent() -> None:
    request = signed_request("GET", {"CurrentPage": 1}, "GetAccountInfo", base_url="http://127.0.0.1:8101")
    assert request.headers["host"] == "127.0.0.1:8101"
    assert request.headers["Authorization"] == sdk_authorization(request, {"CurrentPage": "1"}, "testAK", "testSecret")


def test_transport_headers_are_not_signed() -> None:
    request = signed_request("GET", {"CurrentPage": 1}, "GetAccountInfo")
    signed = request.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0]
    assert (
        signed
        == "accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
    )


def test_the_secret_never_shows() -> None:
    auth = Acs3Signer("AK", Secret("very-secret-value"))
    assert "very-secret-value" not in repr(vars(auth))
