"""The raw BSS v2 client: one method per upstream operation, plain dicts in and out.

It signs (``_signing``), serialises money as JSON numbers (``_json``), puts a timeout on every call and
turns every failure into a ``gateway.errors`` type (``_errors``). Mapping to the domain is elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from . import _errors, _json
from ._operations import LIST_SUB_CUSTOMERS, Operation
from ._signing import SdkHmacAuth

__all__ = ["DEFAULT_TIMEOUT", "BssClient"]

DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)


class BssClient:
    """Calls Huawei Cloud BSS v2 for one partner account through the app-owned ``httpx.AsyncClient``."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        auth: SdkHmacAuth,
        *,
        partner_id: str,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self._http = http
        self._auth = auth
        self._partner_id = partner_id
        self._timeout = timeout

    async def list_sub_customers(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """``POST /v2/partners/sub-customers/query`` (CONTRACTS.md H.4.2)."""
        return await self._call(LIST_SUB_CUSTOMERS, body=body)

    async def _call(
        self,
        operation: Operation,
        *,
        query: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        content = _json.dumps(body).encode("utf-8") if body is not None else None
        try:
            response = await self._http.request(
                operation.method,
                operation.path,
                params=query,
                content=content,
                headers={"Content-Type": "application/json"},  # every BSS op, GETs too (H.1)
                auth=self._auth,
                timeout=self._timeout,
            )
        except httpx.TransportError as exc:
            raise _errors.from_transport_error(exc, operation=operation.name, partner_id=self._partner_id) from exc
        if response.status_code >= 400:
            raise _errors.from_response(response, operation=operation.name, partner_id=self._partner_id)
        try:
            data = _json.loads(response.content)
        except ValueError as exc:
            raise _errors.protocol_error(
                response, "malformed JSON", operation=operation.name, partner_id=self._partner_id
            ) from exc
        if not isinstance(data, dict):
            raise _errors.protocol_error(
                response, "not a JSON object", operation=operation.name, partner_id=self._partner_id
            )
        return data
