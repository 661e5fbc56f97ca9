"""One signed Agency RPC call over HTTP, with the gateway's one retry policy.

RPC style (CONTRACTS.md A.1, A.2): ``GET|POST /``, the Action and Version only in the ``x-acs-action``
and ``x-acs-version`` headers, business parameters in the query string (A.2.2) or, for the
CustomerNote* operations, a form body; signed with ACS3-HMAC-SHA256 (A.2.1). Every failure leaves as a
``gateway.errors`` type (``_errors.py``); every call goes through ``gateway.retry.call_with_retries``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import httpx

from adapters.aliyun import _errors
from adapters.aliyun._signing import Acs3Signer
from gateway.errors import ProviderProtocolError
from gateway.retry import DEFAULT_POLICY, RetryPolicy, call_with_retries
from gateway.upstream import call as upstream_call

__all__ = ["USER_AGENT", "AgencyTransport", "flatten_params", "parse_json"]

USER_AGENT = "partner-gateway/0.1 (aliyun-agency)"


def flatten_params(params: Mapping[str, object]) -> dict[str, str]:
    """Flatten request parameters like the SDK (A.2.2, utils.py:215): ``Parent.Child`` for objects,
    ``Name.1``, ``Name.2``... (1-based) for lists, ``str(value)`` for scalars (so ``True``/``False``),
    ``None`` left out."""
    out: dict[str, str] = {}

    def walk(key: str, value: object) -> None:
        if value is None:
            return
        if isinstance(value, Mapping):
            for child_key, child in value.items():
                walk(f"{key}.{child_key}" if key else str(child_key), child)
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value, start=1):
                walk(f"{key}.{index}", item)
        elif isinstance(value, bytes):
            out[key] = value.decode("utf-8")
        else:
            out[key] = str(value)

    walk("", params)
    return out


def parse_json(content: bytes) -> Any:
    """Parse a JSON body so money never becomes a float (``Decimal``) and 64-bit ids stay exact ints."""
    return json.loads(content, parse_float=Decimal)


class AgencyTransport:
    """Signed calls for one partner account over the account's own ``httpx.AsyncClient``.

    Requests take the client's timeout: the app builds the client from the gateway's configuration.
    ``sleep`` is what the retry policy waits with (tests pass a no-op).
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        signer: Acs3Signer,
        *,
        partner_id: str | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self._http = http
        self._signer = signer
        self._partner_id = partner_id
        self._policy = policy
        self._sleep = sleep

    async def call(
        self,
        action: str,
        version: str,
        method: str,
        params: Mapping[str, object],
        *,
        idempotent: bool,
        form: bool = False,
        cache_seconds: float = 0.0,
        funds: bool = False,
    ) -> dict[str, Any]:
        """Send the call (repeated per ``gateway.retry``: reads freely, writes only when refused before
        being applied) and return its JSON body, or raise a ``gateway.errors`` type. A read's answer may be
        served again for ``cache_seconds``, or a funds read's for the account's ``funds_cache_seconds``
        (``gateway.upstream.flight``)."""
        flat = flatten_params(params)

        async def once() -> dict[str, Any]:
            tag = upstream_call.tag(action, idempotent=idempotent, cache_seconds=cache_seconds, funds=funds)
            return await self._send(action, version, method, flat, form=form, tag=tag)

        return await call_with_retries(once, idempotent=idempotent, policy=self._policy, sleep=self._sleep)

    async def _send(
        self, action: str, version: str, method: str, flat: dict[str, str], *, form: bool, tag: dict[str, object]
    ) -> dict[str, Any]:
        headers = {
            "x-acs-action": action,
            "x-acs-version": version,
            "accept": "application/json",
            "user-agent": USER_AGENT,
        }
        content: bytes | None = None
        if form:  # A.2.2: CustomerNote* put their params in an x-www-form-urlencoded body
            content = urlencode(flat).encode("utf-8")
            headers["content-type"] = "application/x-www-form-urlencoded"
        request = self._http.build_request(
            method,
            "/",
            params=None if form else flat,
            content=content,
            headers=headers,
            extensions=tag,
        )
        try:
            response = await self._http.send(request, auth=self._signer)
        except httpx.TransportError as exc:
            raise _errors.network_error(exc, action=action, partner_id=self._partner_id) from exc
        except httpx.RequestError as exc:  # an answer came but could not be decoded, or redirects looped
            raise ProviderProtocolError(
                f"Aliyun {action} answer could not be read: {type(exc).__name__}",
                provider=_errors.PROVIDER,
                partner_id=self._partner_id,
            ) from exc
        return self._read(response, action)

    def _read(self, response: httpx.Response, action: str) -> dict[str, Any]:
        try:
            body = parse_json(response.content)
        except (ValueError, UnicodeDecodeError) as exc:
            if response.status_code >= 400:
                raise _errors.transport_error(response, {}, action=action, partner_id=self._partner_id) from exc
            raise _errors.protocol_error(
                response, "the body is not JSON", action=action, partner_id=self._partner_id
            ) from exc
        if not isinstance(body, dict):
            if response.status_code >= 400:
                raise _errors.transport_error(response, {}, action=action, partner_id=self._partner_id)
            raise _errors.protocol_error(
                response, "the body is not a JSON object", action=action, partner_id=self._partner_id
            )
        if response.status_code >= 400:
            raise _errors.transport_error(response, body, action=action, partner_id=self._partner_id)
        if response.status_code != 200:
            raise _errors.protocol_error(response, "unexpected HTTP status", action=action, partner_id=self._partner_id)
        if _errors.is_business_error(body):
            raise _errors.business_error(body, action=action, partner_id=self._partner_id)
        return body
