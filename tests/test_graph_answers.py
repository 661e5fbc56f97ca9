"""Answers where things happen, over fake providers: a failure nulls only its own field, money shows at its
currency's scale, and one table maps each error class to its GraphQL type."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import httpx
import pytest

from gateway import errors
from gateway.app import create_app
from gateway.errors import GatewayError, InvalidInput, ProviderError, ProviderThrottled, Reason, StoreUnavailable
from gateway.ids import encode_global_id
from gateway.models import Funds, LedgerEntry, LedgerKind, Money, Page, PriceQuote, PriceRequest, Region, RegionLevel
from gateway.registry import Registry
from gateway.schema.results import RESULTS, error_result
from gateway.testing import running
from tests.support.fakes import FakePlugin, FakeProvider, cny, unavailable
from tests.test_app import config_for

pytestmark = pytest.mark.anyio


@pytest.fixture
def plugin() -> FakePlugin:
    return FakePlugin({"one": 6, "two": 3})


@pytest.fixture
async def client(plugin: FakePlugin) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(config_for("one", "two"), Registry([plugin]))) as test_client:
        yield test_client


async def ask(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# -- failures where they happen ------------------------------------------------------------------------------


async def test_a_failing_upstream_nulls_only_its_root_field(client: httpx.AsyncClient, plugin: FakePlugin) -> None:
    async def regions_down(level: RegionLevel, parent_code: str | None = None) -> tuple[Region, ...]:
        raise unavailable("one")

    async def quotes_down(request: PriceRequest) -> PriceQuote:
        raise unavailable("one")

    provider = plugin.created["one"]
    provider.list_regions = regions_down  # type: ignore[method-assign]
    provider.quote_price = quotes_down  # type: ignore[method-assign]
    body = await ask(
        client,
        """query($partner: ID!) {
          regions(provider: "fake", level: PROVINCE) { code }
          priceQuote(partnerId: $partner, customerProjectId: "p", items: [{region: "r", serviceType: "s",
            resourceType: "t", resourceSpec: "x"}]) { amount { amount } }
          partners { totalCount }
        }""",
        partner=encode_global_id("Partner", "one"),
    )
    assert body["data"] == {"regions": None, "priceQuote": None, "partners": {"totalCount": 2}}
    assert sorted((e["path"], e["extensions"]["code"]) for e in body["errors"]) == [
        (["priceQuote"], "PROVIDER_UNAVAILABLE"),
        (["regions"], "PROVIDER_UNAVAILABLE"),
    ]


async def test_one_customers_failed_balance_fails_only_its_field(client: httpx.AsyncClient, plugin: FakePlugin) -> None:
    async def funds(customer_ids: Sequence[str]) -> Mapping[str, Funds | ProviderError]:
        answer: dict[str, Funds | ProviderError] = {i: Funds(i, cny("12.5")) for i in customer_ids}
        answer["one-2"] = unavailable("one")  # one item of the batch failed upstream
        return answer

    plugin.created["one"].customer_funds = funds  # type: ignore[method-assign]
    body = await ask(client, "{ customers(first: 6) { nodes { nativeId balance { amount currency } } } }")
    nodes = body["data"]["customers"]["nodes"]
    balances = {n["nativeId"]: n["balance"] for n in nodes}
    assert balances.pop("one-2") is None
    assert all(b == {"amount": "12.50", "currency": "CNY"} for b in balances.values())
    [error] = body["errors"]
    assert error["path"] == ["customers", "nodes", 2, "balance"]
    assert error["extensions"]["code"] == "PROVIDER_UNAVAILABLE"


async def test_a_customer_whose_orders_cannot_be_read_leaves_the_page_standing(
    client: httpx.AsyncClient, plugin: FakePlugin
) -> None:
    provider: FakeProvider = plugin.created["one"]
    list_orders = provider.list_orders

    async def orders(offset: int, limit: int, **where: Any) -> Any:
        if where.get("customer_id") == "one-1":  # like an invitation row: it has no orders to ask for
            raise InvalidInput("not a customer id this upstream has orders for", field="customerId")
        return await list_orders(offset, limit, **where)

    provider.list_orders = orders  # type: ignore[method-assign]
    body = await ask(client, "{ customers(first: 3) { nodes { nativeId orders { totalCount } } } }")
    nodes = body["data"]["customers"]["nodes"]
    assert [n["orders"] for n in nodes] == [{"totalCount": 1}, None, {"totalCount": 1}]
    [error] = body["errors"]
    assert (error["path"], error["extensions"]["code"]) == (["customers", "nodes", 1, "orders"], "BAD_USER_INPUT")


# -- money at its currency's scale ---------------------------------------------------------------------------


async def test_money_is_shown_at_its_currencys_scale_and_quotes_as_the_upstream_gave_them(
    client: httpx.AsyncClient, plugin: FakePlugin
) -> None:
    async def ledger(offset: int, limit: int) -> Page[LedgerEntry]:
        entries = (
            LedgerEntry("l1", LedgerKind.ALLOCATION, Money(Decimal("7028"), "CNY")),
            LedgerEntry("l2", LedgerKind.ALLOCATION, Money(Decimal("18465.1"), "USD")),
            LedgerEntry("l3", LedgerKind.ALLOCATION, Money(Decimal("0"), "CNY")),
            LedgerEntry("l4", LedgerKind.ALLOCATION, Money(Decimal("0.125"), "CNY")),  # finer: never rounded
            LedgerEntry("l5", LedgerKind.ALLOCATION, Money(Decimal("500"), "JPY")),  # no minor unit
            LedgerEntry("l6", LedgerKind.ALLOCATION, Money(Decimal("1.5"), "XAU")),  # not in the table: as given
        )
        return Page(entries[offset : offset + limit], len(entries))

    async def quote(request: PriceRequest) -> PriceQuote:
        return PriceQuote(cny("10.3456"), cny("0"), cny("10.3456"))

    provider = plugin.created["one"]
    provider.list_ledger = ledger  # type: ignore[method-assign]
    provider.quote_price = quote  # type: ignore[method-assign]
    body = await ask(
        client,
        """query($partner: ID!) {
          node(id: $partner) { ... on Partner { ledger { nodes { amount { amount currency } } } } }
          priceQuote(partnerId: $partner, customerProjectId: "p", items: [{region: "r", serviceType: "s",
            resourceType: "t", resourceSpec: "x"}]) { listPrice { amount } discount { amount } }
          vouchers(first: 1) { nodes { faceValue { amount } remaining { amount } } }
        }""",
        partner=encode_global_id("Partner", "one"),
    )
    assert "errors" not in body, body["errors"]
    amounts = [(n["amount"]["amount"], n["amount"]["currency"]) for n in body["data"]["node"]["ledger"]["nodes"]]
    assert amounts == [
        ("7028.00", "CNY"),
        ("18465.10", "USD"),
        ("0.00", "CNY"),
        ("0.125", "CNY"),
        ("500", "JPY"),
        ("1.5", "XAU"),
    ]
    assert body["data"]["priceQuote"] == {"listPrice": {"amount": "10.3456"}, "discount": {"amount": "0"}}
    assert body["data"]["vouchers"]["nodes"] == [{"faceValue": {"amount": "100.00"}, "remaining": {"amount": "40.00"}}]


# -- one table from error class to GraphQL type ----------------------------------------------------------------


def _subclasses(cls: type[GatewayError]) -> list[type[GatewayError]]:
    found = []
    for sub in cls.__subclasses__():
        if sub.__module__ == errors.__name__:
            found += [sub, *_subclasses(sub)]
    return found


def test_codes_are_unique_and_every_mapped_error_answers_with_its_own_code() -> None:
    classes = _subclasses(GatewayError)
    codes = [cls.code for cls in classes if cls is not errors.StoredFailure]  # a stored failure keeps the first's
    assert len(codes) == len(set(codes))
    assert set(RESULTS) <= set(classes)
    throttled = ProviderThrottled("slow down", provider="fake", retry_after=2.0, reason=Reason.TOO_FREQUENT)
    answer = error_result(throttled)  # no entry of its own: its nearest mapped ancestor's (ProviderError) type
    assert (type(answer).__name__, answer.code, answer.reason, answer.retryable) == (
        "UpstreamError",
        "PROVIDER_THROTTLED",
        Reason.TOO_FREQUENT,
        True,
    )
    rule = error_result(errors.ProjectRuleViolation("closed", errors.ProjectRefusal.PROJECT_CLOSED))
    assert (type(rule).__name__, rule.code, rule.rule) == (
        "ProjectRuleViolationError",
        "PROJECT_RULE_VIOLATION",
        errors.ProjectRefusal.PROJECT_CLOSED,
    )
    with pytest.raises(StoreUnavailable):  # not a refusal a front end handles: a GraphQL error
        error_result(StoreUnavailable("the store is read-only"))
