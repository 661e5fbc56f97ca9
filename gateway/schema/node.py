"""``node(id)`` and ``nodes(ids)``: any object by its global id. Not found and not visible look alike
(null), so a sales key cannot learn that another owner's customer exists."""

from __future__ import annotations

import asyncio

import strawberry

from gateway.errors import InvalidInput
from gateway.ids import decode_global_id, decode_number_id, decode_opaque
from gateway.schema.catalog import Order, Voucher, visible_customer
from gateway.schema.context import Context
from gateway.schema.partners import Partner
from gateway.schema.projects import Project
from gateway.schema.relay import Node
from gateway.schema.resellers import Reseller

__all__ = ["MAX_NODES", "NodeQuery"]

Info = strawberry.Info[Context, None]

MAX_NODES = 100


async def resolve_node(info: Info, global_id: str) -> Node | None:
    type_name = decode_opaque(global_id, "id", "id").partition(":")[0]
    session = info.context.session
    if type_name == "Partner":
        (account_id,) = decode_global_id(global_id, "Partner", 1)
        partner = session.partner(account_id)
        return Partner.from_account(partner) if partner is not None else None
    if type_name == "Project":
        number = decode_number_id(global_id, "Project")
        project = await session.project(number)
        return Project.from_domain(project) if project is not None else None
    if type_name not in ("Customer", "Reseller", "Voucher", "Order"):
        raise InvalidInput("not the id of an object this gateway can fetch", field="id")
    account_id, native_id = decode_global_id(global_id, type_name, 2)
    account = session.partner(account_id)
    if account is None:
        return None
    if type_name == "Customer":
        return await visible_customer(info, account, native_id)
    if type_name == "Reseller":
        reseller = await session.reseller(account_id, native_id)
        return Reseller.from_domain(reseller, account) if reseller else None
    if type_name == "Voucher":
        voucher = await session.voucher(account_id, native_id)
        return Voucher.from_domain(voucher, account) if voucher else None
    order = await session.order(account_id, native_id)
    return Order.from_domain(order, account) if order else None


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global id; null if it does not exist or is not yours to see.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)

    @strawberry.field(description=f"Several objects by global id (at most {MAX_NODES}), in the order asked.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise InvalidInput(f"at most {MAX_NODES} ids at once", field="ids")
        return list(await asyncio.gather(*(resolve_node(info, global_id) for global_id in ids)))
