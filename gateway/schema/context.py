"""What every resolver receives as ``info.context``: the request's session (its one door to the gateway)
and the partial failures to report beside the data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError

from gateway.auth import Principal
from gateway.pagination import AccountFailure
from gateway.service import Gateway
from gateway.session import Session

__all__ = ["Context"]


@dataclass
class Context:
    gateway: Gateway
    principal: Principal
    session: Session = field(init=False)
    partial_errors: list[GraphQLError] = field(default_factory=list)
    _reported: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.session = self.gateway.session(self.principal)

    def report(self, failures: tuple[AccountFailure, ...], path: Any, list_key: str) -> None:
        """Record accounts that failed while data from the others is returned (once per list and account)."""
        for failure in failures:
            if (list_key, failure.account_id) in self._reported:
                continue
            self._reported.add((list_key, failure.account_id))
            error = failure.error
            self.partial_errors.append(
                GraphQLError(
                    f"partner account {failure.account_id} could not be read: {error.message}",
                    path=path.as_list() if hasattr(path, "as_list") else path,
                    extensions=error.extensions(),
                )
            )
