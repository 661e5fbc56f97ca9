"""Partner accounts: the distributor's own accounts in each cloud's partner program."""

from __future__ import annotations

import strawberry

from gateway.ids import encode_global_id
from gateway.models import PartnerAccount, PartnerRole
from gateway.schema.relay import Node

__all__ = ["Partner", "PartnerRoleEnum"]

PartnerRoleEnum = strawberry.enum(
    PartnerRole, name="PartnerRole", description="The partner account's place in its cloud's partner program."
)


@strawberry.type(description="One of the distributor's partner accounts at one cloud.")
class Partner(Node):
    id: strawberry.ID
    provider: str = strawberry.field(description="The provider plug-in's name, e.g. aliyun or huaweicloud.")
    name: str
    role: PartnerRoleEnum  # type: ignore[valid-type]

    @classmethod
    def from_account(cls, account: PartnerAccount) -> Partner:
        return cls(
            id=strawberry.ID(encode_global_id("Partner", account.id)),
            provider=account.provider,
            name=account.name,
            role=account.role,
        )
