"""Tells the request's observer (``gateway.observability``) which operation a request runs: its name (the
client's ``operationName``, else the document's first operation's) and type (query, mutation).

Noted once the document is parsed, before anything runs (a request the backstop answers is still named), and
again at the end for a document that could not be parsed."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from gateway.observability.requests import note_operation

__all__ = ["ObservedOperation"]


class ObservedOperation(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        yield
        self._note()

    def on_operation(self) -> Iterator[None]:
        yield
        self._note()

    def _note(self) -> None:
        context = self.execution_context
        try:
            operation_type: str | None = context.operation_type.value
        except Exception:  # no document (a syntax error), or no operation of that name: the name alone
            operation_type = None
        note_operation(context.operation_name, operation_type)
