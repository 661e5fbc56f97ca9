"""The processes of ``bench/perf.py``, each in its own process on loopback as in production: two simulators
(``bench/simulator.py``), gateways (``partner-gateway serve`` over a TOML configuration, credentials from the
environment) and the bare app (``bench/bare_app.py``); the simulators' control endpoints; cold starts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import http.client
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.perf_load import HttpConnection, memory, serving_pid
from tests.support.servers import EXE, free_port, process_serving, stop

BENCH = Path(__file__).resolve().parent
ALIYUN_AK, ALIYUN_SK = "LTAIbenchPerf", "bench-perf-secret"
HUAWEI_AK, HUAWEI_SK, HUAWEI_DOMAIN = "HWBENCHPERF0", "bench-perf-sk", "0a1b2c3d4e5f40718293a4b5c6d7e8f9"
ENV = {
    "BENCH_ALIYUN_AK": ALIYUN_AK,
    "BENCH_ALIYUN_SK": ALIYUN_SK,
    "BENCH_HUAWEI_AK": HUAWEI_AK,
    "BENCH_HUAWEI_SK": HUAWEI_SK,
}

#: The [upstream] policy of a partner whose documented quota allows a page's burst of credit lookups.
BURST_POLICY = ("max_concurrency = 100", "rate_per_second = 200", "rate_burst = 100")


def gateway_config(
    path: Path, aliyun: int, huawei: int, data_dir: Path, upstream: tuple[str, ...], extra: tuple[str, ...]
) -> Path:
    """A gateway configuration over the two simulators: an Aliyun distributor and a Huawei tier-1, their secrets
    named by environment variables, no request rate limit (the load is the point), no change detection (its
    polls would add upstream calls and CPU that no request asked for)."""
    sections: dict[str, list[str]] = {
        "limits": ["requests_per_minute = 0"],
        "events": ["enabled = false"],
        "upstream": list(upstream),
    }
    for line in extra:  # section.key=value
        key, _, value = line.partition("=")
        section, _, name = key.strip().partition(".")
        sections.setdefault(section, []).append(f"{name} = {value.strip()}")
    path.write_text(
        f'[[accounts]]\nid = "aliyun-main"\nprovider = "aliyun"\nname = "Aliyun"\nrole = "distributor"\n'
        f'endpoint = "http://127.0.0.1:{aliyun}"\n[accounts.credentials]\naccess_key_id = "BENCH_ALIYUN_AK"\n'
        f'access_key_secret = "BENCH_ALIYUN_SK"\n'
        f'[[accounts]]\nid = "huawei-main"\nprovider = "huaweicloud"\nname = "Huawei"\n'
        f'role = "tier1-distributor"\nendpoint = "http://127.0.0.1:{huawei}"\n[accounts.credentials]\n'
        f'access_key = "BENCH_HUAWEI_AK"\nsecret_key = "BENCH_HUAWEI_SK"\n'
        f'[accounts.settings]\ndomain_id = "{HUAWEI_DOMAIN}"\n'
        f'[store]\ndata_dir = "{data_dir}"\n'
        + "".join(f"[{name}]\n" + "".join(f"{line}\n" for line in lines) for name, lines in sections.items() if lines)
    )
    return path


def credit_cache_knob() -> tuple[str, float] | None:
    """The configuration key of a short-lived cache of credit figures (``section.key``) and its default in
    seconds, if this gateway has one: a number of seconds in a configuration table whose name speaks of
    credit, funds or balances."""
    from gateway.config import GatewayConfig

    pattern = re.compile(r"(credit|funds|balance).*(seconds|ttl)|(seconds|ttl).*(credit|funds|balance)")
    for entry in dataclasses.fields(GatewayConfig):
        factory = entry.default_factory
        if factory is dataclasses.MISSING:
            continue
        table = factory()
        for name, spec in getattr(type(table), "model_fields", {}).items():
            if pattern.search(name) and isinstance(spec.default, int | float):
                return f"{entry.name}.{name}", float(spec.default)
    return None


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[str]

    @functools.cached_property
    def pid(self) -> int:
        """The serving process: the one listening on the port (the spawned process itself, as uvicorn runs here
        without workers; checked, not assumed)."""
        return serving_pid(self.process.pid, self.port)

    def memory(self) -> tuple[float, float]:
        return memory(self.pid)


@dataclass
class Cluster:
    directory: Path
    aliyun: Server
    huawei: Server
    gateway: Server
    upstream: tuple[str, ...]
    extra: tuple[str, ...]
    stack: contextlib.ExitStack
    default_gateway: Server | None = None
    bare: Server | None = None

    def log(self) -> Path:
        return self.directory / "processes.log"

    def start_gateway(self, name: str, upstream: tuple[str, ...], data_dir: Path) -> Server:
        port = free_port()
        config = gateway_config(
            self.directory / f"{name}.toml", self.aliyun.port, self.huawei.port, data_dir, upstream, self.extra
        )
        process = self.stack.enter_context(
            process_serving(
                [EXE, "serve", "--config", str(config), "--port", str(port)],
                f"http://127.0.0.1:{port}/healthz",
                env=ENV,
                log=self.log(),
            )
        )
        return Server(name, port, process)

    def start_bare(self, rows: list[dict[str, Any]]) -> Server:
        path = self.directory / "rows.json"
        path.write_text(json.dumps(rows, ensure_ascii=False))
        port = free_port()
        process = self.stack.enter_context(
            process_serving(
                [sys.executable, str(BENCH / "bare_app.py"), "--rows", str(path), "--port", str(port)],
                f"http://127.0.0.1:{port}/readyz",
                log=self.log(),
            )
        )
        self.bare = Server("bare", port, process)
        return self.bare

    def gateway_command(self, port: int, data_dir: Path) -> list[str]:
        config = gateway_config(
            self.directory / f"cold-{port}.toml",
            self.aliyun.port,
            self.huawei.port,
            data_dir,
            self.upstream,
            self.extra,
        )
        return [EXE, "serve", "--config", str(config), "--port", str(port)]

    def bare_command(self, port: int) -> list[str]:
        rows = str(self.directory / "rows.json")
        return [sys.executable, str(BENCH / "bare_app.py"), "--rows", rows, "--port", str(port)]


@contextlib.contextmanager
def cluster(directory: Path, customers: int, upstream: tuple[str, ...], extra: tuple[str, ...]) -> Iterator[Cluster]:
    """Both simulators and the gateway (``upstream`` as its [upstream] policy), each a process of its own."""
    log = directory / "processes.log"
    with contextlib.ExitStack() as stack:
        servers = []
        for provider, key, secret in (("aliyun", ALIYUN_AK, ALIYUN_SK), ("huaweicloud", HUAWEI_AK, HUAWEI_SK)):
            port = free_port()
            command = [sys.executable, str(BENCH / "simulator.py"), provider, "--port", str(port)]
            command += ["--customers", str(customers), "--access-key", key, "--secret-key", secret]
            command += ["--domain-id", HUAWEI_DOMAIN]
            process = stack.enter_context(
                process_serving(command, f"http://127.0.0.1:{port}/_simulator/faults", log=log)
            )
            servers.append(Server(provider, port, process))
        aliyun, huawei = servers
        placeholder = Server("", 0, servers[0].process)
        made = Cluster(directory, aliyun, huawei, placeholder, upstream, extra, stack)
        made.gateway = made.start_gateway("gateway", upstream, directory / "data")
        yield made


async def set_latency(cluster: Cluster, aliyun_ms: float | None, huawei_ms: float | None) -> None:
    """Every upstream operation of each simulator delayed by its milliseconds (None: no fault)."""
    for server, ms in ((cluster.aliyun, aliyun_ms), (cluster.huawei, huawei_ms)):
        connection = HttpConnection(server.port)
        try:
            status, _ = await connection.request("DELETE", "/_simulator/faults")
            assert status == 200, status
            if ms is not None:
                fault = {"kind": "latency", "operation": "*", "probability": 1, "value": ms}
                status, _ = await connection.post_json("/_simulator/faults", fault)
                assert status == 201, status
        finally:
            connection.close()


Call = tuple[str, float, float]


async def calls(server: Server, *, clear: bool = False) -> list[Call]:
    """The upstream requests the simulator logged since the last clear."""
    connection = HttpConnection(server.port)
    try:
        _, payload = await connection.request("DELETE" if clear else "GET", "/_bench/calls")
    finally:
        connection.close()
    return [tuple(call) for call in json.loads(payload)["calls"]]  # type: ignore[misc]


def waves(logged: list[Call]) -> list[Counter[str]]:
    """The calls in concurrent rounds: a call joins the current round if it started before any call of the round
    had finished, else it opens the next one (a call that had to wait for another's answer, or for a slot)."""
    rounds: list[Counter[str]] = []
    first_end = -1.0
    for operation, start, end in sorted(logged, key=lambda call: call[1]):
        if not rounds or start >= first_end:
            rounds.append(Counter())
            first_end = end
        rounds[-1][operation] += 1
        first_end = min(first_end, end)
    return rounds


async def upstream_metrics(server: Server) -> Counter[str]:
    """``partner_gateway_upstream_requests_total`` by outcome, from the gateway's /metrics."""
    connection = HttpConnection(server.port)
    try:
        _, payload = await connection.request("GET", "/metrics")
    finally:
        connection.close()
    found: Counter[str] = Counter()
    for line in payload.decode().splitlines():
        if line.startswith("partner_gateway_upstream_requests_total{"):
            labels, _, value = line.rpartition(" ")
            outcome = re.search(r'outcome="([^"]*)"', labels)
            found[outcome[1] if outcome else "?"] += int(float(value))
    return found


def cold_start(command: list[str], port: int, log: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Seconds from spawning ``command`` to its first ``/readyz`` 200 (polled every 10 ms), and its resident
    memory (MiB) then. The process is stopped afterwards."""
    with log.open("a") as output:
        started = time.perf_counter()
        process = subprocess.Popen(  # noqa: S603 - the benchmark's own commands
            command, stdout=output, stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})}
        )
        try:
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"{command[0]} exited early (see {log})")
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    connection.request("GET", "/readyz")
                    status = connection.getresponse().status
                    connection.close()
                except OSError:
                    status = 0
                if status == 200:
                    elapsed = time.perf_counter() - started
                    break
                if time.perf_counter() - started > 30:
                    raise RuntimeError(f"{command[0]} not ready within 30 s")
                time.sleep(0.01)
            rss, _ = memory(process.pid)
        finally:
            stop(process)
    return elapsed, rss
