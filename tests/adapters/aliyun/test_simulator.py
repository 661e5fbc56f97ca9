"""The Agency simulator: signature checks with Aliyun's refusal shape, and GetAccountInfo (A.4.3)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from adapters.aliyun._client import flatten_params
from adapters.aliyun._signing import Acs3Signer
from adapters.aliyun.simulator import AgencySimulator, InvitationStatus, SimulatedClock, create_app
from gateway.models import Secret
from tests.adapters.aliyun.conftest import DISTRIBUTOR, ENDPOINT, RESELLER

pytestmark = pytest.mark.anyio

REQUEST_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
REFUSAL_KEYS = {"RequestId", "HostId", "Code", "Message", "Recommend"}


async def send(
    app: AgencySimulator,
    params: dict[str, object],
    *,
    action: str = "GetAccountInfo",
    version: str | None = "2022-12-16",
    signer: Acs3Signer | None = None,
    tamper: Callable[[httpx.Request], None] | None = None,
) -> httpx.Response:
    headers = {"x-acs-action": action, "accept": "application/json", "user-agent": "test"}
    if version is not None:
        headers["x-acs-version"] = version
    async with httpx.AsyncClient(base_url=ENDPOINT, transport=httpx.ASGITransport(app=app)) as client:
        request = client.build_request("GET", "/", params=flatten_params(params), headers=headers)
        (signer or Acs3Signer(DISTRIBUTOR.access_key_id, Secret(DISTRIBUTOR.access_key_secret))).sign(request)
        if tamper is not None:
            tamper(request)
        return await client.send(request)


def refusal(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    body = json.loads(response.content)
    assert response.status_code == status, body
    assert set(body) == REFUSAL_KEYS
    assert body["Code"] == code
    assert REQUEST_ID.match(body["RequestId"])
    assert body["HostId"] == "agency.aliyuncs.com"
    assert response.headers["x-acs-request-id"] == body["RequestId"]
    return body


LIST_1 = {"CurrentPage": 1, "PageSize": 5, "UserType": 1}


async def test_a_signed_request_gets_the_envelope(simulator: AgencySimulator) -> None:
    response = await send(simulator, LIST_1)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"RequestId", "Code", "Success", "Message", "PageInfo", "AccountInfoList"}
    assert (body["Code"], body["Success"]) == ("200", True)
    assert REQUEST_ID.match(body["RequestId"])
    assert body["PageInfo"]["Page"] == 1
    assert body["PageInfo"]["PageSize"] == 5
    rows = body["AccountInfoList"]["AccountInfo"]
    assert len(rows) == 5
    assert all(isinstance(row["Uid"], int) and isinstance(row["Cid"], int) for row in rows)
    assert all(isinstance(row["DelayAmount"], str) for row in rows)


async def test_wrong_signature(simulator: AgencySimulator) -> None:
    wrong = Acs3Signer(DISTRIBUTOR.access_key_id, Secret("not-the-secret"))
    body = refusal(await send(simulator, LIST_1, signer=wrong), 400, "SignatureDoesNotMatch")
    assert "not-the-secret" not in json.dumps(body)


async def test_tampered_query_is_refused(simulator: AgencySimulator) -> None:
    def tamper(request: httpx.Request) -> None:
        request.url = request.url.copy_merge_params({"UserType": "2"})

    refusal(await send(simulator, LIST_1, tamper=tamper), 400, "SignatureDoesNotMatch")


async def test_unknown_access_key(simulator: AgencySimulator) -> None:
    stranger = Acs3Signer("LTAI5tNobody", Secret("whatever"))
    refusal(await send(simulator, LIST_1, signer=stranger), 404, "InvalidAccessKeyId.NotFound")


async def test_stale_date(simulator: AgencySimulator, clock: SimulatedClock) -> None:
    late = Acs3Signer(
        DISTRIBUTOR.access_key_id, Secret(DISTRIBUTOR.access_key_secret), clock=lambda: clock() - timedelta(minutes=16)
    )
    refusal(await send(simulator, LIST_1, signer=late), 400, "InvalidTimeStamp.Expired")
    clock.advance(timedelta(minutes=20))  # the simulator's clock moves on: a fresh date is now in the future
    early = Acs3Signer(
        DISTRIBUTOR.access_key_id, Secret(DISTRIBUTOR.access_key_secret), clock=lambda: clock() - timedelta(minutes=20)
    )
    refusal(await send(simulator, LIST_1, signer=early), 400, "InvalidTimeStamp.Expired")


async def test_reused_nonce(simulator: AgencySimulator, clock: SimulatedClock) -> None:
    fixed = Acs3Signer(
        DISTRIBUTOR.access_key_id, Secret(DISTRIBUTOR.access_key_secret), clock=clock, nonce=lambda: "n" * 32
    )
    assert (await send(simulator, LIST_1, signer=fixed)).status_code == 200
    refusal(await send(simulator, LIST_1, signer=fixed), 400, "SignatureNonceUsed")
    # The same nonce from another partner account is a different nonce.
    other = Acs3Signer(RESELLER.access_key_id, Secret(RESELLER.access_key_secret), clock=clock, nonce=lambda: "n" * 32)
    assert (await send(simulator, LIST_1, signer=other)).status_code == 200


async def test_a_refused_request_does_not_burn_its_nonce(simulator: AgencySimulator) -> None:
    forged = Acs3Signer(DISTRIBUTOR.access_key_id, Secret("forged"), nonce=lambda: "f" * 32)
    refusal(await send(simulator, LIST_1, signer=forged), 400, "SignatureDoesNotMatch")
    real = Acs3Signer(DISTRIBUTOR.access_key_id, Secret(DISTRIBUTOR.access_key_secret), nonce=lambda: "f" * 32)
    assert (await send(simulator, LIST_1, signer=real)).status_code == 200


async def test_missing_authorization(simulator: AgencySimulator) -> None:
    def strip(request: httpx.Request) -> None:
        del request.headers["Authorization"]

    refusal(await send(simulator, LIST_1, tamper=strip), 400, "MissingAuthorization")


@pytest.mark.parametrize(
    "value",
    [
        "ACS3-HMAC-SHA256 Credential=LTAI5tTestDistributor",
        "HMAC-SHA1 Credential=LTAI5tTestDistributor,SignedHeaders=host,Signature=ab",
    ],
)
async def test_malformed_authorization(simulator: AgencySimulator, value: str) -> None:
    def replace(request: httpx.Request) -> None:
        request.headers["Authorization"] = value

    refusal(await send(simulator, LIST_1, tamper=replace), 400, "IncompleteSignature")


async def test_unsigned_acs_header(simulator: AgencySimulator) -> None:
    def add(request: httpx.Request) -> None:
        request.headers["x-acs-extra"] = "sneaky"

    refusal(await send(simulator, LIST_1, tamper=add), 400, "IncompleteSignature")


async def test_body_hash_must_match(simulator: AgencySimulator) -> None:
    def lie(request: httpx.Request) -> None:
        request.headers["x-acs-content-sha256"] = "0" * 64

    refusal(await send(simulator, LIST_1, tamper=lie), 400, "SignatureDoesNotMatch")


async def test_query_with_percent_twenty_and_plus_both_verify(simulator: AgencySimulator) -> None:
    def percent(request: httpx.Request) -> None:
        request.url = request.url.copy_with(query=request.url.query.replace(b"+", b"%20"))

    params = {**LIST_1, "Remark": "a b c"}  # unknown parameters are ignored, but signed
    assert (await send(simulator, params)).status_code == 200
    assert (await send(simulator, params, tamper=percent)).status_code == 200


async def test_unknown_action_and_version(simulator: AgencySimulator) -> None:
    refusal(await send(simulator, LIST_1, action="NoSuchAction"), 404, "InvalidAction.NotFound")
    refusal(await send(simulator, LIST_1, version="2001-01-01"), 400, "InvalidVersion")
    refusal(await send(simulator, LIST_1, version=None), 400, "MissingVersion")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"CurrentPage": 1, "PageSize": 5}, "3062"),
        ({"CurrentPage": 1, "PageSize": 5, "UserType": 4}, "3063"),
        ({"CurrentPage": 1, "PageSize": 5, "Uid": "abc"}, "3029"),
        ({"CurrentPage": 1, "PageSize": 5, "Uid": 1}, "3029"),
    ],
)
async def test_business_errors_are_http_200(simulator: AgencySimulator, params: dict[str, object], code: str) -> None:
    response = await send(simulator, params)
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["Code"] == code
    assert body["Success"] is False
    assert body["Message"]
    assert REQUEST_ID.match(body["RequestId"])


async def test_page_size_is_at_most_20(simulator: AgencySimulator) -> None:
    refusal(await send(simulator, {"CurrentPage": 1, "PageSize": 21, "UserType": 1}), 400, "InvalidParameter")
    refusal(await send(simulator, {"PageSize": 5, "UserType": 1}), 400, "MissingCurrentPage")


async def test_lookup_by_uid_keeps_64_bit_ids(simulator: AgencySimulator) -> None:
    big = next(a for a in simulator.state.partners[DISTRIBUTOR.access_key_id].accounts if a.uid > 2**53)
    response = await send(simulator, {"CurrentPage": 1, "PageSize": 1, "Uid": big.uid})
    assert str(big.uid) in response.text  # the exact digits are on the wire
    (row,) = json.loads(response.content)["AccountInfoList"]["AccountInfo"]
    assert row["Uid"] == big.uid


async def test_each_partner_sees_its_own_customers(simulator: AgencySimulator) -> None:
    reseller = Acs3Signer(RESELLER.access_key_id, Secret(RESELLER.access_key_secret))
    mine = json.loads((await send(simulator, LIST_1)).content)
    theirs = json.loads((await send(simulator, LIST_1, signer=reseller)).content)
    uids = {row["Uid"] for row in mine["AccountInfoList"]["AccountInfo"]}
    assert uids.isdisjoint(row["Uid"] for row in theirs["AccountInfoList"]["AccountInfo"])


def test_seed_is_deterministic_and_rich() -> None:
    first = create_app([DISTRIBUTOR], seed=11).state.partners[DISTRIBUTOR.access_key_id]
    again = create_app([DISTRIBUTOR], seed=11).state.partners[DISTRIBUTOR.access_key_id]
    other = create_app([DISTRIBUTOR], seed=12).state.partners[DISTRIBUTOR.access_key_id]
    assert first.accounts == again.accounts
    assert first.accounts != other.accounts
    customers = [a for a in first.accounts if a.user_type in (1, 2)]
    assert len(customers) >= 30
    assert {a.user_type for a in customers} == {1, 2}
    assert {a.sub_account_type for a in customers} == {1, 2}
    assert any(a.uid > 2**53 for a in customers)
    assert len({a.uid for a in first.accounts}) == len(first.accounts)
    assert any(a.user_type == 3 for a in first.accounts)
    assert len({a.customer_bd for a in customers}) > 1
    assert all(isinstance(a.delay_amount, Decimal) for a in customers)
    statuses = {i.status(SimulatedClock()()) for i in first.invitations}
    assert statuses == {InvitationStatus.PENDING, InvitationStatus.EXPIRED}
    listed = {a.uid for a in first.accounts}
    assert all(i.invite_id not in listed for i in first.invitations)
