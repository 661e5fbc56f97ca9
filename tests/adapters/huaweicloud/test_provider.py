"""HuaweiCloudProvider against the simulator (paging, mapping, auth) and against failing transports."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from adapters.huaweicloud import HuaweiCloudProvider, plugin
from adapters.huaweicloud._mapping import customer_from_wire
from adapters.huaweicloud._plugin import PROGRAM
from adapters.huaweicloud._roles import PartnerRole
from adapters.huaweicloud.simulator import SimAccount, SimulatorState
from gateway.errors import (
    ConfigError,
    InvalidInput,
    ProviderAuthError,
    ProviderError,
    ProviderForbidden,
    ProviderProtocolError,
    ProviderThrottled,
    ProviderUnavailable,
)
from gateway.models import AccountType, CustomerKind, CustomerStatus, PartnerAccount, Secret
from gateway.provider import Capability, Provider
from tests.support.sleeps import Sleeps

from .conftest import ENDPOINT, T1, fixed_clock

TOTAL = 36


def _account(domain_id: str = T1.domain_id, **settings: object) -> PartnerAccount:
    return PartnerAccount(
        id="hw-t1",
        provider="huaweicloud",
        name="T1",
        role=PartnerRole.TIER1_DISTRIBUTOR,
        endpoint=ENDPOINT,
        program=PROGRAM,
        settings={"domain_id": domain_id, **settings},
    )


def _provider(
    http: httpx.AsyncClient,
    sim: SimAccount = T1,
    secret_key: str | None = None,
    sleep: Sleeps | None = None,
    **settings: object,
) -> HuaweiCloudProvider:
    credentials = {"access_key": Secret(sim.access_key), "secret_key": Secret(secret_key or sim.secret_key)}
    account = _account(sim.domain_id, **settings)
    return HuaweiCloudProvider(account, credentials, http, clock=fixed_clock(), sleep=sleep or Sleeps())


class Recorder:
    """Counts upstream requests and keeps their bodies, through httpx event hooks (no patching)."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.request_ids: list[str] = []

    async def on_request(self, request: httpx.Request) -> None:
        self.bodies.append(request.content)

    async def on_response(self, response: httpx.Response) -> None:
        self.request_ids.append(response.headers.get("X-Request-Id", ""))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def http(app: Starlette, recorder: Recorder) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=ENDPOINT,
        event_hooks={"request": [recorder.on_request], "response": [recorder.on_response]},
    ) as client:
        yield client


def _ids(state: SimulatorState) -> list[str]:
    return [c.customer_id for c in state.by_access_key(T1.access_key).customers]  # type: ignore[union-attr]


@pytest.mark.anyio
async def test_is_a_provider_with_list_customers(http: httpx.AsyncClient) -> None:
    provider = _provider(http)
    assert isinstance(provider, Provider)
    assert Capability.LIST_CUSTOMERS in provider.capabilities
    assert not {Capability.LIST_INVITATIONS, Capability.LIST_NOTES} & provider.capabilities  # X.3
    assert provider.account.id == "hw-t1"
    await provider.ping()


@pytest.mark.anyio
async def test_pages_through_all_customers(http: httpx.AsyncClient, state: SimulatorState, recorder: Recorder) -> None:
    page = await _provider(http, page_size=7).list_customers(0, 100)
    assert page.total == TOTAL
    assert [c.native_id for c in page.items] == _ids(state)  # none missing, none duplicated, in order
    assert len(recorder.bodies) == math.ceil(TOTAL / 7)
    assert recorder.bodies[0] == b'{"offset": 0, "limit": 7}'
    assert recorder.bodies[-1] == b'{"offset": 35, "limit": 7}'


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("offset", "limit", "calls"),
    [(5, 10, 2), (6, 8, 2), (7, 7, 1), (0, 1, 1), (34, 10, 1), (30, 6, 1), (36, 5, 1), (50, 5, 1), (3, 0, 1)],
)
async def test_windows_across_page_boundaries(
    http: httpx.AsyncClient, state: SimulatorState, recorder: Recorder, offset: int, limit: int, calls: int
) -> None:
    page = await _provider(http, page_size=7).list_customers(offset, limit)
    assert page.total == TOTAL
    assert [c.native_id for c in page.items] == _ids(state)[offset : offset + limit]
    assert len(recorder.bodies) == calls


