"""The trust boundary's regressions (issue 10): each a case the generated-input test or the issue found."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.config_tables import LimitsConfig, parse_table
from gateway.errors import ConfigError, InvalidInput
from gateway.ids import decode_global_id, decode_number_id, encode_global_id
from gateway.projects import file_project, link_opportunity, set_win_rate
from gateway.registry import Registry
from gateway.request_guard import RequestGuard
from gateway.schema.results import client_field
from gateway.schema.scalars import parse_decimal
from gateway.schema.validation import check_text
from gateway.testing import running
from tests.support.answers import without_cost
from tests.support.fakes import FakePlugin
from tests.support.mutations_demo import ALIYUN, HUAWEI, demo, global_id, key, partner_id
from tests.test_app import config_for

SPEC = {"accept": "application/graphql-response+json"}
NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    config = dataclasses.replace(config_for("one"), limits=LimitsConfig(max_body_bytes=2048))
    async with running(create_app(config, Registry([FakePlugin({"one": 5})]))) as client:
        yield client


def test_max_body_bytes_defaults_to_one_mib_and_is_bounded() -> None:
    assert LimitsConfig().max_body_bytes == 1_048_576
    with pytest.raises(ConfigError, match=r"^limits\.max_body_bytes: "):
        parse_table(LimitsConfig, {"max_body_bytes": 10}, "limits")


@pytest.mark.anyio
async def test_a_body_over_the_limit_is_413_before_it_is_parsed(client: httpx.AsyncClient) -> None:
    big = b'{"query":"{ __typename }","variables":{"x":"' + b"x" * 4000 + b'"}}'
    response = await client.post("/graphql", content=big, headers={"content-type": "application/json", **SPEC})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while read
        for _ in range(10):
            yield b" " * 500

    response = await client.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"null", 400, "must be a JSON object"),
        (b"[" * 900 + b"]" * 900, 400, "nested more than"),
        (b'{"query":"\xff"}', 400, "not valid UTF-8"),
        (b'{"query":"{ __typename }","variables":{"x":NaN}}', 400, "not valid JSON"),
        (b'{"query":"{ __typename }","variables":{"x":1e309}}', 400, "out of range"),
        (b'{"query":"{ __typename }","operationName":7}', 400, "operationName must be a string"),
        (b'{"query":"{ __typename }","variables":[]}', 400, "variables must be an object"),
    ],
)
async def test_a_malformed_body_is_a_400_bad_request(
    client: httpx.AsyncClient, body: bytes, status: int, says: str
) -> None:
    response = await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    (error,) = response.json()["errors"]
    assert says in error["message"]
    assert error["extensions"] == {"code": "BAD_REQUEST"}


@pytest.mark.anyio
async def test_a_body_that_is_not_json_is_415(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", content=b"{ __typename }", headers={"content-type": "text/plain"})
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.anyio
async def test_get_parameters_are_checked_like_a_body(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ __typename }", "variables": "[1]"})
    assert response.status_code == 400
    assert "variables must be an object" in response.json()["errors"][0]["message"]
    ok = await client.get("/graphql", params={"query": "{ __typename }", "variables": "{}"})
    assert (ok.status_code, without_cost(ok.json())) == (200, {"data": {"__typename": "Query"}})


@pytest.mark.parametrize("text", ["NaN", "-Infinity", "sNaN", "1e309", "9" * 60, "1e-400", "1,000", "", "abc"])
def test_the_decimal_scalar_refuses_what_is_no_amount(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_decimal(text)


def test_the_decimal_scalar_keeps_amounts_exact_and_refuses_lossy_floats() -> None:
    assert parse_decimal("12.30") == Decimal("12.30")
    assert str(parse_decimal(0.1)) == "0.1"
    assert parse_decimal(10**20) == Decimal(10**20)
    with pytest.raises(InvalidInput, match="as a string"):
        parse_decimal(0.30000000000000004)
    with pytest.raises(InvalidInput):
        parse_decimal(float("nan"))
    with pytest.raises(InvalidInput):
        parse_decimal(True)


def test_a_global_id_error_names_the_argument_as_written() -> None:
    with pytest.raises(InvalidInput) as caught:
        decode_global_id(encode_global_id("Partner", "one"), "Customer", 2, "input.customerId")
    assert caught.value.field == "input.customerId"
    with pytest.raises(InvalidInput, match="at most"):
        decode_global_id("x" * 5000, "Customer", 2, "customerId")
    with pytest.raises(InvalidInput):
        decode_global_id(encode_global_id("Customer", "one", "a\x00b"), "Customer", 2)


@pytest.mark.parametrize("number", ["9" * 30, "１２３", "١٢٣", "-1", "1e3"])
def test_a_project_id_is_a_64_bit_ascii_number(number: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        decode_number_id(encode_global_id("Project", number), "Project", "projectId")
    assert caught.value.field == "projectId"
    assert decode_number_id(encode_global_id("Project", "42"), "Project") == "42"


def test_win_rate_and_opportunity_ids_are_refused_as_input() -> None:
    filing = {
        "account_id": "one",
        "provider": "fake",
        "approval_required": False,
        "customer_id": "c1",
        "customer_name": "客户",
        "name": "数据中台",
        "actor": "admin",
        "now": NOW,
    }
    with pytest.raises(InvalidInput) as refused:
        file_project(**filing, win_rate=Decimal("NaN"))  # type: ignore[arg-type]
    assert refused.value.field == "input.winRate"
    project = file_project(**filing)  # type: ignore[arg-type]
    for rate in (Decimal("NaN"), Decimal("Infinity"), Decimal("1E+309"), Decimal("100.001")):
        with pytest.raises(InvalidInput) as caught:
            set_win_rate(project, rate, actor="admin", now=NOW)
        assert caught.value.field == "winRate"
    for opportunity in ("１２３", "١٢٣", "9" * 30, ""):
        with pytest.raises(InvalidInput, match="opportunity"):
            link_opportunity(project, opportunity, actor="admin", now=NOW)


@dataclasses.dataclass
class _Input:
    verification_code: str | None = None
    partner_id: str | None = None


def test_an_error_field_is_the_argument_path_the_client_wrote() -> None:
    inputs = {"input": _Input()}
    assert client_field("verification_code", inputs) == "input.verificationCode"
    assert client_field("partnerId", inputs) == "input.partnerId"
    assert client_field("idempotency_key", inputs) == "idempotencyKey"  # an argument of its own
    assert client_field("input.customerId", inputs) == "input.customerId"
    assert client_field(None, inputs) is None


@pytest.mark.anyio
async def test_odd_upstream_ids_and_codes_are_refused_before_any_upstream_call() -> None:
    async with demo() as gw:
        before = gw.requests(ALIYUN), gw.requests(HUAWEI)
        for uid in ("9" * 30, "١٢٣", "１２３"):
            refused = await gw.one(
                """mutation($id: ID!, $key: String!) {
                  setCreditLine(customerId: $id, amount: {amount: "10", currency: "CNY"}, idempotencyKey: $key) {
                    __typename ... on InvalidInputError { field } ... on RuleViolationError { field }
                  }
                }""",
                id=global_id("Customer", ALIYUN, uid),
                key=key(),
            )
            assert refused["field"] == "customerId", refused  # no such customer, or no UID at all
        response = await gw.client.post(
            "/graphql",
            json={"query": '{ regions(provider: "huaweicloud", level: CITY, parentCode: "../11;x") { code } }'},
            headers={"authorization": "Bearer k-admin"},
        )
        (error,) = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["field"] == "parentCode"
        assert (gw.requests(ALIYUN), gw.requests(HUAWEI)) == before, gw.counted[ALIYUN].counts


@dataclasses.dataclass
class _Money:
    currency: str = "CNY"


@dataclasses.dataclass
class _Filing:
    name: str = "数据中台"
    description: str | None = None
    credit_line: _Money | None = None


def test_input_text_has_a_length_limit_and_no_nul() -> None:
    check_text(_Filing(description="d" * 2000, credit_line=_Money()))
    with pytest.raises(InvalidInput, match="at most 200 characters, not 201") as long_name:
        check_text(_Filing(name="n" * 201))
    assert long_name.value.field == "input.name"
    with pytest.raises(InvalidInput) as nul:
        check_text(_Filing(credit_line=_Money(currency="C\x00Y")))
    assert nul.value.field == "input.creditLine.currency"


@pytest.mark.anyio
async def test_an_over_long_name_is_refused_before_any_upstream_call() -> None:
    async with demo() as gw:
        refused = await gw.one(
            """mutation($input: CreateCustomerInput!, $key: String!) {
              createCustomer(input: $input, idempotencyKey: $key) { __typename ... on InvalidInputError { field } }
            }""",
            input={"partnerId": partner_id(ALIYUN), "name": "名" * 5000, "accountType": "RESALE", "email": "a@b.cn"},
            key=key(),
        )
        assert refused == {"__typename": "InvalidInputError", "field": "input.name"}
        assert gw.requests(ALIYUN) == 0


@pytest.mark.anyio
async def test_a_server_bug_behind_the_guard_is_a_logged_500_internal_in_json(caplog: pytest.LogCaptureFixture) -> None:
    async def broken(scope: Any, receive: Any, send: Any) -> None:
        raise AttributeError("a bug, not the input's fault")

    transport = httpx.ASGITransport(app=RequestGuard(broken, 1024))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as plain:
        response = await plain.post("/graphql", json={"query": "{ __typename }"}, headers=SPEC)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    assert without_cost(response.json()) == {
        "errors": [{"message": "Internal server error", "extensions": {"code": "INTERNAL"}}]
    }
    assert any(record.exc_info and "a bug" in str(record.exc_info[1]) for record in caplog.records)


@pytest.mark.anyio
async def test_a_literal_the_decimal_scalar_refuses_names_its_argument(client: httpx.AsyncClient) -> None:
    customer = encode_global_id("Customer", "one", "one-0")
    for literal, field in (
        ('amount: {amount: "1e309", currency: "CNY"}', "amount.amount"),
        ('amount: {amount: "NaN"}', "amount.amount"),
    ):
        document = (
            f'mutation {{ transferFunds(customerId: "{customer}", {literal}, idempotencyKey: "k") {{ __typename }} }}'
        )
        body = (await client.post("/graphql", json={"query": document}, headers=SPEC)).json()
        [error] = body["errors"]
        assert (error["extensions"]["code"], error["extensions"]["field"]) == ("BAD_USER_INPUT", field), error
