"""The GraphQL schema: the only package that imports strawberry. One module per type family."""

from __future__ import annotations

import strawberry

from gateway.schema.context import Context
from gateway.schema.customers import CustomerQuery
from gateway.schema.errors import GatewayErrors, GatewaySchema

__all__ = ["Context", "build_schema"]


@strawberry.type
class Query(CustomerQuery):
    pass


def build_schema() -> strawberry.Schema:
    return GatewaySchema(query=Query, extensions=[GatewayErrors])