@pytest.mark.anyio
async def test_default_page_size_fetches_only_the_window(http: httpx.AsyncClient, recorder: Recorder) -> None:
    page = await _provider(http).list_customers(10, 20)
    assert len(page.items) == 20
    assert recorder.bodies == [b'{"offset": 10, "limit": 20}']


@pytest.mark.anyio
async def test_negative_window_is_invalid_input(http: httpx.AsyncClient) -> None:
    with pytest.raises(InvalidInput):
        await _provider(http).list_customers(-1, 5)


@pytest.mark.anyio
async def test_mapping_against_the_seed(http: httpx.AsyncClient, state: SimulatorState) -> None:
    page = await _provider(http).list_customers(0, 100)
    wires = {c.customer_id: c for c in state.by_access_key(T1.access_key).customers}  # type: ignore[union-attr]
    for customer in page.items:
        wire = wires[customer.native_id]
        assert customer.account_type is {"1": AccountType.ADVISORY, "2": AccountType.RESALE}[wire.association_type]
        assert (
            customer.kind
            is {-1: CustomerKind.UNKNOWN, 0: CustomerKind.INDIVIDUAL, 1: CustomerKind.ENTERPRISE}[wire.customer_type]
        )
        frozen = wire.is_frozen in (1, 2)
        assert customer.status is (CustomerStatus.FROZEN if frozen else CustomerStatus.ASSOCIATED)
        assert customer.name == (wire.customer or wire.account_name)
        assert customer.owner == (wire.account_managers[0] if wire.account_managers else None)
        assert customer.phone == wire.telephone
        assert customer.associated_at is not None
        assert customer.associated_at.strftime("%Y-%m-%dT%H:%M:%SZ") == wire.associated_on
        assert customer.extra["account_name"] == wire.account_name
        assert customer.extra["customer_level"] == wire.customer_level
    assert {c.status for c in page.items} == {CustomerStatus.FROZEN, CustomerStatus.ASSOCIATED}


def test_mapping_never_raises_on_unknown_values() -> None:
    customer = customer_from_wire(
        {
            "customer_id": "c9",
            "account_name": "acct_9",
            "customer": "",
            "association_type": "9",
            "customer_type": 5,
            "is_frozen": 3,
            "associated_on": "yesterday",
            "account_managers": [{"account_name": ""}, "junk", {"account_name": "li_na_sales"}],
        },
        partner_id="p",
    )
    assert customer.name == "acct_9"
    assert customer.account_type is AccountType.UNKNOWN
    assert customer.kind is CustomerKind.UNKNOWN
    assert customer.status is CustomerStatus.ASSOCIATED
    assert customer.associated_at is None
    assert customer.extra["associated_on"] == "yesterday"
    assert customer.owner == "li_na_sales"
    assert customer_from_wire({"customer_id": "c1", "is_frozen": "2"}, partner_id="p").status is CustomerStatus.FROZEN


@pytest.mark.anyio
async def test_bad_credentials_raise_auth_error(http: httpx.AsyncClient, recorder: Recorder) -> None:
    with pytest.raises(ProviderAuthError) as caught:
        await _provider(http, secret_key="wrong-secret").list_customers(0, 10)
    error = caught.value
    assert error.upstream_code == "APIGW.0301"
    assert error.http_status == 401
    assert error.request_id == recorder.request_ids[-1] != ""
    assert error.provider == "huaweicloud"
    assert error.partner_id == "hw-t1"
    assert "wrong-secret" not in str(error)
    assert T1.secret_key not in str(error)


def _mock(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url=ENDPOINT)


