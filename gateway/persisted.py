"""Persisted queries: which document a request runs, decided before strawberry parses anything.

Automatic persisted queries (Apollo's APQ protocol): a client sends ``extensions.persistedQuery`` =
``{"version": 1, "sha256Hash": "<hex>"}`` without the document; a hash the gateway does not hold is
``PERSISTED_QUERY_NOT_FOUND`` (message ``PersistedQueryNotFound``), and the client sends hash and document
together: the hash must be the document's SHA-256, then the document is kept (in a bounded LRU) and run.
A GET with the hash works the same (strawberry still refuses mutations over GET).

Trusted documents (``[graphql] trusted_documents``): only the manifest's documents run, asked for by hash
or sent as exactly the same text; anything else is ``PERSISTED_QUERY_NOT_ALLOWED``, and nothing is learnt.
A manifest is ``{"<sha256>": "<document>", ...}`` or Apollo's persisted-query manifest
(``{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id", "body", ...}]}``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import Message, Receive, Scope

from gateway.errors import ConfigError, PersistedQueryInvalid, PersistedQueryNotAllowed, PersistedQueryNotFound

__all__ = ["APOLLO_MANIFEST", "Documents", "load_manifest", "sha256_of", "with_document"]

APOLLO_MANIFEST = "apollo-persisted-query-manifest"
#: The learnt documents' total size is bounded too, whatever their number.
MAX_CACHED_CHARS = 16 * 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def sha256_of(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


class Documents:
    """Decides a request's document from its GraphQL parameters (``query``, ``extensions``)."""

    def __init__(self, trusted: Mapping[str, str] | None = None, cache_size: int = 1000) -> None:
        self.trusted = dict(trusted) if trusted is not None else None
        self._trusted_texts = frozenset(self.trusted.values()) if self.trusted is not None else frozenset()
        self._cache: OrderedDict[str, str] = OrderedDict()
        self._cache_size = cache_size
        self._cached_chars = 0

    def document(self, params: Mapping[str, Any]) -> str | None:
        """The document to run (None: the request names none, and strawberry says so), or a refusal."""
        query = params.get("query")
        extensions = params.get("extensions")
        persisted = extensions.get("persistedQuery") if isinstance(extensions, Mapping) else None
        if persisted is None:
            if self.trusted is not None and (not isinstance(query, str) or query not in self._trusted_texts):
                raise PersistedQueryNotAllowed("only the trusted documents may run here, and this is not one of them")
            return query if isinstance(query, str) else None
        if not isinstance(persisted, Mapping) or persisted.get("version") != 1:
            raise PersistedQueryInvalid("extensions.persistedQuery must be {version: 1, sha256Hash: ...}")
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or not digest:
            raise PersistedQueryInvalid("extensions.persistedQuery.sha256Hash must be the document's SHA-256 in hex")
        if query is not None and not isinstance(query, str):
            raise PersistedQueryInvalid("query must be a string")
        if self.trusted is not None:
            listed = self.trusted.get(digest) or self.trusted.get(digest.lower())
            if listed is None or (query is not None and query != listed):
                raise PersistedQueryNotAllowed("only the trusted documents may run here, and this is not one of them")
            return listed
        if not _SHA256.match(digest):
            raise PersistedQueryInvalid("extensions.persistedQuery.sha256Hash must be the document's SHA-256 in hex")
        digest = digest.lower()
        if query is None:
            cached = self._cache.get(digest)
            if cached is None:
                raise PersistedQueryNotFound()
            self._cache.move_to_end(digest)
            return cached
        if sha256_of(query) != digest:
            raise PersistedQueryInvalid("provided sha256Hash does not match the query's SHA-256")
        self._remember(digest, query)
        return query

    def _remember(self, digest: str, query: str) -> None:
        if len(query) > MAX_CACHED_CHARS // 16:  # one caller's huge document may not flush everyone's
            return
        if digest in self._cache:
            self._cache.move_to_end(digest)
            return
        self._cache[digest] = query
        self._cached_chars += len(query)
        while len(self._cache) > self._cache_size or self._cached_chars > MAX_CACHED_CHARS:
            _, dropped = self._cache.popitem(last=False)
            self._cached_chars -= len(dropped)


def load_manifest(path: Path, key: str) -> dict[str, str]:
    """A trusted-documents manifest as ``{hash: document}``, or a ``ConfigError`` at ``key``."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(key, f"file not found: {path}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(key, f"cannot read {path} as JSON ({type(exc).__name__})") from None
    if not isinstance(raw, dict):
        raise ConfigError(key, "must be a JSON object: {hash: document} or an Apollo persisted-query manifest")
    if "format" in raw:
        documents = _apollo(raw, key)
    else:
        documents = {}
        for digest, document in raw.items():
            if not isinstance(document, str) or not document.strip():
                raise ConfigError(key, f"the entry for {digest!r} must be a document (a non-empty string)")
            if _SHA256.match(digest) and sha256_of(document) != digest.lower():
                raise ConfigError(key, f"the entry for {digest!r} is not that document's SHA-256")
            documents[digest.lower() if _SHA256.match(digest) else digest] = document
    if not documents:
        raise ConfigError(key, "lists no documents, so nothing could run")
    return documents


def _apollo(raw: dict[str, Any], key: str) -> dict[str, str]:
    if raw.get("format") != APOLLO_MANIFEST or raw.get("version") != 1:
        raise ConfigError(key, f'an object with "format" must be {{"format": "{APOLLO_MANIFEST}", "version": 1}}')
    operations = raw.get("operations")
    if not isinstance(operations, list):
        raise ConfigError(key, '"operations" must be a list of {"id", "body"} objects')
    documents: dict[str, str] = {}
    for index, operation in enumerate(operations):
        if (
            not isinstance(operation, dict)
            or not isinstance(operation.get("id"), str)
            or not operation["id"]
            or not isinstance(operation.get("body"), str)
            or not operation["body"].strip()
        ):
            raise ConfigError(key, f"operations[{index}] must have a string id and body")
        documents[operation["id"]] = operation["body"]
    return documents


async def with_document(documents: Documents, scope: Scope, receive: Receive) -> tuple[Scope, Receive, str | None]:
    """The request with its document filled in from ``documents`` (a POST's JSON body, a GET's query string),
    a new ``receive`` that replays the body read, and the document's text; or a refusal.

    A body that is not a JSON object is passed on untouched for strawberry to refuse (in trusted-documents
    mode it is refused here: nothing unlisted reaches the parser)."""
    if scope.get("method") == "GET":
        pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        params: dict[str, Any] = dict(pairs)
        if "extensions" in params:
            try:
                params["extensions"] = json.loads(params["extensions"])
            except ValueError:
                raise PersistedQueryInvalid("the extensions parameter must be JSON") from None
        query = documents.document(params)
        if query is not None and params.get("query") != query:
            pairs = [(k, v) for k, v in pairs if k != "query"] + [("query", query)]
            scope = {**scope, "query_string": urlencode(pairs).encode()}
        return scope, receive, query
    body = await _read_body(receive)
    try:
        decoded: object = json.loads(body) if body else None
    except ValueError:
        decoded = None
    if not isinstance(decoded, dict):
        if documents.trusted is not None:
            raise PersistedQueryNotAllowed("only the trusted documents may run here, sent as a JSON object")
        return scope, _replay(body, receive), None
    query = documents.document(decoded)
    if query is not None and decoded.get("query") != query:
        body = json.dumps({**decoded, "query": query}, ensure_ascii=False).encode()
    return scope, _replay(body, receive), query


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
