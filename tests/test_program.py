"""Program standing through the graph: the rebate tier, incentive eligibility and a tier-2's performance against the
upgrade line, from the fiscal year's consumption; it moves when consumption does. The ``[program]`` table."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest

from adapters.aliyun.simulator._records import Order, OrderStatus
from adapters.huaweicloud.simulator._history import add_consumption
from gateway.app import create_app
from gateway.auth import ApiKey, Role, hash_key
from gateway.config import AccountConfig, GatewayConfig, parse_config
from gateway.config_tables import ProgramConfig, RebateTier, parse_table
from gateway.consumption import current_month
from gateway.errors import ConfigError
from gateway.ids import encode_global_id
from gateway.models import ChargeMode, ConsumptionLine, ConsumptionSource, Money, PartnerAccount, Secret, month_of
from gateway.program import fiscal_year, standing
from gateway.registry import Registry
from gateway.testing import running
from tests.support.fakes import FAKE_PROGRAM, FakePlugin, FakeProvider, make_customers
from tests.support.mutations_demo import ALIYUN, HUAWEI, HUAWEI_T2, HUAWEI_T2_DOMAIN, demo

pytestmark = pytest.mark.anyio

CHINA = timezone(timedelta(hours=8))
SERVICE = "hws.service.type.ec2"
KEYS = (ApiKey("admin", hash_key("k-admin"), Role.ADMIN), ApiKey("wang", hash_key("k-wang"), Role.SALES, owner="wang"))
STANDING = """{ role fiscalYear { start end through } performance { amount currency } sources incentiveEligible
  notCounted { amount { amount currency } source }
  rebate { tier rate nextRate nextThreshold { amount } toGo { amount } tiers { threshold { amount } rate } policy }
  upgrade { line { amount } reached toGo { amount } } }"""
PROGRAM = "query($id: ID!) { node(id: $id) { ... on Partner { program " + STANDING + " } } }"
PERFORMANCE = "query($id: ID!) { node(id: $id) { ... on Reseller { performance " + STANDING + " } } }"


def account(account_id: str, role: str) -> AccountConfig:
    partner = PartnerAccount(account_id, "fake", f"{account_id} 名", role, "https://fake.invalid", FAKE_PROGRAM)
    return AccountConfig(partner, {"token": Secret("tok")})


def year_to_date(plugin: FakePlugin, account_id: str, config: ProgramConfig, reseller: str | None = None) -> Decimal:
    months = set(fiscal_year(config).to_date.months)
    return sum(
        (
            r.amount.amount
            for r in plugin.created[account_id].consumption_records
            if r.month in months and reseller in (None, r.reseller_id)
        ),
        Decimal(0),
    )


async def ask(client: httpx.AsyncClient, query: str, who: str = "admin", **variables: Any) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"authorization": f"Bearer k-{who}"}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def plugin() -> FakePlugin:
    return FakePlugin({"dist": 20, "tier2": 8})


def before_start(account_id: str, role: str, customers: int) -> Decimal:
    """The fiscal year's consumption to date of a fake account, as its upstream will hold it (its records are
    built from its customers and this month)."""
    fake = FakeProvider(account(account_id, role).account, make_customers(account_id, customers))
    months = set(fiscal_year(ProgramConfig()).to_date.months)
    return sum((r.amount.amount for r in fake.consumption_records if r.month in months), Decimal(0))


async def with_program(plugin: FakePlugin, program: ProgramConfig) -> AsyncIterator[httpx.AsyncClient]:
    accounts = (account("dist", "distributor"), account("tier2", "reseller"))
    config = GatewayConfig(accounts=accounts, api_keys=KEYS, program=program)
    async with running(create_app(config, Registry([plugin]))) as client:
        yield client


def add_record(plugin: FakePlugin, account_id: str, amount: str, reseller: str | None = None) -> None:
    fake = plugin.created[account_id]
    today = datetime.now(UTC).astimezone(CHINA).date()
    template = next(r for r in fake.consumption_records if r.month == month_of(today))
    fake.consumption_records.append(
        replace(template, amount=Money(Decimal(amount), "CNY"), record_id=f"fee-new-{amount}", reseller_id=reseller)
    )


async def test_the_rebate_tier_moves_when_consumption_does(plugin: FakePlugin) -> None:
    performance = before_start("dist", "distributor", 20)
    tiers = (RebateTier(threshold=Decimal(0), rate=15), RebateTier(threshold=performance + 5, rate=20))
    program = ProgramConfig(rebate_tiers=tiers)
    async for client in with_program(plugin, program):
        body = await ask(client, PROGRAM, id=encode_global_id("Partner", "dist"))
        assert "errors" not in body, body
        standing = body["data"]["node"]["program"]
        year = fiscal_year(program)
        assert standing["fiscalYear"] == {"start": year.start, "end": year.end, "through": current_month()}
        assert standing["performance"] == {"amount": f"{performance:.2f}", "currency": "CNY"}
        assert standing["sources"] == ["BILL"]
        assert standing["incentiveEligible"] is True
        assert standing["upgrade"] is None  # a distributor is not measured against the upgrade line
        rebate = standing["rebate"]
        assert (rebate["tier"], rebate["rate"], rebate["nextRate"]) == (1, "15", "20")
        assert rebate["toGo"] == {"amount": "5.00"}
        assert "not figures the cloud publishes" in rebate["policy"]
        add_record(plugin, "dist", "7.50")
        moved = (await ask(client, PROGRAM, id=encode_global_id("Partner", "dist")))["data"]["node"]["program"]
        assert moved["performance"]["amount"] == f"{performance + Decimal('7.50'):.2f}"
        assert (moved["rebate"]["tier"], moved["rebate"]["rate"], moved["rebate"]["toGo"]) == (2, "20", None)


async def test_a_tier2_earns_no_incentives_and_goes_toward_the_upgrade_line(plugin: FakePlugin) -> None:
    performance = before_start("tier2", "reseller", 8)
    program = ProgramConfig(upgrade_line=performance + 100)
    async for client in with_program(plugin, program):
        standing = (await ask(client, PROGRAM, id=encode_global_id("Partner", "tier2")))["data"]["node"]["program"]
        assert standing["role"] == "reseller"
        assert standing["incentiveEligible"] is False
        assert standing["rebate"] is None
        assert standing["upgrade"] == {
            "line": {"amount": f"{performance + 100:.2f}"},
            "reached": False,
            "toGo": {"amount": "100.00"},
        }
        add_record(plugin, "tier2", "150")
        moved = (await ask(client, PROGRAM, id=encode_global_id("Partner", "tier2")))["data"]["node"]["program"]
        assert moved["upgrade"]["reached"] is True
        assert moved["upgrade"]["toGo"] == {"amount": "0.00"}


async def test_a_resellers_performance_is_its_customers_consumption(plugin: FakePlugin) -> None:
    async for client in with_program(plugin, ProgramConfig()):
        reseller = encode_global_id("Reseller", "dist", "r0")
        body = await ask(client, PERFORMANCE, id=reseller)
        standing = body["data"]["node"]["performance"]
        performance = year_to_date(plugin, "dist", ProgramConfig(), reseller="r0")
        assert performance > 0
        assert standing["performance"]["amount"] == f"{performance:.2f}"
        assert (standing["role"], standing["incentiveEligible"]) == ("reseller", False)
        assert standing["upgrade"]["toGo"] == {"amount": f"{Decimal(800_000) - performance:.2f}"}
        add_record(plugin, "dist", "1000", reseller="r0")
        moved = (await ask(client, PERFORMANCE, id=reseller))["data"]["node"]["performance"]
        assert Decimal(moved["performance"]["amount"]) == performance + 1000
        sales = await ask(client, PROGRAM, who="wang", id=encode_global_id("Partner", "dist"))
        assert sales["data"]["node"]["program"] is None
        assert [e["extensions"]["code"] for e in sales["errors"]] == ["FORBIDDEN"]
        assert (await ask(client, PERFORMANCE, who="wang", id=reseller))["data"]["node"] is None


def test_the_fiscal_year_starts_in_the_configured_month() -> None:
    april = ProgramConfig(fiscal_year_start_month=4)
    year = fiscal_year(april, datetime(2026, 2, 10, tzinfo=UTC))
    assert (year.start, year.end, year.to_date.start, year.to_date.end) == ("2025-04", "2026-03", "2025-04", "2026-02")
    year = fiscal_year(april, datetime(2026, 3, 31, 17, tzinfo=UTC))  # 1 April already in UTC+8
    assert (year.start, year.to_date.months) == ("2026-04", ["2026-04"])
    default = fiscal_year(ProgramConfig(), datetime(2026, 12, 2, tzinfo=UTC))
    assert (default.start, default.end, len(default.to_date.months)) == ("2026-01", "2026-12", 12)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"fiscal_year_start_month": 13}, "program.fiscal_year_start_month:"),
        ({"upgrade_line": 800000.0}, "program.upgrade_line: must be a whole number or a decimal string"),
        (
            {"rebate_tiers": [{"threshold": 0, "rate": 20}, {"threshold": 10, "rate": 15}]},
            "program.rebate_tiers: must rise",
        ),
        ({"rebate_tiers": [{"threshold": "x", "rate": 15}]}, "program.rebate_tiers[0].threshold: must be a decimal"),
        ({"rebate_tiers": [{"threshold": 0, "rate": 150}]}, "program.rebate_tiers[0].rate:"),
        ({"tiers": []}, "program.tiers: unknown key"),
    ],
)
def test_a_bad_program_table_names_its_key(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_table(ProgramConfig, raw, "program")
    assert str(caught.value).startswith(message)


def test_the_program_table_is_read_from_the_file_with_documented_defaults() -> None:
    default = ProgramConfig()
    assert [t.rate for t in default.rebate_tiers] == [15, 20, 25, 30, 35]  # DOMAIN.md: five tiers, 15 % to 35 %
    assert (default.upgrade_line, default.fiscal_year_start_month, default.currency) == (Decimal(800_000), 1, "CNY")
    raw = {"program": {"fiscal_year_start_month": 4, "upgrade_line": "900000.50"}}
    config = parse_config(raw, Registry.discover(), {})
    assert (config.program.fiscal_year_start_month, config.program.upgrade_line) == (4, Decimal("900000.50"))
    with pytest.raises(ConfigError, match=r"^program\.currency"):
        parse_config({"program": {"currency": "yuan"}}, Registry.discover(), {})


# -- over the embedded demo ------------------------------------------------------------------------------------------


async def test_the_demo_distributors_standing_is_its_fiscal_years_paid_orders_and_moves_with_them() -> None:
    async with demo() as gw:
        state = gw.aliyun.state.partners["LTAI5tDemoAgencyDistributor"]
        months = set(fiscal_year(ProgramConfig()).to_date.months)

        def paid() -> Decimal:
            return sum(
                (
                    -o.amount_due if o.order_type == "REFUND" else o.amount_due
                    for o in state.orders
                    if o.status == OrderStatus.PAID
                    and o.paid_at
                    and month_of(o.paid_at.astimezone(CHINA).date()) in months
                ),
                Decimal(0),
            )

        data = await gw.ask(PROGRAM, id=encode_global_id("Partner", ALIYUN))
        standing = data["node"]["program"]
        assert standing["performance"] == {"amount": str(paid()), "currency": "CNY"}
        assert standing["sources"] == ["ORDERS"]  # paid orders: an estimate, said so
        assert (standing["incentiveEligible"], standing["upgrade"]) == (True, None)
        tier = standing["rebate"]["tier"]
        customer = next(a for a in state.accounts if a.user_type == 2)
        when = datetime.now(UTC) - timedelta(minutes=5)
        big = Decimal(standing["rebate"]["toGo"]["amount"]) + 1
        state.orders.append(
            Order(9_100_000_000_000_001, customer.uid, customer.aliyun_id, customer.customer_bd, OrderStatus.PAID,
                  "BUY", 1, "ecs", "云服务器 ECS", big, Decimal(0), Decimal(0), when, when, None, "KA", "1")
        )  # fmt: skip
        moved = (await gw.ask(PROGRAM, id=encode_global_id("Partner", ALIYUN)))["node"]["program"]
        assert Decimal(moved["performance"]["amount"]) == paid()
        assert moved["rebate"]["tier"] == tier + 1


async def test_a_huawei_tier2s_upgrade_standing_moves_with_its_customers_bills() -> None:
    async with demo(tiers=True) as gw:
        own = (await gw.ask(PROGRAM, id=encode_global_id("Partner", HUAWEI_T2)))["node"]["program"]
        assert (own["role"], own["incentiveEligible"], own["rebate"], own["sources"]) == (
            "tier2-reseller",
            False,
            None,
            ["BILL"],
        )
        line, performance = Decimal(own["upgrade"]["line"]["amount"]), Decimal(own["performance"]["amount"])
        assert line == Decimal(800_000)
        assert Decimal(own["upgrade"]["toGo"]["amount"]) == line - performance
        # The tier-1 sees the same tier-2's performance (its customers' bills, asked with indirect_partner_id).
        reseller = encode_global_id("Reseller", HUAWEI, HUAWEI_T2_DOMAIN)
        seen = (await gw.ask(PERFORMANCE, id=reseller))["node"]["performance"]
        assert seen["performance"] == own["performance"]
        assert seen["upgrade"] == own["upgrade"]
        tier2 = gw.huawei.simulator.by_domain_id(HUAWEI_T2_DOMAIN)
        assert tier2 is not None
        customer = next(c for c in tier2.customers)
        add_consumption(gw.huawei.simulator, customer.customer_id, Decimal("5000.00"), service_type=SERVICE)
        moved = (await gw.ask(PROGRAM, id=encode_global_id("Partner", HUAWEI_T2)))["node"]["program"]
        assert Decimal(moved["performance"]["amount"]) == performance + 5000
        assert Decimal(moved["upgrade"]["toGo"]["amount"]) == line - performance - 5000
        again = (await gw.ask(PERFORMANCE, id=reseller))["node"]["performance"]
        assert again["performance"] == moved["performance"]


BILL, ORDERS = ConsumptionSource.BILL, ConsumptionSource.ORDERS


def test_consumption_in_another_currency_from_two_sources_is_shown_apart_and_not_counted() -> None:
    """Paid orders and bills in USD beside CNY performance: two figures, never summed, none counted (the sort
    of (currency, source) once compared the sources themselves, which cannot be ordered)."""
    config = ProgramConfig()
    year = fiscal_year(config)
    month = year.to_date.months[-1]
    lines = [
        ConsumptionLine("c1", month, "ecs", "ECS", ChargeMode.SUBSCRIPTION, Money(Decimal("100"), "CNY"), BILL),
        ConsumptionLine("c1", month, "ecs", "ECS", ChargeMode.SUBSCRIPTION, Money(Decimal("7"), "USD"), ORDERS),
        ConsumptionLine("c2", month, "oss", "OSS", ChargeMode.PAY_PER_USE, Money(Decimal("3"), "USD"), BILL),
        ConsumptionLine("c2", month, "oss", "OSS", ChargeMode.PAY_PER_USE, Money(Decimal("2"), "USD"), BILL),
    ]
    found = standing(FAKE_PROGRAM, "distributor", lines, config, year)
    assert found.performance == Money(Decimal("100"), "CNY")
    assert [(f.amount, f.source) for f in found.not_counted] == [
        (Money(Decimal("5"), "USD"), BILL),
        (Money(Decimal("7"), "USD"), ORDERS),
    ]