def _reply(status: int, body: Any = None, *, text: str | None = None, **headers: str) -> Callable[..., httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"].startswith("SDK-HMAC-SHA256 Access=")
        content = text.encode() if text is not None else None
        return httpx.Response(
            status, json=body if text is None else None, content=content, headers={"X-Request-Id": "rid-1", **headers}
        )

    return handler


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "body", "text", "error_type", "code"),
    [
        (500, {"error_code": "CBC.0999", "error_msg": "Other errors."}, None, ProviderUnavailable, "CBC.0999"),
        (502, None, "<html>Bad Gateway</html>", ProviderUnavailable, "502"),
        (403, {"error_code": "CBC.0151", "error_msg": "Access denied."}, None, ProviderForbidden, "CBC.0151"),
        (400, {"error_code": "CBC.0100", "error_msg": "limit: bad"}, None, ProviderError, "CBC.0100"),
        (400, {"errorCode": "CBC.1", "errorMsg": "camel"}, None, ProviderError, "CBC.1"),
        (400, {"error": {"code": "X.2", "message": "nested"}}, None, ProviderError, "X.2"),
        (429, {"error_code": "APIGW.0308", "error_msg": "throttled"}, None, ProviderThrottled, "APIGW.0308"),
    ],
)
async def test_http_errors_are_translated(
    status: int, body: Any, text: str | None, error_type: type[ProviderError], code: str
) -> None:
    async with _mock(_reply(status, body, text=text)) as http:
        with pytest.raises(ProviderError) as caught:
            await _provider(http).list_customers(0, 10)
    assert type(caught.value) is error_type
    assert caught.value.upstream_code == code
    assert caught.value.request_id == "rid-1"
    assert caught.value.http_status == status
    assert caught.value.outcome_unknown is (status >= 500)


@pytest.mark.anyio
async def test_throttling_honours_retry_after() -> None:
    sleeps, requests = Sleeps(), []

    def throttled(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return _reply(429, None, text="slow down", **{"Retry-After": "3"})(request)

    async with _mock(throttled) as http:
        with pytest.raises(ProviderThrottled) as caught:
            await _provider(http, sleep=sleeps).ping()
    assert caught.value.retry_after == 3.0
    assert caught.value.retryable
    assert len(requests) == 3  # the policy's attempts, each after the wait the upstream asked for
    assert sleeps.delays == [3.0, 3.0]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("exc", "outcome_unknown"),
    [
        (httpx.ReadTimeout("read timed out"), True),
        (httpx.RemoteProtocolError("peer closed connection"), True),
        (httpx.ConnectTimeout("connect timed out"), False),
        (httpx.ConnectError("connection refused"), False),
    ],
)
async def test_transport_failures_are_unavailable(exc: httpx.TransportError, outcome_unknown: bool) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    async with _mock(handler) as http:
        with pytest.raises(ProviderUnavailable) as caught:
            await _provider(http).list_customers(0, 10)
    assert caught.value.outcome_unknown is outcome_unknown
    assert isinstance(caught.value.__cause__, httpx.TransportError)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "text",
    ['{"count": 3, "customer_infos": [', "[]", '{"customer_infos": []}', '{"count": 1, "customer_infos": {}}'],
)
async def test_unreadable_answers_are_protocol_errors(text: str) -> None:
    async with _mock(_reply(200, None, text=text)) as http:
        with pytest.raises(ProviderProtocolError):
            await _provider(http).list_customers(0, 10)


@pytest.mark.anyio
async def test_client_keeps_decimals() -> None:
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        return httpx.Response(200, content=b'{"count": 0, "customer_infos": [], "amount": 12.30}')

    async with _mock(handler) as http:
        client = _provider(http).client
        data = await client.list_sub_customers({"amount": Decimal("0.10")})
    assert seen == [b'{"amount": 0.10}']
    assert data["amount"] == Decimal("12.30")
    assert isinstance(data["amount"], Decimal)


@pytest.mark.anyio
async def test_configuration_errors() -> None:
    async with _mock(_reply(200, {})) as http:
        with pytest.raises(ConfigError, match="domain_id"):
            _provider(http, T1.__class__(T1.access_key, T1.secret_key, ""))
        for bad in (0, 101, "10", True):
            with pytest.raises(ConfigError, match="page_size"):
                _provider(http, page_size=bad)
        with pytest.raises(ConfigError, match="secret_key"):
            HuaweiCloudProvider(_account(), {"access_key": Secret("ak")}, http)


@pytest.mark.anyio
async def test_plugin_demo_works_end_to_end() -> None:
    demo = plugin.demo()
    assert demo.account.id == "huaweicloud-demo"
    assert demo.account.role == PartnerRole.TIER1_DISTRIBUTOR
    assert all(isinstance(value, Secret) for value in demo.credentials.values())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=demo.app), base_url=demo.account.endpoint) as http:
        provider = plugin.create(demo.account, demo.credentials, http)
        page = await provider.list_customers(0, 3)
    assert page.total >= 30
    assert len(page.items) == 3
