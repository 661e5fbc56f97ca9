"""Who is signed in (``viewer``): what a front end asks first, to show the screens the principal's role allows."""

from __future__ import annotations

import strawberry

from gateway.auth import Role
from gateway.schema.context import Context

__all__ = ["Viewer", "ViewerQuery"]

Info = strawberry.Info[Context, None]

RoleEnum = strawberry.enum(
    Role,
    name="Role",
    description="ADMIN: everything, the audit trail. FINANCE: every customer, moves money, contact details masked. "
    "SALES: only the customers whose owner is the principal's owner, no money.",
)


@strawberry.type(description="The principal of this request: the one an API key or a token stands for.")
class Viewer:
    name: str = strawberry.field(
        description="An API key's name, `jwt:<subject>` for a token, or the open mode's anonymous admin."
    )
    role: RoleEnum = strawberry.field(description="What the principal may do.")  # type: ignore[valid-type]
    owner: str | None = strawberry.field(
        description="The salesperson a sales principal stands for (its customers' owner); null for other roles."
    )
    moves_money: bool = strawberry.field(
        description="Whether the principal may move money (transfers, reclaims, credit lines, vouchers)."
    )


@strawberry.type
class ViewerQuery:
    @strawberry.field(description="Who is signed in: the principal of this request, its role and owner.")
    def viewer(self, info: Info) -> Viewer:
        principal = info.context.principal
        return Viewer(
            name=principal.name,
            role=principal.role,
            owner=principal.scoped_owner,
            moves_money=principal.moves_money,
        )
