"""The BSS v2 operations we call, named after the official SDK's methods (CONTRACTS.md 0.4, H.4).

The client and the simulator share this table, so issue #3 adds an operation in one line here, one
client method and one simulator handler.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LIST_SUB_CUSTOMERS", "OPERATIONS", "Operation"]


@dataclass(frozen=True, slots=True)
class Operation:
    """One upstream operation: the SDK method name, HTTP method and path."""

    name: str
    method: str
    path: str


LIST_SUB_CUSTOMERS = Operation("list_sub_customers", "POST", "/v2/partners/sub-customers/query")  # H.4.2

OPERATIONS: tuple[Operation, ...] = (LIST_SUB_CUSTOMERS,)
