"""Account operations of the Agency API (2022-12-16): GetAccountInfo, CreateCustomer, ListCountries."""

from __future__ import annotations

from typing import Any

from adapters.aliyun.simulator._call import Call, optional_int, required_int, required_str
from adapters.aliyun.simulator._records import CustomerFiling
from adapters.aliyun.simulator._responses import BusinessError, console_time
from adapters.aliyun.simulator._seed_business import COUNTRIES
from adapters.aliyun.simulator._state import EndAccount

__all__ = ["CreateCustomer", "GetAccountInfo", "ListCountries", "account_info_row"]

#: GetAccountInfo ``PageSize`` is at most 20 (A.4.3).
MAX_PAGE_SIZE = 20


def account_info_row(account: EndAccount) -> dict[str, Any]:
    """One ``AccountInfoList.AccountInfo[]`` entry with the wire names and types of A.4.3."""
    return {
        "Uid": account.uid,  # JSON integer, 64-bit
        "Cid": account.cid,
        "AccountNickname": account.nickname,
        "AliyunId": account.aliyun_id,
        "Email": account.email,
        "Mobile": account.mobile,
        "SubAccountType": account.sub_account_type,
        "CustomerAccountType": account.customer_account_type,
        "CustomerEnterpriseCertified": account.enterprise_certified,
        "CustomerBd": account.customer_bd,
        "NewBuyStatus": account.new_buy_status,
        "DelayStatus": account.delay_status,
        "DelayAmount": str(account.delay_amount),  # a decimal string
        # "Timestamp string" (A.4.3); rendered like the console, China time.
        "AssociationSuccessTime": console_time(account.associated_at),
        "RegisterCountryCode": account.register_country_code,
        "Remark": account.remark,
    }


def GetAccountInfo(call: Call) -> dict[str, Any]:  # named exactly after the Action (STYLE.md)
    """A.4.3: customers of one ``UserType`` a page at a time, or the one with ``Uid``."""
    page = required_int(call, "CurrentPage", low=1)
    size = required_int(call, "PageSize", low=1, high=MAX_PAGE_SIZE)
    uid_raw = call.text("Uid")
    user_type_raw = call.text("UserType")
    if not uid_raw and not user_type_raw:
        raise BusinessError("3062", "UID and UserType are both empty.")
    user_type = None
    if user_type_raw:
        if user_type_raw not in ("1", "2", "3"):
            raise BusinessError("3063", "UserType value out of range.")
        user_type = int(user_type_raw)
    uid = None
    if uid_raw:
        if not uid_raw.isdigit():
            raise BusinessError("3029", "Invalid UID.")
        uid = optional_int(call, "Uid")
    accounts = call.partner.accounts
    if uid is not None:
        accounts = [account for account in accounts if account.uid == uid]
        if not accounts:
            raise BusinessError("3029", "Invalid UID.")
    if user_type is not None:
        accounts = [account for account in accounts if account.user_type == user_type]
    window = accounts[(page - 1) * size : page * size]
    return {
        "Code": "200",
        "Success": True,
        "Message": "Success",
        "PageInfo": {"Page": page, "PageSize": size, "Total": len(accounts)},
        "AccountInfoList": {"AccountInfo": [account_info_row(account) for account in window]},
    }


def ListCountries(call: Call) -> dict[str, Any]:
    """A.4.2: the region codes ``CreateCustomer.Nation`` accepts (GET, no parameters)."""
    return {"Code": "200", "Success": True, "Message": "Success", "Data": list(COUNTRIES)}


def CreateCustomer(call: Call) -> dict[str, Any]:
    """A.4.2: file a customer (报备). ``Data`` is true and the new CID is the ``Message`` (per the SDK)."""
    name = required_str(call, "CustomerName")
    source = required_str(call, "CustomerSource")
    trade = required_str(call, "CustomerTrade")
    nation = required_str(call, "Nation")
    if len(name.encode("utf-8")) > 150:  # the 3030 limit of SetAccountInfo nicknames (SDK)
        raise BusinessError("3030", "Customer Name exceeds maximum length, maximum length 150 bytes.")
    if nation not in COUNTRIES:
        raise BusinessError("InvalidParameter.Nation", f"Nation {nation} is not in ListCountries.")
    filing = CustomerFiling(
        cid=call.state.next_id(),
        name=name,
        source=source,
        trade=trade,
        sub_trade=call.text("CustomerSubTrade"),
        nation=nation,
        created_at=call.state.now(),
    )
    call.partner.filings.append(filing)
    call.applied()
    return {"Code": "200", "Success": True, "Message": str(filing.cid), "Data": True}
