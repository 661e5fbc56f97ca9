"""The official Huawei Cloud SDK against our BSS simulator over real loopback HTTP.

The SDK is the oracle: if it signs, sends and parses list_sub_customers the way the simulator expects
and answers, the simulator (and so the adapter tested against it) speaks the real wire format.

SDK vs CONTRACTS.md, checked here:
* No disagreement found for list_sub_customers. The SDK signs ``content-type;host;user-agent;
  x-domain-id;x-sdk-date`` (H.2), sends the body with simplejson (H.1), reads ``count`` and
  ``customer_infos[]`` with ``customer_type``/``is_frozen`` as ``int`` and the rest as ``str`` (H.4.2),
  and takes ``request_id`` from the ``X-Request-Id`` header, not from the API Gateway body (H.3).
* The SDK sends query values percent-encoded with ``%20`` for spaces (H.2 step 9) while httpx sends
  ``+``; the simulator accepts both, and both sign the same canonical query.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from huaweicloudsdkbss.v2 import BssClient, ListSubCustomersRequest, QuerySubCustomerListReq
from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from adapters.huaweicloud.simulator import SimAccount, SimulatorState, SubCustomer, create_app
from tests.support.servers import live_server

ACCOUNT = SimAccount("AKSDKCONTRACT000001", "sdk-contract-secret", "5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d")
SEED = 3


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, list[SubCustomer]]]:
    app = create_app([ACCOUNT], seed=SEED)  # real clock: the SDK stamps X-Sdk-Date with the time now
    simulator: SimulatorState = app.state.simulator
    customers = simulator.by_access_key(ACCOUNT.access_key).customers  # type: ignore[union-attr]
    with live_server(app) as url:
        yield url, customers


def _client(url: str, secret_key: str = ACCOUNT.secret_key) -> BssClient:
    # domain_id is always given, or the SDK would call IAM to look it up (CONTRACTS.md H.1).
    credentials = GlobalCredentials(ACCOUNT.access_key, secret_key, ACCOUNT.domain_id)
    return BssClient.new_builder().with_credentials(credentials).with_endpoint(url).build()


def _list(url: str, **fields: object) -> object:
    return _client(url).list_sub_customers(ListSubCustomersRequest(body=QuerySubCustomerListReq(**fields)))


def test_sdk_reads_count_and_customer_fields(served: tuple[str, list[SubCustomer]]) -> None:
    url, customers = served
    response = _list(url, offset=0, limit=100)
    assert response.count == len(customers) >= 30  # type: ignore[attr-defined]
    infos = response.customer_infos  # type: ignore[attr-defined]
    assert [info.customer_id for info in infos] == [c.customer_id for c in customers]
    for info, seeded in zip(infos, customers, strict=True):
        assert info.account_name == seeded.account_name
        assert info.customer == seeded.customer
        assert info.associated_on == seeded.associated_on
        assert info.association_type == seeded.association_type
        assert info.customer_type == seeded.customer_type
        assert isinstance(info.customer_type, int)
        assert info.is_frozen == seeded.is_frozen
        assert isinstance(info.is_frozen, int)
        assert info.verified_status == seeded.verified_status
        assert info.customer_level == seeded.customer_level
        assert info.telephone == seeded.telephone
        assert info.email == seeded.email
        assert info.label == seeded.label
        assert info.xaccount_id == seeded.xaccount_id
        assert [m.account_name for m in info.account_managers or []] == seeded.account_managers


def test_sdk_pages_with_offset_and_limit(served: tuple[str, list[SubCustomer]]) -> None:
    url, customers = served
    default = _list(url)
    assert len(default.customer_infos) == 10  # type: ignore[attr-defined]  # default limit (H.4.2)
    seen = []
    for offset in range(0, len(customers), 8):
        page = _list(url, offset=offset, limit=8)
        assert page.count == len(customers)  # type: ignore[attr-defined]
        seen += [info.customer_id for info in page.customer_infos]  # type: ignore[attr-defined]
    assert seen == [c.customer_id for c in customers]


def test_sdk_filters(served: tuple[str, list[SubCustomer]]) -> None:
    url, customers = served
    resale = _list(url, association_type="2", limit=100)
    assert resale.count == sum(c.association_type == "2" for c in customers)  # type: ignore[attr-defined]
    named = next(c for c in customers if c.customer)
    fuzzy = _list(url, customer=named.customer[1:3], limit=100)  # type: ignore[index]  # UTF-8 body
    assert named.customer_id in {info.customer_id for info in fuzzy.customer_infos}  # type: ignore[attr-defined]


def test_sdk_with_wrong_secret_gets_client_request_exception(served: tuple[str, list[SubCustomer]]) -> None:
    url, _ = served
    request = ListSubCustomersRequest(body=QuerySubCustomerListReq(limit=1))
    with pytest.raises(ClientRequestException) as caught:
        _client(url, secret_key="wrong-secret").list_sub_customers(request)
    error = caught.value
    assert error.status_code == 401
    assert error.error_code == "APIGW.0301"
    assert error.error_msg.startswith("Incorrect IAM authentication information: verify aksk signature fail")
    assert error.request_id
    assert len(error.request_id) == 32


def test_sdk_sees_validation_errors(served: tuple[str, list[SubCustomer]]) -> None:
    url, _ = served
    with pytest.raises(ClientRequestException) as caught:
        _list(url, limit=101)
    assert caught.value.status_code == 400
    assert caught.value.error_code == "CBC.0100"
    assert caught.value.request_id
