"""GetSubPartnerList (2025-02-27, A.5.1): the distributor's T2 partners."""

from __future__ import annotations

from typing import Any

from adapters.aliyun.simulator._call import Call, paged, require_distributor, required_int
from adapters.aliyun.simulator._responses import console_time

__all__ = ["GetSubPartnerList"]

MAX_PAGE_SIZE = 100


def GetSubPartnerList(call: Call) -> dict[str, Any]:
    """A.5.1: no ``Code`` in this envelope; ``PageNo``/``PageSize`` are strings, ``MasterUid`` too."""
    require_distributor(call)
    page = required_int(call, "PageNo", low=1)
    size = required_int(call, "PageSize", low=1, high=MAX_PAGE_SIZE)
    name, pid = call.text("SubPartnerCompanyName"), call.text("SubPartnerPid")
    partners = [
        p for p in call.partner.sub_partners if (not name or name in p.company_name) and (not pid or p.pid == pid)
    ]
    rows = [
        {
            "Pid": p.pid,
            "CompanyName": p.company_name,
            "MasterUid": str(p.master_uid),
            "MasterAccount": p.master_account,
            "Contact": p.contact,
            "AgreementStatus": p.agreement_status,
            "AgreementStatusDesc": p.agreement_status_desc,
            "JoinTime": console_time(p.joined_at),
            "Province": p.province,
            "City": p.city,
            "District": p.district,
            "Address": p.address,
        }
        for p in paged(partners, page, size)
    ]
    return {"Success": True, "Message": "Success", "PageNo": str(page), "PageSize": str(size),
            "Total": len(partners), "SubPartnerList": rows}  # fmt: skip
