"""The load side of ``bench/perf.py``: a lean HTTP/1.1 client, closed-loop load phases, and what ``/proc`` says
of a server process (CPU time, resident memory).

The client is a few lines over asyncio streams (keep-alive, Content-Length or chunked bodies), not httpx: at
hundreds of requests a second the load generator shares the machine's two cores with the servers, and the less
CPU it takes, the less it takes from them. Its requests are the ones a GraphQL client sends (POST, JSON body).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TICK = os.sysconf("SC_CLK_TCK")


class HttpConnection:
    """One keep-alive HTTP/1.1 connection to ``127.0.0.1:port``."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self._reader, self._writer
        assert reader is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nhost: 127.0.0.1:{self.port}\r\ncontent-type: application/json\r\n"
            f"accept: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
        )
        writer.write(head.encode() + body)
        try:
            status_line = await reader.readuntil(b"\r\n")
            status = int(status_line.split(b" ", 2)[1])
            length, chunked, close = None, False, False
            while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"transfer-encoding" and b"chunked" in value.lower():
                    chunked = True
                elif name == b"connection" and b"close" in value.lower():
                    close = True
            if chunked:
                parts = []
                while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                    parts.append(await reader.readexactly(size))
                    await reader.readexactly(2)
                await reader.readuntil(b"\r\n")
                payload = b"".join(parts)
            elif length is not None:
                payload = await reader.readexactly(length)
            else:
                payload, close = await reader.read(), True
        except BaseException:
            self.close()
            raise
        if close:
            self.close()
        return status, payload

    async def post_json(self, path: str, document: dict[str, Any]) -> tuple[int, bytes]:
        return await self.request("POST", path, json.dumps(document).encode())

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def graphql(port: int, query: str, *, partial: bool = False) -> tuple[float, dict[str, Any]]:
    """One request on a new connection: seconds, and the parsed answer. An HTTP error, or GraphQL errors unless
    ``partial``, raise."""
    connection = HttpConnection(port)
    try:
        started = time.perf_counter()
        status, payload = await connection.post_json("/graphql", {"query": query})
        elapsed = time.perf_counter() - started
    finally:
        connection.close()
    body: dict[str, Any] = json.loads(payload)
    if status != 200 or (body.get("errors") and not partial):
        raise RuntimeError(f"HTTP {status} for {query[:60]}...: {payload[:600]!r}")
    return elapsed, body


@dataclass
class Phase:
    """What one closed-loop phase did: requests answered in ``seconds``, failures, the server's CPU seconds."""

    requests: int
    failures: int
    seconds: float
    cpu: float
    sample_failure: bytes = b""
    latencies: list[float] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_per_request(self) -> float:
        return self.cpu / max(1, self.requests)


async def closed_loop(port: int, pids: list[int], query: str, concurrency: int, seconds: float) -> Phase:
    """``concurrency`` clients, each sending the next request when its last is answered, for ``seconds``; the CPU
    time the processes ``pids`` (and their descendants) used meanwhile.

    An answer counts when it is HTTP 200 without ``"errors"`` in it (a byte search: parsing a 100-row answer here
    would take CPU from the servers)."""
    body = json.dumps({"query": query}).encode()
    connections = [HttpConnection(port) for _ in range(concurrency)]
    for connection in connections:  # connected before the clock starts, as a client's pool would be
        await connection.request("POST", "/graphql", body)
    done = failures = 0
    sample = b""
    latencies: list[float] = []
    stop = 0.0

    async def client(connection: HttpConnection) -> None:
        nonlocal done, failures, sample
        while (now := time.perf_counter()) < stop:
            status, payload = await connection.request("POST", "/graphql", body)
            latencies.append(time.perf_counter() - now)
            if status == 200 and b'"errors"' not in payload:
                done += 1
            else:
                failures += 1
                sample = sample or payload[:600]

    cpu_before = cpu_seconds(pids)
    started = time.perf_counter()
    stop = started + seconds
    await asyncio.gather(*(client(c) for c in connections))
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(pids) - cpu_before
    for connection in connections:
        connection.close()
    return Phase(done, failures, elapsed, cpu, sample, latencies)


def _descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):  # gone meanwhile
                queue += [int(child) for child in task.read_text().split()]
    return found


def serving_pid(root: int, port: int) -> int:
    """The process under ``root`` (or ``root`` itself) that holds the socket listening on ``port``: the one whose
    CPU is the server's, whichever process the command that was spawned turns out to be."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
                    inodes.add(f"socket:[{fields[9]}]")
    for pid in _descendants(root):
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            with contextlib.suppress(OSError):
                if os.readlink(fd) in inodes:
                    return pid
    raise RuntimeError(f"no process under {root} listens on port {port}")


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU seconds of the processes ``pids`` and every process under them, all threads."""
    total = 0
    for pid in pids:
        for each in _descendants(pid):
            try:
                fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / TICK


def memory(pid: int) -> tuple[float, float]:
    """Resident memory now and at its peak (VmRSS, VmHWM), in MiB, summed over ``pid`` and its descendants."""
    now = peak = 0.0
    for each in _descendants(pid):
        try:
            status = Path(f"/proc/{each}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                now += int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak += int(line.split()[1]) / 1024
    return now, peak


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def min_median(values: list[float]) -> tuple[float, float]:
    return min(values), statistics.median(values)
