"""How errors reach clients: a ``GatewayError`` keeps its message and ``extensions.code`` (plus its
fields); anything else is logged with its traceback and shown only as ``INTERNAL``, so no stack trace
or secret ever leaves the process."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import (
    BREAK,
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    ListValueNode,
    Node,
    ObjectValueNode,
    Visitor,
    visit,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionContext
from strawberry.utils.str_converters import to_camel_case

from gateway.errors import GatewayError

__all__ = ["GatewayErrors", "GatewaySchema"]

log = logging.getLogger("gateway.graphql")

INTERNAL_MESSAGE = "Internal server error"


def _is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, GatewayError | GraphQLError)


class GatewaySchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # Expected errors (bad input, an upstream's refusal) are answers, not incidents: no traceback.
        for error in errors:
            if _is_unexpected(error):
                log.error("unexpected error at %s", error.path, exc_info=error.original_error)


class GatewayErrors(SchemaExtension):
    """Shapes every error of a result: see the module docstring."""

    def on_operation(self) -> Iterator[None]:
        yield
        result: Any = self.execution_context.result
        if result is None:
            return
        partial = getattr(self.execution_context.context, "partial_errors", None) or []
        document = getattr(self.execution_context, "graphql_document", None)
        errors = [_shape(error, document) for error in (getattr(result, "errors", None) or [])] + list(partial)
        if errors:
            result.errors = errors

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """Each result a stream yields (a subscription's events over WebSocket, its refusal before it starts),
        shaped as the one result of a query is: it is sent before ``on_operation`` ends."""
        document = getattr(self.execution_context, "graphql_document", None)
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [_shape(error, document) for error in errors]
        yield


def _argument_path(document: DocumentNode, target: Node) -> str | None:
    """The argument (and input-object fields) whose value is ``target``, as written: ``input.amount``."""

    def within(value: Node, path: str) -> str | None:
        if value is target:
            return path
        if isinstance(value, ObjectValueNode):
            for field in value.fields:
                found = within(field.value, f"{path}.{field.name.value}")
                if found is not None:
                    return found
        if isinstance(value, ListValueNode):
            for item in value.values:
                found = within(item, path)
                if found is not None:
                    return found
        return None

    class Finder(Visitor):
        found: str | None = None

        def enter_argument(self, node: ArgumentNode, *_: object) -> object:
            hit = within(node.value, node.name.value)
            if hit is not None:
                self.found = hit
                return BREAK
            return None

    finder = Finder()
    visit(document, finder)
    return finder.found


def _shape(error: GraphQLError, document: DocumentNode | None = None) -> GraphQLError:
    original = error.original_error
    if isinstance(original, GatewayError):
        message, extensions = original.message, original.extensions()
        if isinstance(extensions.get("field"), str):  # the argument as the client wrote it: camelCase
            extensions["field"] = to_camel_case(str(extensions["field"]))
        elif "field" not in extensions and document is not None and error.nodes:
            # A literal a scalar refused (``amount: {amount: "1e309"}``): name the argument it stands in.
            where = _argument_path(document, error.nodes[0])
            if where is not None:
                extensions["field"] = where
    elif _is_unexpected(error):
        message, extensions = INTERNAL_MESSAGE, {"code": "INTERNAL"}
    else:  # syntax and validation errors from graphql-core itself
        message, extensions = error.message, {"code": "GRAPHQL_VALIDATION_FAILED", **(error.extensions or {})}
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )
