"""The gateway beside bare strawberry (issue #14). Prints figures; asserts nothing.

    .venv/bin/python bench/perf.py [--rounds N] [--quick] [--only FIGURE[,FIGURE...]] [--seconds S]
                                   [--gateway-setting SECTION.KEY=VALUE ...]

Every server is a process of its own on loopback, as in production: both simulators (``bench/simulator.py``, with
120 customers each), the gateway (``partner-gateway serve`` over a TOML configuration pointed at them) and a bare
strawberry + starlette app (``bench/bare_app.py``) serving the gateway's own 100 rows from memory, under the same
uvicorn settings. The load comes from this process. Each figure is measured in every round, bare and gateway one
right after the other (their order alternating between rounds), so both see the same machine; printed are the
minimum and the median over the rounds, and the median of the rounds' ratios.

Figures (``--only`` takes their numbers or names):

1 ``cpu``: 100 customers x 10 fields + partner name: CPU of the serving process per request (``/proc/PID/stat``
  utime + stime, over a closed-loop phase at concurrency 12), and requests/s at concurrency 12.
2 ``small``: one partner's name: requests/s at concurrency 12.
3 ``balances``: 100 Aliyun customers with ``balance``, every upstream operation at 100 ms: latency of a cold
  request (credit figures not cached: the cache's lifetime waited out) and of a warm one right after, the
  upstream calls (the simulators' logs) and the waves they came in (a call that started after another call of
  its round had finished opens the next round). With the burst policy below, and once with the default one.
4 ``span``: a page of both clouds' customers, Aliyun at 100 ms and Huawei at 150 ms: latency / 150 ms, for
  first 20, 50 and 100.
5 ``nesting``: 20 Aliyun customers with ``partner { customers(first: 5) }`` beside the same 20 with
  ``partner { name }`` (upstreams as in 4): upstream calls and latency.
6 ``start``: spawn to the first ``/readyz`` 200, bare app and gateway (the gateway on a store made before).
7 ``memory``: resident memory after the warm-up and at the peak (VmRSS, VmHWM), and at /readyz in figure 6.

The gateway's [upstream] policy is printed; by default the burst policy of a partner whose quota allows a page's
hundred credit lookups at once (``max_concurrency = 100``, ``rate_per_second = 200``, ``rate_burst = 100``);
figure 3 is also measured with the gateway's defaults, by a second gateway process.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import perf_servers as servers
from bench.perf_load import closed_loop, graphql, min_median
from bench.perf_servers import BURST_POLICY, Cluster, Server

FIGURES = ("cpu", "small", "balances", "span", "nesting", "start", "memory")
FIELDS = "id provider nativeId name accountType kind status realNameVerified associatedAt extra partner { name }"
PAGE = "{ customers(first: 100) { edges { node { " + FIELDS + " } } } }"
SMALL = "{ partners(first: 1) { edges { node { name } } } }"
BALANCES = (
    '{ customers(first: 100, filter: {provider: "aliyun"}) { edges { node { id name balance { amount currency } } } } }'
)
SPAN = "{ customers(first: %d) { edges { node { id provider name } } } }"
NESTED = (
    '{ customers(first: 20, filter: {provider: "aliyun"}) { edges { node { id name '
    "partner { customers(first: 5) { edges { node { id } } } } } } } }"
)
FLAT = '{ customers(first: 20, filter: {provider: "aliyun"}) { edges { node { id name partner { name } } } } }'
FIRSTS = (20, 50, 100)
ALIYUN_MS, HUAWEI_MS = 100.0, 150.0
CONCURRENCY = 12


@dataclass
class Sample:
    """One request with its upstream calls: latency in seconds, calls by operation, waves, metric outcomes."""

    seconds: float
    calls: Counter[str]
    waves: list[Counter[str]]
    outcomes: Counter[str]
    errors: Counter[str] = field(default_factory=Counter)

    def describe(self) -> str:
        shape = " + ".join(str(sum(w.values())) for w in self.waves)
        ops = ", ".join(f"{op} {n}" for op, n in sorted(self.calls.items()))
        cached = {k: v for k, v in self.outcomes.items() if k not in ("ok",) and v}
        extra = f"; gateway outcomes besides ok: {cached}" if cached else ""
        if self.errors:
            extra += f"; errors: {dict(self.errors)}"
        return (
            f"{self.seconds * 1000:.0f} ms, {sum(self.calls.values())} upstream calls ({ops}) "
            f"in {len(self.waves)} wave{'s' if len(self.waves) != 1 else ''} [{shape}]{extra}"
        )


@dataclass
class Results:
    series: dict[str, list[float]] = field(default_factory=dict)
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, value: float) -> None:
        self.series.setdefault(name, []).append(value)

    def sample(self, name: str, sample: Sample) -> None:
        self.samples.setdefault(name, []).append(sample)
        self.add(name, sample.seconds)


async def traced(cluster: Cluster, gateway: Server, query: str) -> Sample:
    """One request to ``gateway`` with what it cost upstream (the simulators' logs, the gateway's metrics)."""
    for sim in (cluster.aliyun, cluster.huawei):
        await servers.calls(sim, clear=True)
    before = await servers.upstream_metrics(gateway)
    seconds, body = await graphql(gateway.port, query, partial=True)
    logged = [*await servers.calls(cluster.aliyun), *await servers.calls(cluster.huawei)]
    after = await servers.upstream_metrics(gateway)
    errors = Counter(str((e.get("extensions") or {}).get("code", "?")) for e in body.get("errors") or ())
    return Sample(seconds, Counter(op for op, *_ in logged), servers.waves(logged), after - before, errors)


class Bench:
    def __init__(self, cluster: Cluster, options: argparse.Namespace, ttl: float) -> None:
        self.cluster = cluster
        self.options = options
        self.ttl = ttl
        self.results = Results()
        self.last_balances = 0.0

    @property
    def bare(self) -> Server:
        assert self.cluster.bare is not None
        return self.cluster.bare

    def pair(self, r: int) -> list[tuple[str, Server]]:
        order = [("bare", self.bare), ("gateway", self.cluster.gateway)]
        return order if r % 2 == 0 else order[::-1]

    async def load(self, r: int) -> None:
        """Figures 1 and 2: closed-loop phases at concurrency 12, bare and gateway in turn."""
        for name, query in (("page", PAGE), ("small", SMALL)):
            if not self.wanted("cpu" if name == "page" else "small"):
                continue
            for who, server in self.pair(r):
                phase = await closed_loop(server.port, [server.pid], query, CONCURRENCY, self.options.seconds)
                if phase.failures:
                    self.results.notes.append(
                        f"{who} {name}: {phase.failures} failed answers, e.g. {phase.sample_failure[:300]!r}"
                    )
                self.results.add(f"{name}.rps.{who}", phase.per_second)
                self.results.add(f"{name}.cpu.{who}", phase.cpu_per_request * 1000)

    async def balances(self, r: int) -> None:
        """Figure 3: a cold request (the credit cache's lifetime waited out), then a warm one."""
        wait = self.last_balances + self.ttl + 0.3 - time.monotonic()
        if self.ttl and wait > 0:
            await asyncio.sleep(wait)
        self.results.sample("balances.cold", await traced(self.cluster, self.cluster.gateway, BALANCES))
        self.results.sample("balances.warm", await traced(self.cluster, self.cluster.gateway, BALANCES))
        self.last_balances = time.monotonic()

    async def span(self, r: int) -> None:
        for first in FIRSTS if r % 2 == 0 else FIRSTS[::-1]:
            sample = await traced(self.cluster, self.cluster.gateway, SPAN % first)
            self.results.sample(f"span.{first}", sample)

    async def nesting(self, r: int) -> None:
        for name, query in (("nested", NESTED), ("flat", FLAT)) if r % 2 == 0 else (("flat", FLAT), ("nested", NESTED)):
            self.results.sample(f"nesting.{name}", await traced(self.cluster, self.cluster.gateway, query))

    def start(self, r: int) -> None:
        cluster = self.cluster
        for who in ("bare", "gateway") if r % 2 == 0 else ("gateway", "bare"):
            port = servers.free_port()
            if who == "bare":
                seconds, rss = servers.cold_start(cluster.bare_command(port), port, cluster.log())
            else:
                command = cluster.gateway_command(port, cluster.directory / "cold-data")
                seconds, rss = servers.cold_start(command, port, cluster.log(), servers.ENV)
            self.results.add(f"start.{who}", seconds)
            self.results.add(f"start.rss.{who}", rss)

    def wanted(self, figure: str) -> bool:
        return figure in self.options.only

    async def run(self) -> None:
        options = self.options
        for r in range(options.rounds):
            began = time.perf_counter()
            if self.wanted("cpu") or self.wanted("small"):
                await self.load(r)
            if self.wanted("balances") or self.wanted("span") or self.wanted("nesting"):
                await servers.set_latency(self.cluster, ALIYUN_MS, HUAWEI_MS)
                try:
                    if self.wanted("balances"):
                        await self.balances(r)
                    if self.wanted("span"):
                        await self.span(r)
                    if self.wanted("nesting"):
                        await self.nesting(r)
                finally:
                    await servers.set_latency(self.cluster, None, None)
            if self.wanted("start"):
                await asyncio.to_thread(self.start, r)
            print(f"  round {r + 1}/{options.rounds}: {time.perf_counter() - began:.1f} s", file=sys.stderr)

    async def default_policy(self, gateway: Server) -> None:
        """Figure 3 once more, through a gateway with the default [upstream] policy (its cache cold, then warm)."""
        await servers.set_latency(self.cluster, ALIYUN_MS, HUAWEI_MS)
        try:
            for name in ("cold", "warm"):  # a partial answer (the request's deadline) is reported with its errors
                self.results.sample(f"balances.default.{name}", await traced(self.cluster, gateway, BALANCES))
        finally:
            await servers.set_latency(self.cluster, None, None)


async def prepare(cluster: Cluster) -> list[dict[str, Any]]:
    """The gateway's own 100 rows, which the bare app serves."""
    _, body = await graphql(cluster.gateway.port, PAGE)
    rows = [edge["node"] for edge in body["data"]["customers"]["edges"]]
    if len(rows) != 100:
        raise RuntimeError(f"the page has {len(rows)} rows, not 100")
    return rows


async def warm_up(bench: Bench, seconds: float) -> None:
    for server in (bench.bare, bench.cluster.gateway):
        for query in (PAGE, SMALL):
            await closed_loop(server.port, [server.pid], query, CONCURRENCY, seconds)
    await graphql(bench.cluster.gateway.port, BALANCES)
    bench.last_balances = time.monotonic()  # the credit figures it read are cached: the first cold one waits
    await graphql(bench.cluster.gateway.port, NESTED)


def commit() -> str:
    try:
        git = ["git", "-C", str(Path(__file__).resolve().parents[1])]
        sha = subprocess.run(  # noqa: S603 - our own git, fixed arguments
            [*git, "log", "-1", "--format=%h %s"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(  # noqa: S603
            [*git, "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{sha[:90]}{' (with uncommitted changes)' if dirty else ''}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=None, help="rounds of every figure (default 6; --quick 2)")
    parser.add_argument("--seconds", type=float, default=None, help="seconds of each load phase (default 3)")
    parser.add_argument("--quick", action="store_true", help="a short smoke run: 2 rounds, 1 s phases")
    parser.add_argument("--only", default="", help="figures by number or name, comma-separated (default: all)")
    parser.add_argument(
        "--gateway-setting",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="a setting of the gateways' configuration (repeatable), e.g. upstream.max_concurrency=50",
    )
    parser.add_argument(
        "--upstream",
        action="append",
        default=None,
        metavar="KEY=VALUE",
        help="the main gateway's [upstream] policy instead of the burst policy (repeatable)",
    )
    options = parser.parse_args()
    options.rounds = options.rounds or (2 if options.quick else 6)
    options.seconds = options.seconds or (1.0 if options.quick else 3.0)
    chosen = [part.strip() for part in options.only.split(",") if part.strip()]
    options.only = {FIGURES[int(c) - 1] if c.isdigit() and 1 <= int(c) <= len(FIGURES) else c for c in chosen}
    options.only = options.only or set(FIGURES)
    if unknown := options.only - set(FIGURES):
        parser.error(f"unknown figures {sorted(unknown)}: choose from 1-7 or {', '.join(FIGURES)}")
    upstream = tuple(f"{k.strip()} = {v.strip()}" for k, _, v in (u.partition("=") for u in options.upstream or ()))
    upstream = upstream or BURST_POLICY
    extra = list(options.gateway_setting)

    print(f"commit: {commit()}")
    print(
        f"machine: {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; Python {platform.python_version()}"
    )
    print(
        f"rounds: {options.rounds}; load phases: {options.seconds:g} s at concurrency {CONCURRENCY}; "
        f"figures: {', '.join(f for f in FIGURES if f in options.only)}"
    )
    print(f"gateway [upstream]: {', '.join(upstream)}; other settings: {', '.join(extra) or 'none'}")
    knob = servers.credit_cache_knob()
    ttl = 0.0
    if knob is None:
        print("credit cache: no setting found in the gateway's configuration: every balance request is cold")
    else:
        key, default = knob
        given = [s for s in extra if s.partition("=")[0].strip() == key]
        ttl = float(given[-1].partition("=")[2]) if given else default
        if ttl > 10:
            extra.append(f"{key}={5}")
            print(f"credit cache: {key} = {ttl:g} s by default; set to 5 s here so a cold request waits less")
            ttl = 5.0
        else:
            print(f"credit cache: {key} = {ttl:g} s (a cold balance request waits that out first)")

    with tempfile.TemporaryDirectory(prefix="perf-") as tmp:
        directory = Path(tmp)
        with servers.cluster(directory, 120, upstream, tuple(extra)) as cluster:
            asyncio.run(run(cluster, options, ttl))


async def run(cluster: Cluster, options: argparse.Namespace, ttl: float) -> None:
    began = time.perf_counter()
    rows = await prepare(cluster)
    cluster.start_bare(rows)
    bench = Bench(cluster, options, ttl)
    print(
        f"serving pids (listening on their ports): gateway {cluster.gateway.pid}, bare {bench.bare.pid}, "
        f"simulators {cluster.aliyun.pid} {cluster.huawei.pid}; load generator {os.getpid()}",
        file=sys.stderr,
    )
    default_gateway = None
    if bench.wanted("balances"):
        default_gateway = cluster.start_gateway("gateway-defaults", (), cluster.directory / "data-defaults")
    await warm_up(bench, min(2.0, options.seconds))
    memory_warm = {"bare": bench.bare.memory(), "gateway": cluster.gateway.memory()}
    if bench.wanted("start"):  # the cold starts' store, made once; and the files in the page cache
        await asyncio.to_thread(bench.start, 0)
        bench.results.series.clear()
    await bench.run()
    if default_gateway is not None:
        await bench.default_policy(default_gateway)
    memory_end = {"bare": bench.bare.memory(), "gateway": cluster.gateway.memory()}
    report(bench, memory_warm, memory_end)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"\n{time.perf_counter() - began:.0f} s; load average at the end {load} (other work on the machine shows here)"
    )


def fmt(values: list[float] | None, unit: str, digits: int = 1) -> str:
    if not values:
        return "—"
    low, mid = min_median(values)
    return f"{low:.{digits}f} / {mid:.{digits}f} {unit}"


def milliseconds(values: list[float]) -> list[float]:
    return [v * 1000 for v in values]


def ratios(results: Results, numerator: str, denominator: str) -> list[float]:
    a, b = results.series.get(numerator, []), results.series.get(denominator, [])
    return [x / y for x, y in zip(a, b, strict=False) if y]


def verdict(value: float | None, goal: float, below: bool) -> str:
    if value is None:
        return "—"
    return "met" if (value <= goal if below else value >= goal) else "NOT met"


Memory = dict[str, tuple[float, float]]


def report(bench: Bench, memory_warm: Memory, memory_end: Memory) -> None:
    results = bench.results
    s = results.series
    table: list[tuple[str, str, str, str, str, str]] = []

    def paired(label: str, key: str, unit: str, goal: float | None, below: bool, digits: int = 1) -> None:
        r = ratios(results, f"{key}.gateway", f"{key}.bare")
        if not r:
            return
        ratio = statistics.median(r)
        goal_text = "—" if goal is None else f"{'≤' if below else '≥'} {goal:g}"
        table.append(
            (
                label,
                fmt(s.get(f"{key}.bare"), unit, digits),
                fmt(s.get(f"{key}.gateway"), unit, digits),
                f"{ratio:.2f}",
                goal_text,
                "—" if goal is None else verdict(ratio, goal, below),
            )
        )

    def upstream(key: str) -> str:
        """The median request's upstream calls and waves."""
        samples = sorted(results.samples.get(key, []), key=lambda x: x.seconds)
        if not samples:
            return ""
        median = samples[len(samples) // 2]
        waves = len(median.waves)
        return f" ({sum(median.calls.values())} calls, {waves} wave{'s' if waves != 1 else ''})"

    def alone(label: str, key: str, goal: float | None) -> None:
        values = s.get(key)
        if not values:
            return
        median = statistics.median(values)
        table.append(
            (
                label,
                "—",
                fmt(milliseconds(values), "ms", 0) + upstream(key),
                "—",
                "—" if goal is None else f"≤ {goal * 1000:g} ms",
                "—" if goal is None else verdict(median, goal, True),
            )
        )

    paired("1. 100 rows × 10 fields: CPU per request", "page.cpu", "ms", 2.0, True, 2)
    paired("1. 100 rows: requests/s at concurrency 12", "page.rps", "/s", 0.5, False, 0)
    paired("2. small query: requests/s at concurrency 12", "small.rps", "/s", 0.8, False, 0)
    paired("2. small query: CPU per request", "small.cpu", "ms", None, True, 2)
    alone("3. 100 + balance at 100 ms, cold, p50", "balances.cold", 0.35)
    alone("3. 100 + balance at 100 ms, warm, p50", "balances.warm", 0.35)
    alone("3. same, default [upstream], cold", "balances.default.cold", 0.35)
    alone("3. same, default [upstream], warm", "balances.default.warm", 0.35)
    for first in FIRSTS:
        values = [v / (HUAWEI_MS / 1000) for v in s.get(f"span.{first}", [])]
        if values:
            median = statistics.median(values)
            table.append(
                (
                    f"4. both clouds, first {first}: latency / 150 ms",
                    "—",
                    fmt(milliseconds(s[f"span.{first}"]), "ms", 0) + upstream(f"span.{first}"),
                    f"{median:.2f}",
                    "≤ 1.15",
                    verdict(median, 1.15, True),
                )
            )
    nested, flat = results.samples.get("nesting.nested"), results.samples.get("nesting.flat")
    if nested and flat:
        calls_nested = statistics.median(sum(x.calls.values()) for x in nested)
        calls_flat = statistics.median(sum(x.calls.values()) for x in flat)
        lat = statistics.median(ratios(results, "nesting.nested", "nesting.flat"))
        table.append(
            (
                "5. nesting: upstream calls, nested (flat)",
                "—",
                f"{calls_nested:g} ({calls_flat:g})",
                f"+{calls_nested - calls_flat:g}",
                "≤ flat + 1",
                verdict(calls_nested - calls_flat, 1, True),
            )
        )
        table.append(
            (
                "5. nesting: latency nested / flat",
                "—",
                f"{fmt(milliseconds(s['nesting.nested']), 'ms', 0)} ({fmt(milliseconds(s['nesting.flat']), 'ms', 0)})",
                f"{lat:.2f}",
                "—",
                "—",
            )
        )
    if s.get("start.gateway"):
        r = statistics.median(ratios(results, "start.gateway", "start.bare"))
        g = statistics.median(s["start.gateway"])
        table.append(
            (
                "6. cold start to /readyz 200",
                fmt(s.get("start.bare"), "s", 2),
                fmt(s.get("start.gateway"), "s", 2),
                f"{r:.2f}",
                "≤ 0.8 s, ≤ 2",
                "met" if g <= 0.8 and r <= 2 else "NOT met",
            )
        )
    if bench.wanted("memory"):
        for label, index, where in (("after warm-up", 0, memory_warm), ("peak", 1, memory_end)):
            bare, gateway = where["bare"][index], where["gateway"][index]
            table.append(
                (
                    f"7. memory (RSS), {label}",
                    f"{bare:.0f} MiB",
                    f"{gateway:.0f} MiB",
                    f"{gateway / bare:.2f}",
                    "—",
                    "—",
                )
            )
        if s.get("start.rss.gateway"):
            r = statistics.median(ratios(results, "start.rss.gateway", "start.rss.bare"))
            table.append(
                (
                    "7. memory (RSS) at /readyz, cold start",
                    fmt(s.get("start.rss.bare"), "MiB", 0),
                    fmt(s.get("start.rss.gateway"), "MiB", 0),
                    f"{r:.2f}",
                    "—",
                    "—",
                )
            )

    print()
    print("Upstream calls (the simulators' logs) and waves, median request of each:")
    for key in sorted(results.samples):
        samples = sorted(results.samples[key], key=lambda x: x.seconds)
        print(f"  {key}: {samples[len(samples) // 2].describe()}")
    for note in dict.fromkeys(results.notes):
        print(f"  note: {note}")
    print()
    print("min / median over rounds; ratio = median of the rounds' gateway/bare ratios (4: latency / slowest upstream)")
    header = ("figure", "bare strawberry", "gateway", "ratio", "goal", "")
    widths = [max(len(row[i]) for row in (header, *table)) for i in range(6)]
    for row in (header, tuple("-" * w for w in widths), *table):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    main()
