"""The GraphQL schema: the only package that imports strawberry. One module per type family."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import strawberry
from strawberry.extensions import DisableIntrospection

from gateway.config_tables import LimitsConfig
from gateway.schema.catalog import OrderQuery, VoucherQuery
from gateway.schema.consumption import ConsumptionQuery
from gateway.schema.context import Context
from gateway.schema.customers import CustomerQuery
from gateway.schema.errors import GatewayErrors, GatewaySchema
from gateway.schema.events import EventQuery, EventSubscription, TransportOperations
from gateway.schema.limits import KnownDocuments, RequestLimits
from gateway.schema.mutations_credit import CreditMutation
from gateway.schema.mutations_customers import CustomerMutation
from gateway.schema.mutations_projects import AuditQuery, ProjectMutation
from gateway.schema.mutations_resellers import ResellerMutation, VoucherMutation
from gateway.schema.mutations_templates import TemplateMutation
from gateway.schema.node import NodeQuery
from gateway.schema.observed import ObservedOperation
from gateway.schema.partners import PartnerQuery
from gateway.schema.projects import ProjectQuery
from gateway.schema.reference import ReferenceQuery
from gateway.schema.resellers import ResellerQuery
from gateway.schema.scalars import DecimalScalar
from gateway.schema.viewer import ViewerQuery
from gateway.schema.webhooks import WebhookMutation, WebhookQuery

__all__ = ["MAX_ALIASES", "MAX_DEPTH", "MAX_TOKENS", "Context", "build_schema", "sdl"]


@strawberry.type
class Query(
    NodeQuery,
    PartnerQuery,
    CustomerQuery,
    ResellerQuery,
    VoucherQuery,
    OrderQuery,
    ConsumptionQuery,
    ProjectQuery,
    ReferenceQuery,
    AuditQuery,
    WebhookQuery,
    EventQuery,
    ViewerQuery,
):
    pass


@strawberry.type
class Mutation(
    CustomerMutation,
    CreditMutation,
    ResellerMutation,
    VoucherMutation,
    TemplateMutation,
    ProjectMutation,
    WebhookMutation,
):
    pass


@strawberry.type(description="Change events, pushed over WebSocket (graphql-transport-ws at /graphql).")
class Subscription(EventSubscription):
    pass


#: The default limits on one document (``[limits]`` in the configuration): see ``gateway.schema.limits``.
MAX_DEPTH = LimitsConfig().max_depth
MAX_ALIASES = LimitsConfig().max_aliases
MAX_TOKENS = LimitsConfig().max_tokens


def build_schema(
    limits: LimitsConfig | None = None, *, accounts: int = 1, introspection: bool = True
) -> strawberry.Schema:
    """The schema, with the request limits of ``limits`` (the defaults when absent); ``accounts``, the number
    of partner accounts, scales the cost estimate of lists across them. ``introspection=False`` (``[graphql]
    introspection``): ``__schema`` and ``__type`` are refused."""
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        scalar_overrides={Decimal: DecimalScalar},
        extensions=[
            ObservedOperation,
            GatewayErrors,
            partial(RequestLimits, limits=limits or LimitsConfig(), accounts=accounts, known=KnownDocuments()),
            TransportOperations,  # subscriptions over WebSocket, the rest over HTTP (gateway.schema.events)
            *([] if introspection else [DisableIntrospection]),
        ],
    )


def sdl() -> str:
    """The schema in GraphQL SDL, as committed in ``schema.graphql``."""
    return build_schema().as_str() + "\n"
