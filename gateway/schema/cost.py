"""What a request will cost the upstreams, estimated from the document before it runs.

The estimate counts upstream calls, as Apollo Router's demand control and GitHub's GraphQL rate limit
count list sizes: a field costs its own calls plus, for a list, the cost of its selection times the number
of items it can return. A connection returns ``first`` items (``DEFAULT_PAGE_SIZE`` when absent) and reads
them ``UPSTREAM_PAGE_SIZE`` per call; a list across partner accounts costs its calls once per account; a
field that calls an upstream per item (a customer's funds: one credit lookup each) costs per item. It is an
upper bound for ordinary reads: filters that scan, cursors far into a list and retries can cost more, the
caches of a request less. The actual count is reported beside it (``extensions.cost.actual``).

``COSTS`` is the one table, keyed ``"Type.field"``; ``tests/test_cost.py`` fails when a list, a connection,
a root field or a resolver that awaits something has no entry. Fields not in it cost nothing themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from math import ceil
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    get_named_type,
    is_interface_type,
    is_object_type,
)

from gateway.consumption import DEFAULT_MONTHS, MonthRange
from gateway.errors import InvalidInput
from gateway.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

__all__ = ["COSTS", "UPSTREAM_PAGE_SIZE", "FieldCost", "estimate"]

UPSTREAM_PAGE_SIZE = 20
"""Items one upstream list call returns (the adapters' default page size)."""


@dataclass(frozen=True, slots=True)
class FieldCost:
    """What resolving a field once costs, in upstream calls."""

    calls: int = 0
    """Calls each time the field resolves (a connection: besides its pages, e.g. a count)."""
    page: bool = False
    """A connection: ``first`` items; its ``edges`` and ``nodes`` run their selection for each."""
    upstream_pages: bool = False
    """The connection's items come from an upstream, ``UPSTREAM_PAGE_SIZE`` per call."""
    per_account: bool = False
    """Across every partner account: the calls and pages are made once per account."""
    accounts_bound: bool = False
    """The list has at most one item per partner account (``first`` notwithstanding)."""
    per_item: bool = False
    """A connection's ``edges`` or ``nodes``: the selection runs once per item of the page."""
    ids: str | None = None
    """A list as long as this argument (a list of ids): the calls and the selection run per id."""
    shared: str | None = None
    """Fields of one object that share one load (funds, balance, credit line): counted once per object."""
    per_request: bool = False
    """Read once per request whatever the number of objects (a cached list): never multiplied."""
    per_month: bool = False
    """The calls are per billing month of the field's ``from``/``to`` range (consumption), plus the month
    before its last (the month-on-month comparison): 13 for the default 12 months."""


FREE = FieldCost()
_PAGE = FieldCost(page=True, upstream_pages=True)
_ACROSS = FieldCost(calls=1, page=True, upstream_pages=True, per_account=True)
"""A list across accounts: a page of each account, and one call to count or place it (per account)."""
_STORE = FieldCost(page=True)
_ITEMS = FieldCost(per_item=True)
_MONTHS = FieldCost(calls=4, per_month=True)
"""Consumption of one customer: a month is up to four reads (a bill listing per charge mode, and who consumed)."""
_ACCOUNT_MONTHS = FieldCost(calls=12, per_month=True)
"""Consumption of a partner account: a month is a listing per charge mode, page by page (about 11 reads measured on
the Huawei demo, 1 or 2 on the Aliyun one)."""
_YEAR = FieldCost(calls=12 * 12)
"""A partner account's program standing: the fiscal year's months to date (at most 12), as above."""
_RESELLER_YEAR = FieldCost(calls=6 * 12)
"""A reseller's performance: the fiscal year's months to date, each a few reads narrowed to the reseller."""
_WRITE = FieldCost(calls=2)
"""A mutation: the write, and the read of the object it returns (retries and settling not counted)."""

_CONNECTIONS = (
    "AuditRecord",
    "CommissionableProduct",
    "Customer",
    "CreditRecord",
    "LedgerEntry",
    "Note",
    "Order",
    "OwnVoucher",
    "Partner",
    "PendingOperation",
    "Project",
    "QuotaMovement",
    "Reseller",
    "Voucher",
    "VoucherApplication",
    "VoucherQuota",
    "VoucherRecord",
    "VoucherTemplate",
    "WebhookDelivery",
)
"""The item types of the connections."""

COSTS: Mapping[str, FieldCost] = {
    # Root fields.
    "Query.node": FieldCost(calls=1),
    "Query.nodes": FieldCost(calls=1, ids="ids"),
    "Query.partners": FieldCost(page=True, accounts_bound=True),
    "Query.capabilities": FREE,
    "Query.viewer": FREE,  # the request's own principal
    "Query.customers": _ACROSS,
    "Query.resellers": _ACROSS,
    "Query.vouchers": _ACROSS,
    "Query.orders": _ACROSS,
    "Query.projects": _STORE,
    "Query.regions": FieldCost(calls=1),
    "Query.priceQuote": FieldCost(calls=1),
    "Query.catalogue": FieldCost(calls=1),
    "Query.auditLog": _STORE,
    "Query.pendingOperations": _STORE,
    "Query.recentEvents": FREE,  # the outbox's latest events: the gateway's store, never an upstream
    "Query.consumption": FieldCost(calls=12, per_month=True, per_account=True),
    "Subscription.events": FREE,  # read from the gateway's outbox, never from an upstream
    **{
        f"Mutation.{name}": _WRITE
        for name in (
            "createCustomer",
            "sendVerificationCode",
            "resendInvitation",
            "setCustomerFrozen",
            "setCreditLine",
            "setWarningThreshold",
            "setNewPurchaseBan",
            "setShutdownPolicy",
            "setAutomaticWriteOff",
            "transferFunds",
            "reclaimFunds",
            "addNote",
            "assignCustomer",
            "inviteReseller",
            "allocateResellerFunds",
            "reclaimResellerFunds",
            "grantVoucherQuota",
            "reclaimVoucherQuota",
            "issueVoucher",
            "reclaimVoucher",
            "createVoucherTemplate",
            "deleteVoucherTemplate",
            "decideVoucherApplication",
            "fileProject",
            "recordProjectApproval",
            "confirmProject",
            "advanceProject",
            "closeProjectLost",
            "setProjectWinRate",
            "linkProjectOpportunity",
            "setProjectFlags",
            "addProjectConfiguration",
            "setProjectConfigurationStatus",
        )
    },
    "Mutation.resendInvitations": FieldCost(calls=2, ids="items"),
    # Webhook deliveries: the gateway's own records (the store), no upstream call.
    "Query.webhookDeliveries": _STORE,
    "Mutation.redeliverWebhook": FREE,
    # Connections: a page's items.
    **{f"{kind}Connection.{field}": _ITEMS for kind in _CONNECTIONS for field in ("edges", "nodes")},
    # Totals: the pages' answers carry them (per account: the list's own call); a filter's full scan is
    # not estimated.
    **{f"{kind}Connection.totalCount": FREE for kind in _CONNECTIONS},
    # What hangs off an object.
    "Customer.funds": FieldCost(calls=1, shared="funds"),
    "Customer.balance": FieldCost(calls=1, shared="funds"),
    "Customer.creditLine": FieldCost(calls=1, shared="funds"),
    "Customer.vouchers": FieldCost(calls=1, per_account=True, per_request=True, shared="vouchers"),
    "Customer.voucherCount": FieldCost(calls=1, per_account=True, per_request=True, shared="vouchers"),
    "Customer.orders": _PAGE,
    "Customer.notes": _PAGE,
    "Customer.creditHistory": _PAGE,
    "Customer.newCustomerTag": FieldCost(calls=1, per_account=True, per_request=True, shared="new-tags"),
    "Customer.consumption": _MONTHS,
    "Partner.consumption": _ACCOUNT_MONTHS,
    "Partner.program": _YEAR,
    "Reseller.performance": _RESELLER_YEAR,
    "CustomerConsumption.customer": FieldCost(calls=1),
    "Consumption.partners": FREE,
    "Consumption.totals": FREE,
    "Consumption.byProduct": FREE,
    "Consumption.topCustomers": FREE,
    "Consumption.trend": FREE,
    "ConsumptionComparison.current": FREE,
    "ConsumptionComparison.previous": FREE,
    "ConsumptionComparison.change": FREE,
    "ProgramStanding.sources": FREE,
    "ProgramStanding.notCounted": FREE,
    "RebateStanding.tiers": FREE,
    "Partner.capabilities": FREE,
    "Partner.balances": FieldCost(calls=1),
    "Partner.voucherQuotas": _PAGE,
    "Partner.ledger": _PAGE,
    "Partner.quotaMovements": _PAGE,
    "Partner.customers": _PAGE,
    "Partner.resellers": _PAGE,
    "Partner.vouchers": _PAGE,
    "Partner.orders": _PAGE,
    "Partner.voucherTemplates": _PAGE,
    "Partner.voucherRecords": _PAGE,
    "Partner.commissionableProducts": _PAGE,
    "Partner.renewalRates": FieldCost(calls=1),
    "Partner.billFiles": FieldCost(calls=2),
    "Partner.ownVouchers": _PAGE,
    "Partner.incentivePolicies": FieldCost(calls=1),
    "Partner.voucherTemplateProducts": FieldCost(calls=1),
    "Partner.voucherApplications": _PAGE,
    "Partner.voucherApplication": FieldCost(calls=1),
    "ProviderCapabilities.operations": FREE,
    "Reseller.funds": FieldCost(calls=1),
    "Reseller.voucherQuotas": _PAGE,
    "Reseller.fundMovements": _PAGE,
    "Reseller.quotaMovements": _PAGE,
    "Reseller.customers": _PAGE,
    "Voucher.customer": FieldCost(calls=1),
    "Order.customer": FieldCost(calls=1),
    "Project.customer": FieldCost(calls=1),
    "Project.history": FREE,
    "Project.configurations": FREE,
    "Project.orders": _PAGE,
    "AuditRecord.requestIds": FREE,
    "OperationReceipt.upstreamIds": FREE,
    "PriceQuote.offers": FREE,  # part of the quote's one answer
    "VoucherApplication.grants": FREE,  # part of the application's detail
    "OperationReceipt.failures": FREE,
    "AssignmentPayload.customer": FieldCost(calls=1),
    "CreateCustomerPayload.customer": FieldCost(calls=1),
    "CustomerPayload.customer": FieldCost(calls=1),
    # A bulk resend's items: the mutation counts its selection once per item (``ids="items"``).
    "ResendInvitationsPayload.items": FREE,
    "ResendInvitationOutcome.customer": FieldCost(calls=1),
    "ResellerPayload.reseller": FieldCost(calls=1),
    "VoucherPayload.customer": FieldCost(calls=1),
    "VoucherPayload.vouchers": FieldCost(calls=1),
}


def estimate(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    accounts: int,
) -> int:
    """The estimated upstream calls of the operation ``operation_name`` would make (the largest of the
    document's operations when it names none). The document is within the limits of ``gateway.schema.limits``
    already, so walking it with every fragment expanded is bounded by ``max_fields``."""
    walk = _Estimate(schema, document, variables if isinstance(variables, Mapping) else {}, max(accounts, 1))
    costs = [
        walk.operation(definition)
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        and (operation_name is None or (definition.name is not None and definition.name.value == operation_name))
    ]
    return max(costs, default=0) + sum(walk.once.values())


class _Estimate:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any], accounts: int):
        self.schema = schema
        self.variables = variables
        self.accounts = accounts
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.once: dict[str, int] = {}
        """Per-request loads seen, and their cost (added once, whatever the multiplier)."""

    def operation(self, definition: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(definition.operation)
        return self.selections(definition.selection_set, root, DEFAULT_PAGE_SIZE, set()) if root else 0

    def selections(
        self, node: SelectionSetNode | None, parent: GraphQLNamedType | None, page: int, shared: set[str]
    ) -> int:
        """The cost of a selection set on ``parent``; ``page``: the items of the enclosing connection."""
        total = 0
        for selection in node.selections if node is not None else ():
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page, shared)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, inner, page, shared)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    inner = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.selections(fragment.selection_set, inner, page, shared)
        return total

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, page: int, shared: set[str]) -> int:
        if not (is_object_type(parent) or is_interface_type(parent)):
            return 0
        definition = parent.fields.get(node.name.value)
        if definition is None:  # graphql-core's validation reports it
            return 0
        cost = COSTS.get(f"{parent.name}.{node.name.value}", FREE)
        child_type = get_named_type(definition.type)
        calls = cost.calls * (self.accounts if cost.per_account else 1) * (self._months(node) if cost.per_month else 1)
        if cost.shared is not None:
            if cost.shared in shared:
                calls = 0
            shared.add(cost.shared)
        if cost.per_request:
            key = f"{parent.name}.{cost.shared}"
            self.once[key] = max(self.once.get(key, 0), calls)
            calls = 0
        if cost.page:
            size = self._first(node)
            if cost.accounts_bound:
                size = min(size, self.accounts)
            pages = ceil(size / UPSTREAM_PAGE_SIZE) if cost.upstream_pages else 0
            calls += pages * (self.accounts if cost.per_account else 1)
            return calls + self.selections(node.selection_set, child_type, size, set())
        items = page if cost.per_item else self._ids(node, cost.ids) if cost.ids else 1
        return items * (calls + self.selections(node.selection_set, child_type, page, set()))

    def _argument(self, node: FieldNode, name: str) -> object:
        for argument in node.arguments or ():
            if argument.name.value == name:
                value = argument.value
                if isinstance(value, VariableNode):
                    return self.variables.get(value.name.value)
                if isinstance(value, IntValueNode):
                    return int(value.value)
                if isinstance(value, ListValueNode):
                    return list(value.values)
                if isinstance(value, StringValueNode):
                    return value.value
                return None
        return None

    def _first(self, node: FieldNode) -> int:
        first = self._argument(node, "first")
        if not isinstance(first, int) or isinstance(first, bool):
            return DEFAULT_PAGE_SIZE
        return min(max(first, 1), MAX_PAGE_SIZE)  # past the bounds the resolver refuses it

    def _months(self, node: FieldNode) -> int:
        """The months a consumption field reads: its range (the default 12 when unreadable: the resolver refuses
        a bad one) and the month before the range's last."""
        start, end = self._argument(node, "from"), self._argument(node, "to")
        try:
            span = MonthRange.of(start if isinstance(start, str) else None, end if isinstance(end, str) else None)
        except InvalidInput:
            return DEFAULT_MONTHS + 1
        return len(span.months) + (1 if span.start == span.end else 0)

    def _ids(self, node: FieldNode, name: str) -> int:
        ids = self._argument(node, name)
        return len(ids) if isinstance(ids, list) else 1
