"""AliyunProvider against the simulator (in-process), plus failure shapes the simulator does not make."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from adapters.aliyun import AliyunProvider, plugin
from adapters.aliyun._mapping import customer_from_account_info
from adapters.aliyun.simulator import AgencySimulator, InvitationStatus
from gateway.errors import (
    ConfigError,
    InvalidInput,
    ProviderAuthError,
    ProviderError,
    ProviderProtocolError,
    ProviderThrottled,
    ProviderUnavailable,
)
from gateway.models import AccountType, CustomerKind, CustomerStatus
from gateway.provider import Capability, Provider, ProviderPlugin
from tests.adapters.aliyun.conftest import DISTRIBUTOR, ENDPOINT, CountingTransport, account_for, credentials_for
from tests.support.rounds import Rounds, RoundsTransport
from tests.support.sleeps import Sleeps

ACCOUNTS = 45  # end users and enterprises the distributor's seed holds
INVITED = 7  # invitations not registered yet (4 pending, 3 expired)

pytestmark = pytest.mark.anyio


def upstream_order(simulator: AgencySimulator) -> list[str]:
    """Customer ids in the documented order: UserType 1, then UserType 2, each in upstream order, then
    the invitations not registered yet (newest first, as GetUnassociatedCustomer lists them)."""
    state = simulator.state.partners[DISTRIBUTOR.access_key_id]
    accounts = [str(a.uid) for t in (1, 2) for a in state.accounts_of_type(t)]
    now = simulator.state.now()
    waiting = [i for i in state.invitations if i.status(now) is not InvitationStatus.ASSOCIATED]
    waiting.sort(key=lambda item: item.sent_at, reverse=True)
    return accounts + [f"invitation-{i.invite_id}" for i in waiting]


def pages_requested(transport: CountingTransport) -> list[tuple[str, str, str]]:
    """(UserType or "invited", page, size) of each list request."""
    return [
        (r.url.params.get("UserType", "invited"), r.url.params["CurrentPage"], r.url.params["PageSize"])
        for r in transport.requests
    ]


async def test_is_a_provider(provider: AliyunProvider) -> None:
    assert isinstance(provider, Provider)
    assert isinstance(plugin, ProviderPlugin)
    assert Capability.LIST_CUSTOMERS in provider.capabilities
    assert Capability.LIST_RESELLERS in provider.capabilities  # a distributor
    assert not {Capability.PARTNER_BALANCES, Capability.LIST_VOUCHER_QUOTAS, Capability.LIST_LEDGER} & (
        provider.capabilities
    )
    await provider.ping()


async def test_walks_all_customers_without_gaps_or_duplicates(
    http: httpx.AsyncClient, simulator: AgencySimulator, transport: CountingTransport
) -> None:
    provider = AliyunProvider(account_for(DISTRIBUTOR, page_size=7), credentials_for(DISTRIBUTOR), http)
    expected = upstream_order(simulator)
    assert len(expected) == ACCOUNTS + INVITED
    seen: list[str] = []
    offset = 0
    while True:
        page = await provider.list_customers(offset, 10)
        assert page.total == len(expected)
        seen += [c.native_id for c in page.items]
        offset += 10
        if offset >= page.total:
            break
    assert seen == expected
    assert any(int(uid) > 2**53 for uid in seen if uid.isdigit())
    assert sum(uid.startswith("invitation-") for uid in seen) == INVITED


@pytest.mark.parametrize(("offset", "limit"), [(0, 45), (5, 9), (6, 16), (13, 20), (20, 3), (40, 30), (44, 1), (0, 1)])
async def test_any_window_matches_the_concatenated_list(
    http: httpx.AsyncClient, simulator: AgencySimulator, transport: CountingTransport, offset: int, limit: int
) -> None:
    provider = AliyunProvider(account_for(DISTRIBUTOR, page_size=7), credentials_for(DISTRIBUTOR), http)
    page = await provider.list_customers(offset, limit)
    assert [c.native_id for c in page.items] == upstream_order(simulator)[offset : offset + limit]
    assert page.total == ACCOUNTS + INVITED


def page_of(label: str) -> tuple[str, str, str] | str:
    """A list request's (UserType or "invited", page, size), from its round label; another request's action."""
    action, _, query = label.partition(" ")
    params = dict(httpx.QueryParams(query))
    if action not in ("GetAccountInfo", "GetUnassociatedCustomer"):
        return action
    return (params.get("UserType", "invited"), params["CurrentPage"], params["PageSize"])


def rounds_of(rounds: Rounds) -> list[list[tuple[str, str, str] | str]]:
    return [sorted(map(page_of, labels), key=str) for labels in rounds.rounds]


@pytest.fixture
def rounds() -> Rounds:
    return Rounds()


@pytest.fixture
def paged(transport: CountingTransport, rounds: Rounds) -> httpx.AsyncClient:
    """A client whose requests are answered in rounds (the counting transport below)."""
    return httpx.AsyncClient(base_url=ENDPOINT, transport=RoundsTransport(transport, rounds))


async def test_a_window_asks_for_its_pages_at_once_planned_by_the_last_totals(
    paged: httpx.AsyncClient, simulator: AgencySimulator, rounds: Rounds
) -> None:
    state = simulator.state.partners[DISTRIBUTOR.access_key_id]
    type1 = len(state.accounts_of_type(1))
    provider = AliyunProvider(account_for(DISTRIBUTOR, page_size=5), credentials_for(DISTRIBUTOR), paged)
    expected = upstream_order(simulator)

    # No window read yet: the window's pages as if UserType 1 held it, and page 1 of the others (their totals).
    page = await provider.list_customers(3, 4)
    assert [c.native_id for c in page.items] == expected[3:7]
    assert rounds_of(rounds) == [sorted([("1", "1", "5"), ("1", "2", "5"), ("2", "1", "5"), ("invited", "1", "5")])]

    # Across the UserType boundary, planned by those totals: type 1's last page and type 2's first, in one round
    # (the invitations' page 1 for its total).
    rounds.clear()
    page = await provider.list_customers(type1 - 2, 4)
    last_of_type1 = str((type1 - 2) // 5 + 1)
    assert rounds_of(rounds) == [sorted([("1", last_of_type1, "5"), ("2", "1", "5"), ("invited", "1", "5")])]
    assert [c.kind for c in page.items] == [CustomerKind.INDIVIDUAL] * 2 + [CustomerKind.ENTERPRISE] * 2
    assert [c.native_id for c in page.items] == expected[type1 - 2 : type1 + 2]

    # Past the end: one page of each list for its total, nothing returned.
    rounds.clear()
    page = await provider.list_customers(100, 10)
    assert page.items == ()
    assert page.total == ACCOUNTS + INVITED
    assert rounds_of(rounds) == [sorted([("1", "1", "5"), ("2", "1", "5"), ("invited", "1", "5")])]

    # A total alone: the cheapest page of each list.
    rounds.clear()
    assert (await provider.list_customers(0, 0)).total == ACCOUNTS + INVITED
    assert rounds_of(rounds) == [sorted([("1", "1", "1"), ("2", "1", "1"), ("invited", "1", "1")])]


async def test_a_window_whose_plan_the_totals_prove_wrong_takes_one_more_round(
    paged: httpx.AsyncClient, simulator: AgencySimulator, rounds: Rounds
) -> None:
    state = simulator.state.partners[DISTRIBUTOR.access_key_id]
    type1 = len(state.accounts_of_type(1))
    provider = AliyunProvider(account_for(DISTRIBUTOR, page_size=5), credentials_for(DISTRIBUTOR), paged)

    # The first window of the process reaches into type 2's second page: only the answers' totals show it.
    page = await provider.list_customers(type1 - 2, 10)
    assert [c.native_id for c in page.items] == upstream_order(simulator)[type1 - 2 : type1 + 8]
    assert len(rounds.rounds) == 2
    assert rounds_of(rounds)[1] == [("2", "2", "5")]

    # The same window again: every page in the first round.
    rounds.clear()
    again = await provider.list_customers(type1 - 2, 10)
    assert again == page
    assert len(rounds.rounds) == 1

    # An invitee registers: type 1 or 2 grows by one and the invitations shrink, which the plan did not know.
    invitation = next(i for i in state.invitations if i.status(simulator.state.now()) is InvitationStatus.PENDING)
    simulator.register(invitation.invite_id)
    rounds.clear()
    moved = await provider.list_customers(type1 - 2, 10)
    assert [c.native_id for c in moved.items] == upstream_order(simulator)[type1 - 2 : type1 + 8]
    assert moved.total == ACCOUNTS + INVITED
    assert len(rounds.rounds) <= 2


async def test_the_invitees_statuses_go_with_the_pages_once_their_ids_are_known(
    paged: httpx.AsyncClient, simulator: AgencySimulator, rounds: Rounds
) -> None:
    provider = AliyunProvider(account_for(DISTRIBUTOR), credentials_for(DISTRIBUTOR), paged)
    await provider.list_customers(0, 0)  # the totals, for the plan (no invitation ids yet)
    rounds.clear()

    # The invitations are at the end: which ids they are, only their page says. The statuses follow it.
    page = await provider.list_customers(ACCOUNTS - 1, 5)
    assert [c.native_id for c in page.items] == upstream_order(simulator)[ACCOUNTS - 1 : ACCOUNTS + 4]
    assert [labels.count("GetInviteStatus") for labels in rounds_of(rounds)] == [0, 1]

    # Read again: the ids last seen there are asked about with the pages, in one round.
    rounds.clear()
    assert await provider.list_customers(ACCOUNTS - 1, 5) == page
    assert len(rounds.rounds) == 1
    assert rounds_of(rounds)[0].count("GetInviteStatus") == 1


@pytest.mark.parametrize(("offset", "limit"), [(0, 52), (3, 30), (21, 25), (44, 8), (50, 2), (60, 5)])
async def test_planned_windows_match_the_concatenated_list(
    paged: httpx.AsyncClient, simulator: AgencySimulator, offset: int, limit: int
) -> None:
    provider = AliyunProvider(account_for(DISTRIBUTOR, page_size=4), credentials_for(DISTRIBUTOR), paged)
    expected = upstream_order(simulator)
    for start in (0, offset, 7, offset):  # each window planned by the one before it
        page = await provider.list_customers(start, limit)
        assert [c.native_id for c in page.items] == expected[start : start + limit]
        assert page.total == ACCOUNTS + INVITED


async def test_default_page_size_is_the_upstream_maximum(
    provider: AliyunProvider, transport: CountingTransport
) -> None:
    page = await provider.list_customers(0, ACCOUNTS)
    assert len(page.items) == ACCOUNTS
    assert {size for _, _, size in pages_requested(transport)} == {"20"}


async def test_maps_fields_types_and_kinds(provider: AliyunProvider, simulator: AgencySimulator) -> None:
    state = simulator.state.partners[DISTRIBUTOR.access_key_id]
    by_uid = {str(a.uid): a for a in state.accounts}
    page = await provider.list_customers(0, 45)
    for customer in page.items:
        source = by_uid[customer.native_id]
        assert customer.provider == "aliyun"
        assert customer.partner_id == "test-distributor"
        assert customer.name == source.nickname
        assert customer.owner == source.customer_bd
        assert customer.email == source.email
        assert customer.phone == source.mobile
        assert customer.status is CustomerStatus.ASSOCIATED
        assert customer.kind is {1: CustomerKind.INDIVIDUAL, 2: CustomerKind.ENTERPRISE}[source.user_type]
        assert customer.account_type is {1: AccountType.AGENCY, 2: AccountType.CONSIGNMENT}[source.sub_account_type]
        assert customer.associated_at == source.associated_at
        assert customer.extra["Cid"] == str(source.cid)
        assert customer.extra["DelayAmount"] == str(source.delay_amount)
        assert customer.extra["AliyunId"] == source.aliyun_id
    assert {c.account_type for c in page.items} == {AccountType.AGENCY, AccountType.CONSIGNMENT}


def test_unknown_values_map_to_unknown() -> None:
    row = {"Uid": 2**63 - 1, "SubAccountType": 9, "AssociationSuccessTime": "soon", "DelayAmount": "12.30"}
    customer = customer_from_account_info(row, user_type="7", provider="aliyun", partner_id="p")
    assert customer.native_id == "9223372036854775807"
    assert customer.kind is CustomerKind.UNKNOWN
    assert customer.account_type is AccountType.UNKNOWN
    assert customer.associated_at is None
    assert customer.extra["AssociationSuccessTime"] == "soon"
    assert customer.extra["DelayAmount"] == "12.30"
    assert customer.email is None
    assert customer.owner is None
    iso = customer_from_account_info(
        {"Uid": 1, "AssociationSuccessTime": "2024-05-01T02:03:04Z"}, user_type=2, provider="aliyun", partner_id="p"
    )
    assert iso.associated_at == datetime(2024, 5, 1, 2, 3, 4, tzinfo=UTC)


async def test_bad_credentials(http: httpx.AsyncClient) -> None:
    provider = AliyunProvider(account_for(DISTRIBUTOR), credentials_for(DISTRIBUTOR, secret="wrong"), http)
    with pytest.raises(ProviderAuthError) as caught:
        await provider.list_customers(0, 5)
    error = caught.value
    assert error.upstream_code == "SignatureDoesNotMatch"
    assert error.http_status == 400
    assert error.request_id
    assert error.partner_id == "test-distributor"
    assert "wrong" not in str(error)


async def test_rejects_bad_input_and_config(http: httpx.AsyncClient, provider: AliyunProvider) -> None:
    with pytest.raises(InvalidInput):
        await provider.list_customers(-1, 5)
    with pytest.raises(ConfigError):
        AliyunProvider(account_for(DISTRIBUTOR, page_size=21), credentials_for(DISTRIBUTOR), http)
    with pytest.raises(ConfigError):
        AliyunProvider(account_for(DISTRIBUTOR), {}, http)


# -- failures the simulator does not (yet) inject: an httpx.MockTransport stands in for the upstream --


def mock_provider(handler: Callable[[httpx.Request], httpx.Response], sleep: Sleeps | None = None) -> AliyunProvider:
    http = httpx.AsyncClient(base_url=ENDPOINT, transport=httpx.MockTransport(handler))
    return AliyunProvider(account_for(DISTRIBUTOR), credentials_for(DISTRIBUTOR), http, sleep=sleep or Sleeps())


def answer(
    status: int, body: object, headers: dict[str, str] | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return lambda request: httpx.Response(status, content=content, headers=headers)


async def test_http_200_business_error() -> None:
    provider = mock_provider(
        answer(200, {"RequestId": "RID-1", "Code": "3029", "Message": "Invalid UID.", "Success": False})
    )
    with pytest.raises(ProviderError) as caught:
        await provider.ping()
    assert type(caught.value) is ProviderError
    assert (caught.value.upstream_code, caught.value.request_id, caught.value.http_status) == ("3029", "RID-1", 200)


async def test_system_error_is_retryable() -> None:
    provider = mock_provider(
        answer(200, {"RequestId": "R", "Code": "1109", "Message": "System Error", "Success": False})
    )
    with pytest.raises(ProviderUnavailable) as caught:
        await provider.ping()
    assert caught.value.retryable


async def test_http_5xx() -> None:
    provider = mock_provider(answer(503, {"RequestId": "R5", "Code": "ServiceUnavailable", "Message": "busy"}))
    with pytest.raises(ProviderUnavailable) as caught:
        await provider.ping()
    assert (caught.value.upstream_code, caught.value.request_id, caught.value.http_status) == (
        "ServiceUnavailable",
        "R5",
        503,
    )


async def test_5xx_with_a_html_body_is_still_unavailable() -> None:
    with pytest.raises(ProviderUnavailable):
        await mock_provider(answer(502, b"<html>Bad Gateway</html>")).ping()


async def test_throttling_with_retry_after() -> None:
    body = {"RequestId": "RT", "Code": "Throttling.User", "Message": "Request was denied due to user flow control."}
    sleeps, requests = Sleeps(), []
    throttled = answer(400, body, {"x-acs-retry-after": "1500"})

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return throttled(request)

    with pytest.raises(ProviderThrottled) as caught:
        await mock_provider(handler, sleeps).ping()
    assert caught.value.retry_after == 1.5  # the SDK reads the header as milliseconds
    assert caught.value.upstream_code == "Throttling.User"
    assert len(requests) == 3  # the policy's attempts, each after the wait the upstream asked for
    assert sleeps.delays == [1.5, 1.5]


async def test_malformed_json() -> None:
    with pytest.raises(ProviderProtocolError):
        await mock_provider(answer(200, b"{not json")).ping()
    with pytest.raises(ProviderProtocolError):
        await mock_provider(answer(200, {"RequestId": "R", "Code": "200", "Success": True})).list_customers(0, 1)


@pytest.mark.parametrize(
    ("exc", "outcome_unknown"),
    [(httpx.ConnectError("refused"), False), (httpx.ConnectTimeout("slow"), False), (httpx.ReadTimeout("lost"), True)],
)
async def test_network_failures(exc: Exception, outcome_unknown: bool) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise exc

    with pytest.raises(ProviderUnavailable) as caught:
        await mock_provider(fail).ping()
    assert caught.value.outcome_unknown is outcome_unknown


async def test_money_stays_decimal_and_ids_exact_through_json() -> None:
    row = {"Uid": 9007199254740993, "Cid": 18446744073709551615, "DelayAmount": 12.10, "AccountNickname": "x"}
    body = {
        "RequestId": "R",
        "Code": "200",
        "Success": True,
        "PageInfo": {"Page": 1, "PageSize": 20, "Total": 1},
        "AccountInfoList": {"AccountInfo": [row]},
    }
    content = json.dumps(body).replace("12.1", "12.10").encode()
    page = await mock_provider(answer(200, content)).list_customers(0, 1)
    (customer,) = page.items
    assert customer.native_id == "9007199254740993"
    assert customer.extra["Cid"] == "18446744073709551615"
    assert customer.extra["DelayAmount"] == "12.10"


# -- the plug-in object --------------------------------------------------------------------------


async def test_plugin_demo_serves_the_gateway_in_process() -> None:
    demo = plugin.demo()
    assert demo.account.id == "aliyun-demo"
    assert demo.account.endpoint == plugin.default_endpoint == "https://agency.aliyuncs.com"
    assert set(demo.credentials) == set(plugin.credential_names)
    transport = httpx.ASGITransport(app=demo.app)
    async with httpx.AsyncClient(base_url=demo.account.endpoint, transport=transport) as http:
        provider = plugin.create(demo.account, demo.credentials, http)
        await provider.ping()
        page = await provider.list_customers(0, 5)
    assert len(page.items) == 5
    assert page.total >= 30


def test_plugin_simulator_options() -> None:
    parser = argparse.ArgumentParser()
    plugin.add_simulator_arguments(parser)
    options = parser.parse_args(
        ["--port", "9000", "--access-key-id", "AK1", "--access-key-secret", "SK1", "--seed", "5"]
    )
    app, lines = plugin.simulator(options)
    text = "\n".join(lines)
    assert "http://127.0.0.1:9000" in text
    assert "AK1" in text
    assert "SK1" in text
    assert "GetAccountInfo" in text
    assert callable(app)
    defaults = parser.parse_args([])
    assert (defaults.host, defaults.port) == ("127.0.0.1", 8101)
