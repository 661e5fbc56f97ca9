"""Reads under a cloud's bad day (issue #11). Prints figures; asserts nothing.

    .venv/bin/python bench/faults.py [--rounds N] [--requests M] [--concurrency C]

Both standalone simulators and one gateway run as their own processes on loopback, as in production.
Rounds alternate: M read queries without faults, then M with the fault mix on every operation of both
simulators (set and cleared at run time through their ``/_simulator/faults`` control endpoints):

    10 % the upstream's 5xx, 10 % its throttling reply, 4 % 800 ms of latency, 1 % 16 s of latency

Printed, over all rounds:

- the share answered: full answers, plus partial ones whose every error is typed (``extensions.code``) and
  names its partner account (``extensions.partnerId``) or, for what a cloud has no API for, its provider;
  the rest failed (an HTTP error, an untyped error, no data). Goal: at least 99.9 %.
- p50 and p99 with faults, without, and the ratio of the p99s (goal: at most 3), measured side by side.
- upstream requests per GraphQL request with and without faults (what retries and breakers cost the clouds).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.servers import EXE, free_port, process_serving

FAULTS = (
    {"kind": "5xx", "operation": "*", "probability": 0.10},
    {"kind": "throttle", "operation": "*", "probability": 0.10, "value": 1},
    {"kind": "latency", "operation": "*", "probability": 0.04, "value": 800},
    {"kind": "latency", "operation": "*", "probability": 0.01, "value": 16_000},
)

#: What a console's pages ask for: customers of both clouds with balances, resellers, vouchers, customer funds.
QUERIES = (
    "{ customers(first: 20) { edges { node { id provider name status balance { amount currency } } } } }",
    "{ resellers(first: 20) { edges { node { id name } } } }",
    "{ vouchers(first: 20) { edges { node { id } } } }",
    '{ customers(first: 10, filter: {provider: "huaweicloud"}) { edges { node { id name funds { __typename } } } } }',
)

ALIYUN_AK, ALIYUN_SK = "LTAIbenchFaults", "bench-faults-secret"
HUAWEI_AK, HUAWEI_SK, HUAWEI_DOMAIN = "HWBENCHFAULTS0", "bench-faults-sk", "0a1b2c3d4e5f40718293a4b5c6d7e8f9"


@contextlib.contextmanager
def servers(directory: Path, upstream: list[str]) -> Iterator[tuple[str, str, str]]:
    aliyun, huawei, gateway = (f"http://127.0.0.1:{free_port()}" for _ in range(3))
    config = directory / "gateway.toml"
    config.write_text(
        f'[[accounts]]\nid = "aliyun-main"\nprovider = "aliyun"\nname = "Aliyun"\nrole = "distributor"\n'
        f'endpoint = "{aliyun}"\n[accounts.credentials]\naccess_key_id = "BENCH_ALIYUN_AK"\n'
        f'access_key_secret = "BENCH_ALIYUN_SK"\n'
        f'[[accounts]]\nid = "huawei-main"\nprovider = "huaweicloud"\nname = "Huawei"\n'
        f'role = "tier1-distributor"\nendpoint = "{huawei}"\n[accounts.credentials]\n'
        f'access_key = "BENCH_HUAWEI_AK"\nsecret_key = "BENCH_HUAWEI_SK"\n'
        f'[accounts.settings]\ndomain_id = "{HUAWEI_DOMAIN}"\n'
        f'[store]\ndata_dir = "{directory / "data"}"\n'
        "[limits]\nrequests_per_minute = 0\n"
        + ("[upstream]\n" + "".join(f"{line}\n" for line in upstream) if upstream else "")
    )
    env = {
        "BENCH_ALIYUN_AK": ALIYUN_AK,
        "BENCH_ALIYUN_SK": ALIYUN_SK,
        "BENCH_HUAWEI_AK": HUAWEI_AK,
        "BENCH_HUAWEI_SK": HUAWEI_SK,
    }
    log = directory / "processes.log"
    port = lambda url: url.rsplit(":", 1)[1]  # noqa: E731
    sim = [EXE, "simulator"]
    with (
        process_serving(
            [*sim, "aliyun", "--port", port(aliyun), "--access-key-id", ALIYUN_AK, "--access-key-secret", ALIYUN_SK],
            f"{aliyun}/_simulator/faults",
            log=log,
        ),
        process_serving(
            [
                *sim,
                "huaweicloud",
                "--port",
                port(huawei),
                "--access-key",
                HUAWEI_AK,
                "--secret-key",
                HUAWEI_SK,
                "--domain-id",
                HUAWEI_DOMAIN,
            ],
            f"{huawei}/_simulator/faults",
            log=log,
        ),
        process_serving(
            [EXE, "serve", "--config", str(config), "--port", port(gateway)], f"{gateway}/healthz", env=env, log=log
        ),
    ):
        yield aliyun, huawei, gateway


def classify(status: int, body: Any) -> str:
    if not isinstance(body, dict) or body.get("data") is None:
        return "failed"
    errors = body.get("errors") or []
    if not errors:
        return "full"
    for error in errors:
        extensions = error.get("extensions") or {}
        if not extensions.get("code") or not (extensions.get("partnerId") or extensions.get("provider")):
            return "failed"
    return "partial"


Row = tuple[str, float, int, str, int]
"""Outcome (full, partial, failed), seconds, upstream calls, error codes, which query."""


async def one(client: httpx.AsyncClient, index: int) -> Row:
    query = QUERIES[index]
    started = time.perf_counter()
    try:
        response = await client.post("/graphql", json={"query": query}, timeout=120)
        body = response.json()
        kind = classify(response.status_code, body)
    except (httpx.HTTPError, ValueError) as exc:
        return "failed", time.perf_counter() - started, 0, type(exc).__name__, index
    elapsed = time.perf_counter() - started
    actual = (((body.get("extensions") or {}).get("cost") or {}).get("actual")) or 0
    codes = ",".join(sorted({(e.get("extensions") or {}).get("code", "?") for e in body.get("errors") or []}))
    return kind, elapsed, int(actual), codes, index


async def phase(client: httpx.AsyncClient, requests: int, concurrency: int) -> list[Row]:
    gate = asyncio.Semaphore(concurrency)

    async def run(i: int) -> Row:
        async with gate:
            return await one(client, i % len(QUERIES))

    return list(await asyncio.gather(*(run(i) for i in range(requests))))


async def set_faults(clients: list[httpx.AsyncClient], on: bool) -> None:
    for sim in clients:
        (await sim.delete("/_simulator/faults")).raise_for_status()
        if on:
            for fault in FAULTS:
                (await sim.post("/_simulator/faults", json=fault)).raise_for_status()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def measure(urls: tuple[str, str, str], rounds: int, requests: int, concurrency: int) -> None:
    aliyun, huawei, gateway = urls
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2)
    async with (
        httpx.AsyncClient(base_url=gateway, limits=limits) as client,
        httpx.AsyncClient(base_url=aliyun, timeout=10) as sim_a,
        httpx.AsyncClient(base_url=huawei, timeout=10) as sim_h,
    ):
        await phase(client, len(QUERIES) * 2, concurrency)  # warm up: connections, caches, imports
        results: dict[bool, list[Row]] = {False: [], True: []}
        for r in range(rounds):
            for faulty in (False, True) if r % 2 == 0 else (True, False):  # interleaved, order alternating
                await set_faults([sim_a, sim_h], faulty)
                results[faulty] += await phase(client, requests, concurrency)
            print(f"  round {r + 1}/{rounds} done", file=sys.stderr)
        await set_faults([sim_a, sim_h], False)
    report(results)


def report(results: dict[bool, list[Row]]) -> None:
    p99: dict[bool, float] = {}
    for faulty in (False, True):
        rows = results[faulty]
        kinds = Counter(kind for kind, *_ in rows)
        seconds = [row[1] for row in rows]
        p99[faulty] = percentile(seconds, 0.99)
        answered = (kinds["full"] + kinds["partial"]) / len(rows)
        codes = Counter(code for row in rows for code in row[3].split(",") if code)
        label = "with faults   " if faulty else "without faults"
        print(
            f"{label}: {len(rows)} requests; answered {answered:.2%} (full {kinds['full']}, partial "
            f"{kinds['partial']}, failed {kinds['failed']}); p50 {statistics.median(seconds) * 1000:.0f} ms, "
            f"p99 {p99[faulty] * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms; upstream calls per request "
            f"{statistics.mean(row[2] for row in rows):.2f}"
        )
        if codes:
            print(f"    error codes: {dict(codes.most_common())}")
        for index in range(len(QUERIES)):
            times = [row[1] for row in rows if row[4] == index]
            print(
                f"    query {index + 1}: p50 {statistics.median(times) * 1000:.0f} ms, "
                f"p99 {percentile(times, 0.99) * 1000:.0f} ms"
            )
    print(f"p99 with faults / p99 without: {p99[True] / p99[False]:.2f} (goal <= 3)")
    faulty = results[True]
    share = sum(kind != "failed" for kind, *_ in faulty) / len(faulty)
    print(f"share answered with faults: {share:.3%} (goal >= 99.9 %)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--requests", type=int, default=250, help="requests per phase (default 250)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--upstream", action="append", default=[], metavar="KEY=VALUE", help="an [upstream] setting (repeatable)"
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, servers(Path(tmp), options.upstream) as urls:
        mix = ", ".join(f"{f['kind']}@{f['probability']}" for f in FAULTS)
        print(f"{options.rounds} rounds x {options.requests} requests a phase, concurrency {options.concurrency}")
        print(f"fault mix: {mix}; [upstream] {', '.join(options.upstream) or 'defaults'}")
        asyncio.run(measure(urls, options.rounds, options.requests, options.concurrency))


if __name__ == "__main__":
    main()
