"""How the gateway writes its logs: one JSON object per line (python-json-logger), or text for a person.

JSON lines carry ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message`` and the record's own fields (the
access line's ``request_id``, ``principal``, ``operation``, ``outcome``, ...: ``gateway.observability.middleware``).
While a GraphQL request is answered, every line logged for it (an upstream request, a resolver's warning)
also carries the request's ``request_id`` and ``trace_id`` (``RequestContext``), so one request's lines are
found together and next to its trace.

``partner-gateway serve`` writes JSON when it serves a configuration file (a deployment, whose logs a
collector reads) and text for the embedded demo (someone trying it at a terminal); ``--log-format`` chooses.
"""

from __future__ import annotations

import logging
import sys
from typing import Literal

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

from gateway.observability import requests
from gateway.observability.tracing import trace_id_of

__all__ = ["LogFormat", "RequestContext", "configure", "json_formatter"]

LogFormat = Literal["json", "text"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RequestContext(logging.Filter):
    """Adds the current GraphQL request's ``request_id`` and ``trace_id`` to a record that has none."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = requests.current()
        if current is not None and not hasattr(record, "request_id"):
            record.request_id = current.request_id
        if not hasattr(record, "trace_id"):
            trace_id = trace_id_of(trace.get_current_span())
            if trace_id is not None:
                record.trace_id = trace_id
        return True


def json_formatter() -> JsonFormatter:
    """One JSON object per record, UTF-8 as it is (customer names are mostly Chinese)."""
    return JsonFormatter(
        "%(levelname)s %(name)s %(message)s",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",
        json_ensure_ascii=False,
    )


def configure(level: int | str, log_format: LogFormat) -> logging.Handler:
    """Send log records at ``level`` and above to stderr in ``log_format``, as ``logging.basicConfig`` does: a
    no-op when the root logger has handlers already (a host application's, a test runner's)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(json_formatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestContext())
    logging.basicConfig(level=level, handlers=[handler])
    return handler
