"""The files the gateway serves from its package (GraphiQL's assets, the console): read once, by relative path.

Only files whose suffix has a content type are served; anything else under the directory (or outside it) is not
a key, so a request for it finds nothing. Each file carries a digest of its bytes for cache validation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["StaticFile", "load_static"]


@dataclass(frozen=True, slots=True)
class StaticFile:
    body: bytes
    content_type: str
    digest: str
    """The first 16 hex digits of the body's SHA-256."""

    @property
    def etag(self) -> str:
        return f'"{self.digest}"'


def load_static(directory: Path, content_types: Mapping[str, str]) -> dict[str, StaticFile]:
    """Every file under ``directory`` whose suffix ``content_types`` names, by its POSIX path relative to it."""
    found: dict[str, StaticFile] = {}
    for path in sorted(directory.rglob("*")):
        content_type = content_types.get(path.suffix)
        if path.is_file() and content_type is not None:
            body = path.read_bytes()
            found[path.relative_to(directory).as_posix()] = StaticFile(
                body, content_type, hashlib.sha256(body).hexdigest()[:16]
            )
    return found
