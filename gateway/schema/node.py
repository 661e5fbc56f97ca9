"""``node(id)`` and ``nodes(ids)``: any object by its global id. Not found and not visible look alike
(null), so a sales key cannot learn that another owner's customer exists."""

from __future__ import annotations

import asyncio

import strawberry

from gateway.errors import InvalidInput, NotFound
from gateway.ids import decode_global_id, decode_opaque
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
    gateway = info.context.gateway
    if type_name == "Partner":
        (account_id,) = decode_global_id(global_id, "Partner", 1)
        try:
            return Partner.from_account(gateway.provider(account_id).account)
        except NotFound:
            return None
    if type_name == "Project":
        (number,) = decode_global_id(global_id, "Project", 1)
        project = await gateway.store.get_project(int(number)) if number.isdigit() else None
        if project is None or not info.context.principal.sees_owner(project.owner):
            return None
        return Project.from_domain(project)
    if type_name not in ("Customer", "Reseller", "Voucher", "Order"):
        raise InvalidInput("not the id of an object this gateway can fetch", field="id")
    account_id, native_id = decode_global_id(global_id, type_name, 2)
    try:
        account = gateway.provider(account_id).account
    except NotFound:
        return None
    loaders = info.context.loaders
    if type_name == "Customer":
        return await visible_customer(info, account, native_id)
    if type_name == "Reseller":
        if info.context.principal.scoped_owner is not None:
            return None
        reseller = await loaders.resellers.load((account_id, native_id))
        return Reseller.from_domain(reseller, account) if reseller else None
    if type_name == "Voucher":
        voucher = await loaders.vouchers.load((account_id, native_id))
        if voucher is None or not await _customer_visible(info, account_id, voucher.customer_id):
            return None
        return Voucher.from_domain(voucher, account)
    order = await loaders.orders.load((account_id, native_id))
    if order is None or not await _customer_visible(info, account_id, order.customer_id):
        return None
    return Order.from_domain(order, account)


async def _customer_visible(info: Info, account_id: str, customer_id: str | None) -> bool:
    if info.context.principal.scoped_owner is None:
        return True
    return customer_id is not None and customer_id in await info.context.session.owned_customer_ids(account_id)


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
