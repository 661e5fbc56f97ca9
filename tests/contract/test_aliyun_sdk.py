"""The official Aliyun SDK against the standalone simulator over loopback HTTP.

If the SDK (``alibabacloud_agency20221216`` + ``alibabacloud_tea_openapi``) can call the simulator and
parse its answers, the simulator speaks the real wire format; the adapter is tested against the same
simulator. Where the SDK and CONTRACTS.md disagree, the SDK wins. Findings so far:

* No disagreement on the GetAccountInfo wire shape, the ACS3 header set or the error body.
* CONTRACTS.md A.3.1 does not give the unit of ``x-acs-retry-after``: the SDK treats it as
  milliseconds (``utils.py:567`` + darabonba ``get_backoff_time``/``sleep(ms)``); the adapter follows.
* The SDK raises ``ClientException`` directly for 4xx (its retry loop re-raises ``ResponseException``
  at once: ``darabonba/exceptions.py`` ``UnretryableException``), not a wrapped error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, MutableMapping
from typing import Any

import httpx
import pytest
from alibabacloud_agency20221216 import models as sdk_models
from alibabacloud_agency20221216.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config

from adapters.aliyun import AliyunProvider
from adapters.aliyun._plugin import PROGRAM
from adapters.aliyun._roles import PartnerRole
from adapters.aliyun.simulator import AgencySimulator, EndAccount, SimulatedPartner, create_app
from gateway.models import PartnerAccount, Secret
from tests.support.servers import live_server

PARTNER = SimulatedPartner("LTAI5tContractDistributor", "contract-secret", PartnerRole.DISTRIBUTOR, customers=40)
REQUEST_ID = re.compile(r"^[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}$")


class Spy:
    """Records the raw headers of each request on its way to the simulator."""

    def __init__(self, app: AgencySimulator) -> None:
        self.app = app
        self.headers: list[dict[str, str]] = []

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.headers.append({k.decode().lower(): v.decode() for k, v in scope["headers"]})
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def simulator() -> AgencySimulator:
    return create_app([PARTNER], seed=2024)


@pytest.fixture(scope="module")
def spy(simulator: AgencySimulator) -> Spy:
    return Spy(simulator)


@pytest.fixture(scope="module")
def base_url(spy: Spy) -> Iterator[str]:
    with live_server(spy) as url:
        yield url


def sdk_client(base_url: str, secret: str = PARTNER.access_key_secret, ak: str = PARTNER.access_key_id) -> Client:
    endpoint = base_url.removeprefix("http://")
    return Client(Config(access_key_id=ak, access_key_secret=secret, endpoint=endpoint, protocol="http"))


def seeded(simulator: AgencySimulator, user_type: int) -> list[EndAccount]:
    return simulator.state.partners[PARTNER.access_key_id].accounts_of_type(user_type)


def test_sdk_lists_a_page(base_url: str, simulator: AgencySimulator, spy: Spy) -> None:
    request = sdk_models.GetAccountInfoRequest(current_page=2, page_size=4, user_type="2")
    response = sdk_client(base_url).get_account_info(request)
    body = response.body
    enterprises = seeded(simulator, 2)
    assert response.status_code == 200
    assert (body.code, body.success) == ("200", True)
    assert REQUEST_ID.match(body.request_id)
    assert (body.page_info.page, body.page_info.page_size, body.page_info.total) == (2, 4, len(enterprises))
    rows = body.account_info_list.account_info
    assert [row.uid for row in rows] == [a.uid for a in enterprises[4:8]]
    first, source = rows[0], enterprises[4]
    assert first.account_nickname == source.nickname
    assert first.cid == source.cid
    assert first.customer_bd == source.customer_bd
    assert first.email == source.email
    assert first.mobile == source.mobile
    assert first.sub_account_type == source.sub_account_type
    assert first.delay_amount == str(source.delay_amount)
    assert first.new_buy_status == source.new_buy_status
    assert first.aliyun_id == source.aliyun_id
    # What the SDK signed: every header it set itself (CONTRACTS.md A.2.1).
    authorization = spy.headers[-1]["authorization"]
    assert "SignedHeaders=accept;host;user-agent;x-acs-action;x-acs-content-sha256;" in authorization


def test_sdk_keeps_64_bit_uids_exact(base_url: str, simulator: AgencySimulator) -> None:
    big = next(a for t in (1, 2) for a in seeded(simulator, t) if a.uid > 2**53)
    request = sdk_models.GetAccountInfoRequest(current_page=1, page_size=1, uid=big.uid)
    (row,) = sdk_client(base_url).get_account_info(request).body.account_info_list.account_info
    assert row.uid == big.uid
    assert row.uid > 2**53


def test_sdk_gets_business_errors_as_http_200(base_url: str) -> None:
    # The SDK does not raise on these (A.3.2): the body carries the code.
    request = sdk_models.GetAccountInfoRequest(current_page=1, page_size=5)
    response = sdk_client(base_url).get_account_info(request)
    assert response.status_code == 200
    assert (response.body.code, response.body.success) == ("3062", False)


def test_sdk_with_a_wrong_secret(base_url: str) -> None:
    request = sdk_models.GetAccountInfoRequest(current_page=1, page_size=5, user_type="1")
    with pytest.raises(ClientException) as caught:
        sdk_client(base_url, secret="not-the-secret").get_account_info(request)
    error = caught.value
    assert error.code == "SignatureDoesNotMatch"
    assert error.status_code == 400
    assert REQUEST_ID.match(error.request_id)


def test_sdk_with_an_unknown_access_key(base_url: str) -> None:
    request = sdk_models.GetAccountInfoRequest(current_page=1, page_size=5, user_type="1")
    with pytest.raises(ClientException) as caught:
        sdk_client(base_url, ak="LTAI5tNobody").get_account_info(request)
    assert (caught.value.code, caught.value.status_code) == ("InvalidAccessKeyId.NotFound", 404)


@pytest.mark.anyio
async def test_adapter_and_sdk_agree_over_http(base_url: str, simulator: AgencySimulator) -> None:
    account = PartnerAccount("contract", "aliyun", "Contract", PartnerRole.DISTRIBUTOR, base_url, PROGRAM)
    credentials = {
        "access_key_id": Secret(PARTNER.access_key_id),
        "access_key_secret": Secret(PARTNER.access_key_secret),
    }
    async with httpx.AsyncClient(base_url=base_url) as http:
        page = await AliyunProvider(account, credentials, http).list_customers(0, 100)
    sdk_rows = []
    for user_type in ("1", "2"):
        for number in (1, 2, 3):
            request = sdk_models.GetAccountInfoRequest(current_page=number, page_size=20, user_type=user_type)
            sdk_rows += sdk_client(base_url).get_account_info(request).body.account_info_list.account_info
    invited_rows = (
        sdk_client(base_url)
        .get_unassociated_customer(sdk_models.GetUnassociatedCustomerRequest(current_page=1, page_size=100))
        .body.invite_info_list.invite_info
    )
    accounts, invited = page.items[: len(sdk_rows)], page.items[len(sdk_rows) :]
    assert len(sdk_rows) == 40
    assert page.total == len(sdk_rows) + len(invited_rows)
    assert [c.native_id for c in accounts] == [str(row.uid) for row in sdk_rows]
    assert [c.owner for c in accounts] == [row.customer_bd for row in sdk_rows]
    assert json.dumps([c.name for c in accounts], ensure_ascii=False) == json.dumps(
        [row.account_nickname for row in sdk_rows], ensure_ascii=False
    )
    # Then the invitees (no UID yet), as GetUnassociatedCustomer lists them.
    assert [c.native_id for c in invited] == [f"invitation-{row.invite_id}" for row in invited_rows]
    assert {c.status.value for c in invited} <= {"INVITED", "INVITATION_EXPIRED"}
    assert all(c.invitation_expires_at is not None for c in invited)
