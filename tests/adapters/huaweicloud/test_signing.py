"""SDK-HMAC-SHA256: the CONTRACTS.md H.2 test vectors and agreement with the official SDK's Signer."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from adapters.huaweicloud import _json
from adapters.huaweicloud._signing import SdkHmacAuth, canonical_request, string_to_sign
from gateway.models import Secret

SDK_UA = "huaweicloud-usdk-python/3.0"
VECTOR_DATE = datetime(2025, 1, 1, tzinfo=UTC)
VECTOR_SIGNED = "content-type;host;user-agent;x-domain-id;x-sdk-date"


def _sign(
    method: str,
    path: str,
    *,
    params: object = None,
    content: bytes = b"",
    ak: str = "testAK",
    sk: str = "testSK",
    domain_id: str = "d0001",
    headers: dict[str, str] | None = None,
) -> httpx.Request:
    auth = SdkHmacAuth(ak, Secret(sk), domain_id, clock=lambda: VECTOR_DATE)
    request = httpx.Request(
        method,
        f"https://bss.myhuaweicloud.com{path}",
        params=params,  # type: ignore[arg-type]
        content=content,
        headers={"Content-Type": "application/json", "User-Agent": SDK_UA, **(headers or {})},
    )
    auth.sign(request)
    return request


def test_get_vector() -> None:
    request = _sign("GET", "/v2/orders/customer-orders", params={"customer_id": "c1", "limit": "10", "offset": "0"})
    assert request.headers["X-Sdk-Date"] == "20250101T000000Z"
    assert request.headers["X-Domain-Id"] == "d0001"
    assert request.headers["Authorization"] == (
        f"SDK-HMAC-SHA256 Access=testAK, SignedHeaders={VECTOR_SIGNED}, "
        "Signature=afbb124a473c4af9a2f4dfbe3b67172d4ee49f274740c06d6c4e5b10a4f1d40c"
    )


def test_get_vector_canonical_request_and_string_to_sign() -> None:
    headers = {
        "content-type": "application/json",
        "host": "bss.myhuaweicloud.com",
        "user-agent": SDK_UA,
        "x-domain-id": "d0001",
        "x-sdk-date": "20250101T000000Z",
    }
    canonical = canonical_request(
        "GET",
        "/v2/orders/customer-orders",
        [("offset", "0"), ("limit", "10"), ("customer_id", "c1")],
        headers,
        VECTOR_SIGNED.split(";"),
        b"",
    )
    assert canonical == (
        "GET\n/v2/orders/customer-orders/\ncustomer_id=c1&limit=10&offset=0\n"
        "content-type:application/json\nhost:bss.myhuaweicloud.com\nuser-agent:huaweicloud-usdk-python/3.0\n"
        "x-domain-id:d0001\nx-sdk-date:20250101T000000Z\n\n"
        f"{VECTOR_SIGNED}\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert string_to_sign(canonical, "20250101T000000Z") == (
        "SDK-HMAC-SHA256\n20250101T000000Z\n82175aba06ab6006ea8139f078225c839c15ee149692a08714c7f3f85047fb29"
    )


def test_post_vector_with_decimal_body() -> None:
    body = _json.dumps({"customer_id": "c1", "amount": Decimal("12.30")})
    assert body == '{"customer_id": "c1", "amount": 12.30}'  # the SDK's simplejson output (H.1)
    request = _sign("POST", "/v2/accounts/partner-accounts/adjust-amount", content=body.encode())
    assert request.headers["Authorization"].endswith(
        "Signature=470d9b63638ba277396759ae2cfd45f1954e250230a2de3712d30f1085c2e871"
    )


def test_transport_headers_are_not_signed() -> None:
    client = httpx.Client(base_url="https://bss.myhuaweicloud.com")
    request = client.build_request("POST", "/v2/partners/sub-customers/query", content=b"{}")
    SdkHmacAuth("ak", Secret("sk"), "d", clock=lambda: VECTOR_DATE).sign(request)
    assert "SignedHeaders=content-type;host;user-agent;x-domain-id;x-sdk-date," in request.headers["Authorization"]


SDK_CASES = [
    pytest.param("GET", "/v2/orders/customer-orders", [("customer_id", "c1"), ("limit", "10")], b"", {}, id="get"),
    pytest.param(
        "GET",
        "/v2/partners/issued-coupon-quotas",
        [("name", "张 三"), ("q", "a+b/c~d*e&f=g"), ("empty", ""), ("offset", "0")],
        b"",
        {},
        id="get-unicode-spaces-reserved",
    ),
    pytest.param(
        "GET", "/v2/systems/configs/cities", [("status", ["2", "10", "1"])], b"", {"X-Language": "zh_CN"}, id="repeat"
    ),
    pytest.param(
        "POST",
        "/v2/partners/sub-customers/query",
        [],
        _json.dumps({"customer": "杭州云帆", "offset": 0, "limit": 100}).encode(),
        {},
        id="post-json",
    ),
    pytest.param(
        "POST",
        "/v2/accounts/partner-accounts/adjust-amount",
        [],
        _json.dumps({"customer_id": "c1", "amount": Decimal("1234567890.123456789")}).encode(),
        {},
        id="post-decimal",
    ),
]


@pytest.mark.parametrize(("method", "path", "query", "body", "extra"), SDK_CASES)
def test_matches_official_sdk_signer(
    method: str, path: str, query: list[tuple[str, object]], body: bytes, extra: dict[str, str]
) -> None:
    ak, sk, domain_id = "HPUAEXAMPLEAK", "example/SK+with=chars", "0a1b2c3d4e5f"
    sdk_request = SdkRequest(
        method=method,
        schema="https",
        host="bss.myhuaweicloud.com",
        resource_path=path,
        query_params=[(key, list(value) if isinstance(value, list) else value) for key, value in query],
        header_params={
            "Content-Type": "application/json",
            "User-Agent": SDK_UA,
            "X-Domain-Id": domain_id,  # GlobalCredentials.sign_request sets it before the Signer (H.1)
            "X-Sdk-Date": "20250101T000000Z",
            **extra,
        },
        body=body or None,
    )
    Signer(GlobalCredentials(ak, sk, domain_id)).sign(sdk_request)

    flat = [(key, item) for key, value in query for item in (value if isinstance(value, list) else [value])]
    ours = _sign(method, path, params=flat, content=body, ak=ak, sk=sk, domain_id=domain_id, headers=extra)
    assert ours.headers["Authorization"] == sdk_request.header_params["Authorization"]
