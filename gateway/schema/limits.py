"""Document limits and cost, checked before anything runs, in time linear in the document.

- **Tokens** are counted by graphql-core's lexer *before* the document is parsed, and counting stops at
  the first token over ``max_tokens``: a huge document costs no more than the limit, and no AST is built.
- **Depth, aliases and fields** are measured in one walk of the AST in which each fragment's figures are
  computed once and reused wherever it is spread (a fragment spread twice counts twice, at the cost of
  once). strawberry's limiters re-walk a fragment at each spread, so ``...F1 ...F1`` nested 23 times took
  seconds; here it takes microseconds. A fragment that spreads itself is refused (graphql-core's
  validation would refuse it too, but this walk runs first).
- **Cost**: the estimate of ``gateway.schema.cost``, refused above ``max_cost``.

A document text that passed all of this and graphql-core's validation once is a ``KnownDocument``: the same text
again (a front end sends the same few documents all day) reuses its parsed document and is not validated again,
its tokens and figures not counted again; its cost (which depends on the variables) is estimated every time,
as are the checks that depend on the request (``gateway.schema.events``). A bounded number of texts is kept.

Every answer says ``extensions.cost = {"estimated": N, "actual": M}``: ``actual`` is the number of upstream
requests the request really sent (``gateway.metering``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    Lexer,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Source,
    TokenKind,
)
from strawberry.extensions import SchemaExtension

from gateway.config_tables import LimitsConfig
from gateway.errors import CostTooHigh, GatewayError, QueryTooComplex
from gateway.metering import Meter, metered
from gateway.schema.cost import estimate

__all__ = ["Figures", "KnownDocuments", "RequestLimits", "check_document", "measure", "tokens_over"]

_SATURATED = 1 << 40
"""Counts stop growing here: a fragment bomb's 2**1000 fields need not be computed exactly."""
_MAX_NESTING = 200
"""Selection sets and fragment spreads nested deeper than this are refused (before Python's recursion limit)."""


def tokens_over(body: str, maximum: int) -> bool:
    """Whether ``body`` has more than ``maximum`` lexical tokens (comments included), reading at most
    ``maximum + 1`` of them. A lexing error is left to the parser to report."""
    lexer = Lexer(Source(body))
    position = count = 0
    try:
        while True:
            token = lexer.read_next_token(position)
            if token.kind == TokenKind.EOF:
                return False
            count += 1
            if count > maximum:
                return True
            position = token.end
    except GraphQLError:
        return False


@dataclass(frozen=True, slots=True)
class Figures:
    """One selection set's size, fragments expanded: ``fields`` counts fields and fragment spreads."""

    depth: int = 0
    aliases: int = 0
    fields: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            max(self.depth, other.depth),
            min(self.aliases + other.aliases, _SATURATED),
            min(self.fields + other.fields, _SATURATED),
        )


class _FragmentCycle(Exception):
    def __init__(self, spread: FragmentSpreadNode) -> None:
        super().__init__(spread.name.value)
        self.spread = spread


class _TooDeep(Exception):
    pass


class _Measure:
    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.done: dict[str, Figures] = {}
        self.open: set[str] = set()

    def selections(self, node: SelectionSetNode | None, nesting: int) -> Figures:
        if nesting > _MAX_NESTING:
            raise _TooDeep
        total = Figures()
        for selection in node.selections if node is not None else ():
            if isinstance(selection, FieldNode):
                inner = self.selections(selection.selection_set, nesting + 1)
                # Introspection (__schema, __type) is not counted for depth, as strawberry did not.
                counted = selection.selection_set is not None and not selection.name.value.startswith("__")
                total += Figures(
                    1 + inner.depth if counted else 0, inner.aliases + bool(selection.alias), 1 + inner.fields
                )
            elif isinstance(selection, InlineFragmentNode):
                total += self.selections(selection.selection_set, nesting + 1)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection, nesting + 1) + Figures(fields=1)
        return total

    def fragment(self, spread: FragmentSpreadNode, nesting: int) -> Figures:
        name = spread.name.value
        if name in self.done:
            return self.done[name]
        definition = self.fragments.get(name)
        if definition is None:  # graphql-core's validation reports it
            return Figures()
        if name in self.open:
            raise _FragmentCycle(spread)
        self.open.add(name)
        figures = self.done[name] = self.selections(definition.selection_set, nesting)
        self.open.discard(name)
        return figures


def measure(document: DocumentNode) -> list[tuple[OperationDefinitionNode, Figures]]:
    """Each operation's figures, every fragment measured once (raises ``GraphQLError`` on a fragment cycle)."""
    walk = _Measure(document)
    try:
        return [
            (definition, walk.selections(definition.selection_set, 0))
            for definition in document.definitions
            if isinstance(definition, OperationDefinitionNode)
        ]
    except _FragmentCycle as cycle:
        raise GraphQLError(
            f"Cannot spread fragment '{cycle.spread.name.value}' within itself.",
            [cycle.spread],
            extensions={"code": "GRAPHQL_VALIDATION_FAILED"},
        ) from None
    except _TooDeep:
        raise QueryTooComplex(
            f"the document nests selections or fragments more than {_MAX_NESTING} deep", "max_depth", _MAX_NESTING
        ) from None


