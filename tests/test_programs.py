"""A third cloud brings its partner program's facts with its plug-in: nothing in ``gateway/`` changes (issue 9).

``ThirdCloud`` declares roles, a currency, a precision, whose money moves, a filing limit, project approval and
a role rule of its own, none of which the bundled clouds have; config, the rules and the API apply them.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway import rules
from gateway.app import create_app
from gateway.auth import Principal, Role
from gateway.config import parse_config
from gateway.errors import ConfigError, Reason, RuleViolation
from gateway.ids import encode_global_id
from gateway.models import AccountType, Customer, CustomerKind, Money, PartnerAccount, ProgramFacts
from gateway.registry import Registry
from gateway.testing import running
from gateway.writes import CreateCustomer, InviteReseller, TransferFunds
from tests.support.fakes import FAKE_PROGRAM, FakePlugin, FakeProvider

pytestmark = pytest.mark.anyio

THIRD = ProgramFacts(
    roles={"prime": "a prime partner: moves its customers' money", "associate": "a prime's associate"},
    currencies=frozenset({"EUR"}),
    money_account_types=frozenset({AccountType.ADVISORY}),
    filing_limits={CustomerKind.ENTERPRISE: 2},
    projects_need_approval=True,
    intent_roles={"transferFunds": frozenset({"prime"}), "reclaimFunds": frozenset({"prime"})},
    precision=Decimal("1"),  # whole euros
)


class ThirdCloud(FakePlugin):
    name = "thirdcloud"
    title = "Third Cloud"
    program = THIRD


def account(role: str = "prime", program: ProgramFacts = THIRD) -> PartnerAccount:
    return PartnerAccount(f"third-{role}", "thirdcloud", "Third", role, "https://third.invalid", program)


def config_data(tmp_path: Path, role: str = "prime") -> dict[str, Any]:
    return {
        "accounts": [
            {
                "id": f"third-{role}",
                "provider": "thirdcloud",
                "name": f"Acme, {role} at Third Cloud",
                "role": role,
                "credentials": {"token": "THIRD_TOKEN"},
                "settings": {"region": "eu-1"},
            }
        ],
        "store": {"data_dir": str(tmp_path)},
    }


ENV = {"THIRD_TOKEN": "t0ken"}
ADMIN = Principal("admin", Role.ADMIN)


# --- the facts, as configuration reads them -----------------------------------------------------


def test_config_takes_the_roles_the_plugin_declares(tmp_path: Path) -> None:
    registry = Registry([ThirdCloud()])
    [entry] = parse_config(config_data(tmp_path, "associate"), registry, ENV).accounts
    assert (entry.account.role, entry.account.program) == ("associate", THIRD)
    with pytest.raises(ConfigError, match=r"expected one of: associate, prime\)"):
        parse_config(config_data(tmp_path, "distributor"), registry, ENV)


@pytest.mark.parametrize(
    ("facts", "problem"),
    [
        ({"roles": {}}, "at least one role"),
        ({"currencies": frozenset({"euro"})}, "ISO 4217"),
        ({"currencies": frozenset()}, "ISO 4217"),
        ({"intent_roles": {"transferFunds": frozenset({"boss"})}}, "must be some of"),
        ({"intent_roles": {"transferFunds": frozenset()}}, "must be some of"),
        ({"filing_limits": {CustomerKind.ENTERPRISE: 0}}, "at least 1"),
        ({"precision": Decimal("0.05")}, "power of ten"),
        ({"precision": Decimal("-0.01")}, "power of ten"),
    ],
)
def test_facts_that_cannot_hold_are_refused_when_declared(facts: dict[str, Any], problem: str) -> None:
    declared: dict[str, Any] = {"roles": {"prime": "p"}, "currencies": frozenset({"EUR"}), **facts}
    with pytest.raises(ValueError, match=problem):
        ProgramFacts(**declared)


def test_an_account_takes_only_a_role_of_its_program() -> None:
    with pytest.raises(ValueError, match="not a role of the account's program"):
        account("distributor")


# --- the rules, reading the account's program ---------------------------------------------------


def test_a_role_rule_of_the_program_decides_who_may_perform_an_intent() -> None:
    transfer = TransferFunds("c1", Money(Decimal("5"), "EUR"))
    rules.check_role(account("prime"), transfer)
    with pytest.raises(RuleViolation) as refused:
        rules.check_role(account("associate"), transfer)
    assert refused.value.reason is Reason.ROLE_NOT_ALLOWED
    assert "needs a partner account of role prime; third-associate is associate" in str(refused.value)
    # Another program's rule (only a distributor invites resellers, elsewhere) says nothing here: whether this
    # provider can invite at all is its capabilities' answer.
    rules.check_role(account("associate"), InviteReseller(name="R", email="r@example.com"))


@pytest.mark.parametrize(
    ("amount", "currency", "accepted"),
    [("12", "EUR", True), ("12.50", "EUR", False), ("12", "CNY", False), ("12", "USD", False)],
)
def test_amounts_are_in_the_program_currency_and_precision(amount: str, currency: str, accepted: bool) -> None:
    money = Money(Decimal(amount), currency)
    if accepted:
        rules.check_amount(account(), money)
        return
    with pytest.raises(RuleViolation) as refused:
        rules.check_amount(account(), money)
    assert (refused.value.reason, refused.value.field) == (Reason.INVALID_INPUT, "amount")


def test_money_moves_for_the_account_types_the_program_names() -> None:
    transfer = TransferFunds("c1", Money(Decimal("5"), "EUR"))
    advisory = Customer("thirdcloud", "third-prime", "c1", "C", account_type=AccountType.ADVISORY)
    resale = Customer("thirdcloud", "third-prime", "c1", "C", account_type=AccountType.RESALE)
    assert rules.check_customer(account(), ADMIN, transfer, advisory, "c1") is advisory
    with pytest.raises(RuleViolation) as refused:
        rules.check_customer(account(), ADMIN, transfer, resale, "c1")
    assert refused.value.reason is Reason.ACCOUNT_TYPE_NOT_ALLOWED
    assert "only for advisory customers of third-prime" in str(refused.value)
    # The fake cloud's program moves RESALE money: the same customer, another program, another answer.
    fake = PartnerAccount("fake-1", "fake", "Fake", "distributor", "https://fake.invalid", FAKE_PROGRAM)
    assert rules.check_customer(fake, ADMIN, transfer, resale, "c1") is resale


def test_the_filing_limit_is_the_program_one() -> None:
    enterprise = CreateCustomer(name="ACME GmbH", account_type=AccountType.ADVISORY)
    individual = CreateCustomer(name="Jo", account_type=AccountType.ADVISORY, customer_kind=CustomerKind.INDIVIDUAL)
    assert rules.files_customers(account())
    rules.check_filing_limit(account(), enterprise, 1)
    with pytest.raises(RuleViolation) as refused:
        rules.check_filing_limit(account(), enterprise, 2)
    assert (refused.value.reason, refused.value.field) == (Reason.FILING_LIMIT_EXCEEDED, "name")
    rules.check_filing_limit(account(), individual, 50)  # no limit for individuals in this program
    fake = PartnerAccount("fake-1", "fake", "Fake", "distributor", "https://fake.invalid", FAKE_PROGRAM)
    assert not rules.files_customers(fake)


# --- end to end: the API over an account of the third cloud -------------------------------------

TRANSFER = """mutation($id: ID!, $amount: Decimal!, $currency: String!, $key: String!) {
  transferFunds(customerId: $id, amount: {amount: $amount, currency: $currency}, idempotencyKey: $key) {
    __typename
    ... on CustomerPayload { customer { nativeId } }
    ... on RuleViolationError { reason field }
  }
}"""
FILE = """mutation($id: ID!, $key: String!) {
  fileProject(input: {customerId: $id, name: "ERP"}, idempotencyKey: $key) {
    __typename ... on ProjectPayload { project { approval customerConfirmed } }
  }
}"""


@pytest.fixture
def plugin() -> ThirdCloud:
    return ThirdCloud({"third-prime": 4, "third-associate": 4})


async def serve(plugin: ThirdCloud, tmp_path: Path, role: str) -> AsyncIterator[httpx.AsyncClient]:
    config = parse_config(config_data(tmp_path, role), Registry([plugin]), ENV)
    async with running(create_app(config, Registry([plugin]))) as client:
        yield client


@pytest.fixture
async def prime(plugin: ThirdCloud, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in serve(plugin, tmp_path, "prime"):
        yield client


@pytest.fixture
async def associate(plugin: ThirdCloud, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in serve(plugin, tmp_path, "associate"):
        yield client


async def gql(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    body: dict[str, Any] = (await client.post("/graphql", json={"query": query, "variables": variables})).json()
    assert "errors" not in body, body
    return body["data"]


async def transfer(client: httpx.AsyncClient, account_id: str, n: int, amount: str, currency: str) -> dict[str, Any]:
    customer = encode_global_id("Customer", account_id, f"{account_id}-{n}")
    data = await gql(client, TRANSFER, id=customer, amount=amount, currency=currency, key=str(uuid.uuid4()))
    result: dict[str, Any] = data["transferFunds"]
    return result


def upstream(plugin: ThirdCloud, account_id: str) -> FakeProvider:
    return plugin.created[account_id]


async def test_a_prime_account_moves_euros_for_advisory_customers_only(
    prime: httpx.AsyncClient, plugin: ThirdCloud
) -> None:
    partners = await gql(prime, "{ partners { edges { node { provider role } } } }")
    assert [e["node"] for e in partners["partners"]["edges"]] == [{"provider": "thirdcloud", "role": "prime"}]
    # Customer n is ADVISORY when n is odd, RESALE when even (tests.support.fakes.make_customers).
    done = await transfer(prime, "third-prime", 1, "7", "EUR")
    assert done == {"__typename": "CustomerPayload", "customer": {"nativeId": "third-prime-1"}}
    for n, amount, currency, reason in (
        (1, "7", "CNY", "INVALID_INPUT"),
        (1, "7.50", "EUR", "INVALID_INPUT"),
        (0, "7", "EUR", "ACCOUNT_TYPE_NOT_ALLOWED"),
    ):
        refused = await transfer(prime, "third-prime", n, amount, currency)
        assert (refused["__typename"], refused["reason"]) == ("RuleViolationError", reason)
    assert upstream(plugin, "third-prime").counts["execute"] == 1
    assert upstream(plugin, "third-prime").balance("third-prime-1") == Decimal("7")


async def test_an_associate_account_may_not_move_money(associate: httpx.AsyncClient, plugin: ThirdCloud) -> None:
    refused = await transfer(associate, "third-associate", 1, "7", "EUR")
    assert (refused["__typename"], refused["reason"]) == ("RuleViolationError", "ROLE_NOT_ALLOWED")
    assert upstream(plugin, "third-associate").counts["execute"] == 0


async def test_project_filings_wait_for_approval_as_the_program_says(prime: httpx.AsyncClient) -> None:
    customer = encode_global_id("Customer", "third-prime", "third-prime-1")
    filed = (await gql(prime, FILE, id=customer, key=str(uuid.uuid4())))["fileProject"]
    assert filed == {"__typename": "ProjectPayload", "project": {"approval": "PENDING", "customerConfirmed": False}}
