"""The GraphQL schema: the only package that imports strawberry. One module per type family."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import strawberry
from strawberry.extensions import DisableIntrospection, MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from gateway.schema.catalog import OrderQuery, VoucherQuery
from gateway.schema.context import Context
from gateway.schema.customers import CustomerQuery
from gateway.schema.errors import GatewayErrors, GatewaySchema
from gateway.schema.mutations_customers import CustomerMutation
from gateway.schema.mutations_projects import AuditQuery, ProjectMutation
from gateway.schema.mutations_resellers import ResellerMutation, VoucherMutation
from gateway.schema.node import NodeQuery
from gateway.schema.partners import PartnerQuery
from gateway.schema.projects import ProjectQuery
from gateway.schema.reference import ReferenceQuery
from gateway.schema.resellers import ResellerQuery
from gateway.schema.scalars import DecimalScalar

__all__ = ["MAX_ALIASES", "MAX_DEPTH", "MAX_TOKENS", "Context", "build_schema", "sdl"]


@strawberry.type
class Query(
    NodeQuery,
    PartnerQuery,
    CustomerQuery,
    ResellerQuery,
    VoucherQuery,
    OrderQuery,
    ProjectQuery,
    ReferenceQuery,
    AuditQuery,
):
    pass


@strawberry.type
class Mutation(CustomerMutation, ResellerMutation, VoucherMutation, ProjectMutation):
    pass


#: Limits on one document: a front end's real queries stay far below them; a hostile one does not.
MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 2000


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    """``introspection=False`` (``[graphql] introspection``): ``__schema`` and ``__type`` are refused."""
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        scalar_overrides={Decimal: DecimalScalar},
        extensions=[
            GatewayErrors,
            partial(QueryDepthLimiter, max_depth=MAX_DEPTH),
            partial(MaxAliasesLimiter, max_alias_count=MAX_ALIASES),
            partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
            *([] if introspection else [DisableIntrospection]),
        ],
    )


def sdl() -> str:
    """The schema in GraphQL SDL, as committed in ``schema.graphql``."""
    return build_schema().as_str() + "\n"