def check_document(document: DocumentNode, limits: LimitsConfig) -> None:
    """Raise ``QueryTooComplex`` (or a ``GraphQLError``) if an operation of ``document`` is over a limit."""
    for operation, figures in measure(document):
        name = operation.name.value if operation.name else "anonymous"
        if figures.depth > limits.max_depth:
            raise QueryTooComplex(
                f"the operation '{name}' exceeds maximum operation depth of {limits.max_depth}",
                "max_depth",
                limits.max_depth,
            )
        if figures.aliases > limits.max_aliases:
            raise QueryTooComplex(
                f"{_count(figures.aliases)} aliases found in the operation '{name}'. Allowed: {limits.max_aliases}",
                "max_aliases",
                limits.max_aliases,
            )
        if figures.fields > limits.max_fields:
            raise QueryTooComplex(
                f"{_count(figures.fields)} fields and fragment spreads found in the operation '{name}', fragments "
                f"expanded. Allowed: {limits.max_fields}",
                "max_fields",
                limits.max_fields,
            )


def _count(n: int) -> str:
    return f"more than {_SATURATED}" if n >= _SATURATED else str(n)


def _placeholder(operation_name: str | None) -> DocumentNode:
    """A one-field query standing in for a document refused unparsed: strawberry reads the operation's type
    from a document before it looks at errors. Nothing of it runs."""
    operation = OperationDefinitionNode(
        operation=OperationType.QUERY,
        name=NameNode(value=operation_name) if operation_name is not None else None,
        variable_definitions=(),
        directives=(),
        selection_set=SelectionSetNode(selections=(FieldNode(name=NameNode(value="__typename")),)),
    )
    return DocumentNode(definitions=(operation,))


def _request_error(error: GatewayError) -> GraphQLError:
    return GraphQLError(error.message, original_error=error)


class KnownDocuments:
    """Document texts that passed the limits and validation, with their parsed documents (the most recently used
    ``size``): one instance per schema, shared by its requests."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._documents: OrderedDict[str, DocumentNode] = OrderedDict()

    def get(self, text: str) -> DocumentNode | None:
        document = self._documents.get(text)
        if document is not None:
            self._documents.move_to_end(text)
        return document

    def add(self, text: str, document: DocumentNode) -> None:
        self._documents[text] = document
        self._documents.move_to_end(text)
        while len(self._documents) > self.size:
            self._documents.popitem(last=False)


class RequestLimits(SchemaExtension):
    """The ``[limits]`` of one request (see the module docstring); one instance per request."""

    def __init__(self, *, limits: LimitsConfig, accounts: int, known: KnownDocuments | None = None) -> None:
        self.limits = limits
        self.accounts = accounts
        self.known = known
        self.meter = Meter()
        self.estimated: int | None = None
        self._known = False
        """The request's text is a known document: parsed, measured and validated before."""

    def on_operation(self) -> Iterator[None]:
        with metered(self.meter):
            yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        known = self.known.get(context.query) if self.known is not None and context.query else None
        if context.graphql_document is None and known is not None:
            context.graphql_document = known
            self._known = True
        elif context.graphql_document is None and context.query and tokens_over(context.query, self.limits.max_tokens):
            error = QueryTooComplex(
                f"the document contains more than {self.limits.max_tokens} tokens", "max_tokens", self.limits.max_tokens
            )
            context.graphql_document = _placeholder(context.operation_name)
            context.pre_execution_errors = [_request_error(error)]
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if context.pre_execution_errors is None and document is not None:
            try:
                if not self._known:
                    check_document(document, self.limits)
                self.estimated = estimate(
                    context.schema._schema, document, context.operation_name, context.variables, self.accounts
                )
                if self.estimated > self.limits.max_cost:
                    raise CostTooHigh(self.estimated, self.limits.max_cost)
            except GatewayError as exc:
                context.pre_execution_errors = [_request_error(exc)]
            except GraphQLError as exc:
                context.pre_execution_errors = [exc]
        validated = not self._known and bool(context.validation_rules)
        if self._known:
            context.validation_rules = ()  # strawberry validates only with rules to apply
        yield
        # Validation ran (nothing before it refused the request) and found nothing: a known document from now on.
        valid = validated and context.pre_execution_errors == []
        if valid and self.known is not None and context.query and document is not None:
            self.known.add(context.query, document)

    def get_results(self) -> dict[str, Any]:
        if self.estimated is None:
            return {}
        return {"cost": {"estimated": self.estimated, "actual": self.meter.calls}}
