"""Bare strawberry + starlette: the yardstick ``bench/perf.py`` measures the gateway against.

    .venv/bin/python bench/bare_app.py --rows ROWS.json --port P

Serves the same rows with the same fields and GraphQL types the gateway's page has (a relay-style
``customers`` connection of ``Customer`` nodes: ids, strings, three enums, a boolean, a date-time, a JSON
``extra`` and the partner's name; and a ``partners`` connection), from objects built once at start from
``ROWS.json`` (the gateway's own answer, saved by the benchmark), under uvicorn with the settings the gateway's
``serve`` command uses (one process, no access log, the default loop and HTTP implementation). No auth, no
upstream, no store, no middleware: what is left is graphql-core's execution, strawberry's types and JSON
encoding, which the gateway pays too. ``/readyz`` answers 200 once the app serves, for the cold start figure.

No ``from __future__ import annotations``: the types are made at run time from the rows, and strawberry reads
the annotations of these local classes as objects.
"""

import argparse
import enum
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.scalars import JSON


def _enum(name: str, values: set[str]) -> Any:
    return strawberry.enum(enum.Enum(name, {value: value for value in sorted(values)}))  # type: ignore[misc]


def build_schema(rows: list[dict[str, Any]]) -> strawberry.Schema:
    """A schema serving ``rows`` (the gateway's customer nodes) from memory."""
    account_types = _enum("AccountType", {row["accountType"] for row in rows})
    kinds = _enum("CustomerKind", {row["kind"] for row in rows})
    statuses = _enum("CustomerStatus", {row["status"] for row in rows})

    @strawberry.type
    class Partner:
        name: str

    @strawberry.type
    class Customer:
        id: strawberry.ID
        provider: str
        native_id: str
        name: str
        account_type: account_types  # type: ignore[valid-type]
        kind: kinds  # type: ignore[valid-type]
        status: statuses  # type: ignore[valid-type]
        real_name_verified: bool | None
        associated_at: datetime | None
        extra: JSON
        partner: Partner

    @strawberry.type
    class PageInfo:
        has_next_page: bool
        end_cursor: str | None

    @strawberry.type
    class CustomerEdge:
        cursor: str
        node: Customer

    @strawberry.type
    class CustomerConnection:
        edges: list[CustomerEdge]
        page_info: PageInfo

    @strawberry.type
    class PartnerEdge:
        cursor: str
        node: Partner

    @strawberry.type
    class PartnerConnection:
        edges: list[PartnerEdge]
        page_info: PageInfo

    partners = {name: Partner(name=name) for name in {row["partner"]["name"] for row in rows}}
    edges = [
        CustomerEdge(
            cursor=str(n),
            node=Customer(
                id=strawberry.ID(row["id"]),
                provider=row["provider"],
                native_id=row["nativeId"],
                name=row["name"],
                account_type=account_types[row["accountType"]],
                kind=kinds[row["kind"]],
                status=statuses[row["status"]],
                real_name_verified=row["realNameVerified"],
                associated_at=datetime.fromisoformat(row["associatedAt"]) if row["associatedAt"] else None,
                extra=row["extra"],
                partner=partners[row["partner"]["name"]],
            ),
        )
        for n, row in enumerate(rows)
    ]
    partner_edges = [PartnerEdge(cursor=str(n), node=p) for n, p in enumerate(sorted(partners.values(), key=str))]

    @strawberry.input
    class CustomerFilterInput:
        provider: str | None = None

    @strawberry.type
    class Query:
        @strawberry.field
        def customers(
            self, first: int | None = 20, after: str | None = None, filter: CustomerFilterInput | None = None
        ) -> CustomerConnection:
            chosen = [e for e in edges if filter is None or filter.provider in (None, e.node.provider)]
            start = int(after) + 1 if after else 0
            page = chosen[start : start + (first or 20)]
            more = start + len(page) < len(chosen)
            return CustomerConnection(
                edges=page, page_info=PageInfo(has_next_page=more, end_cursor=page[-1].cursor if page else None)
            )

        @strawberry.field
        def partners(self, first: int | None = 20, after: str | None = None) -> PartnerConnection:
            page = partner_edges[: first or 20]
            end = page[-1].cursor if page else None
            return PartnerConnection(edges=page, page_info=PageInfo(has_next_page=False, end_cursor=end))

    return strawberry.Schema(query=Query)


def create_app(rows: list[dict[str, Any]]) -> Starlette:
    async def readyz(request: Request) -> Response:
        return JSONResponse({"status": "ready"})

    graphql = GraphQL(build_schema(rows), graphql_ide=None)
    return Starlette(routes=[Route("/graphql", graphql, methods=["GET", "POST"]), Route("/readyz", readyz)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=Path, required=True, help="a JSON list of customer nodes")
    parser.add_argument("--port", type=int, required=True)
    options = parser.parse_args()
    app = create_app(json.loads(options.rows.read_text()))
    # As `partner-gateway serve` runs the gateway (gateway.cli._serve): one process, no access log.
    uvicorn.run(app, host="127.0.0.1", port=options.port, log_level="warning", log_config=None, access_log=False)


if __name__ == "__main__":
    main()
