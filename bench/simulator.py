"""A standalone simulator for the benchmarks: ``partner-gateway simulator`` with a customer count and a call log.

    .venv/bin/python bench/simulator.py aliyun|huaweicloud --port P --customers N --access-key AK --secret-key SK
        [--domain-id D] [--seed S]

The same simulator app the ``simulator`` command serves (one distributor account, the shared fault injection and
its ``/_simulator/faults`` control endpoint), served by uvicorn in a process of its own, with two differences a
benchmark needs: the number of customers is chosen (the command seeds 36), and each upstream request is logged
(operation, start, end, in this process's monotonic clock), read and cleared at ``/_bench/calls``
(GET reads, DELETE clears). The log wraps the fault injection, so an injected latency is inside a call's time:
that is what the gateway waits for, and what ``bench/perf.py`` groups into waves.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CALLS_PATH = "/_bench/calls"


class CallLog:
    """ASGI middleware: logs every request but the control endpoints', and serves the log."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.calls: list[tuple[str, float, float]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path == CALLS_PATH:
            await self._serve(scope, send)
            return
        if path.startswith("/_simulator/"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        operation = headers.get(b"x-acs-action", b"").decode() or f"{scope['method']} {path}"
        started = time.monotonic()
        try:
            await self.app(scope, receive, send)
        finally:
            self.calls.append((operation, started, time.monotonic()))

    async def _serve(self, scope: Any, send: Any) -> None:
        body = json.dumps({"now": time.monotonic(), "calls": self.calls}).encode()
        if scope["method"] == "DELETE":
            self.calls = []
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def build(options: argparse.Namespace) -> Any:
    if options.provider == "aliyun":
        from adapters._simkit.faults import FaultPlan
        from adapters.aliyun.simulator import SimulatedPartner, create_app

        partner = SimulatedPartner(
            options.access_key, options.secret_key, name="Simulated Aliyun distributor", customers=options.customers
        )
        return create_app([partner], seed=options.seed, faults=FaultPlan(options.seed))
    from adapters.huaweicloud.simulator import SimAccount
    from adapters.huaweicloud.simulator import create_app as huawei_app

    account = SimAccount(options.access_key, options.secret_key, options.domain_id, name="Simulated Huawei distributor")
    return huawei_app([account], seed=options.seed, customers_per_account=options.customers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("provider", choices=["aliyun", "huaweicloud"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--customers", type=int, default=120)
    parser.add_argument("--access-key", required=True)
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--domain-id", default="0a1b2c3d4e5f40718293a4b5c6d7e8f9")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    app = CallLog(build(options))
    uvicorn.run(app, host="127.0.0.1", port=options.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
