"""``partner-gateway simulator <provider>`` as a user runs it: a real process, called by the official SDKs
with the credentials given on its command line."""

from __future__ import annotations

import pytest
from alibabacloud_agency20221216 import models as aliyun_models
from alibabacloud_agency20221216.client import Client as AliyunClient
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config as AliyunConfig
from huaweicloudsdkbss.v2 import BssClient, ListSubCustomersRequest, QuerySubCustomerListReq
from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from tests.support.servers import free_port, process_serving
from tests.test_cli import EXE


def aliyun_client(port: int, access_key_id: str, secret: str) -> AliyunClient:
    config = AliyunConfig(
        access_key_id=access_key_id, access_key_secret=secret, endpoint=f"127.0.0.1:{port}", protocol="http"
    )
    return AliyunClient(config)


def test_the_aliyun_simulator_serves_the_partner_whose_keys_it_was_given() -> None:
    port = free_port()
    args = [EXE, "simulator", "aliyun", "--port", str(port)]
    args += ["--access-key-id", "LTAI5tMyOwnKey", "--access-key-secret", "my-own-secret"]
    with process_serving(args, f"http://127.0.0.1:{port}/") as process:
        request = aliyun_models.GetAccountInfoRequest(current_page=1, page_size=20, user_type="1")
        body = aliyun_client(port, "LTAI5tMyOwnKey", "my-own-secret").get_account_info(request).body
        assert body.code == "200"
        assert body.page_info.total > 0
        assert len(body.account_info_list.account_info) == min(20, body.page_info.total)
        with pytest.raises(ClientException) as refused:
            aliyun_client(port, "LTAI5tMyOwnKey", "not-my-secret").get_account_info(request)
        assert refused.value.code == "SignatureDoesNotMatch"
        process.terminate()
        banner = process.communicate(timeout=10)[0]
    assert "LTAI5tMyOwnKey" in banner
    assert f"127.0.0.1:{port}" in banner


def test_the_huaweicloud_simulator_serves_the_partner_whose_keys_it_was_given() -> None:
    port = free_port()
    args = [EXE, "simulator", "huaweicloud", "--port", str(port)]
    args += ["--access-key", "MYOWNAK", "--secret-key", "my-own-sk", "--domain-id", "d0d0d0"]
    with process_serving(args, f"http://127.0.0.1:{port}/") as process:

        def client(secret: str) -> BssClient:
            credentials = GlobalCredentials("MYOWNAK", secret, "d0d0d0")
            return (
                BssClient.new_builder().with_credentials(credentials).with_endpoint(f"http://127.0.0.1:{port}").build()
            )

        request = ListSubCustomersRequest(body=QuerySubCustomerListReq(offset=0, limit=5))
        answer = client("my-own-sk").list_sub_customers(request)
        assert answer.count >= 30
        assert len(answer.customer_infos) == 5
        with pytest.raises(ClientRequestException) as refused:
            client("not-my-sk").list_sub_customers(request)
        assert refused.value.status_code == 401
        assert refused.value.error_code == "APIGW.0301"
        process.terminate()
        banner = process.communicate(timeout=10)[0]
    assert "MYOWNAK" in banner
    assert "d0d0d0" in banner
