"""Real servers on loopback ports: an ASGI app in a thread (for SDKs and subprocess-free live tests), or a
command as a real process (the console script: gateways and simulators)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import uvicorn

#: The console script as a user runs it (the one installed next to this interpreter).
EXE = shutil.which("partner-gateway") or str(Path(sys.executable).with_name("partner-gateway"))
#: How long a server may take to answer its first request. A ceiling, not a wait: a start returns as soon as
#: the server answers. A process imports the whole gateway first, a few seconds of CPU, and several start at
#: once in some tests; on a loaded two-core machine (or with the suite on both cores) a start has taken over
#: 30 s, so that is too tight a ceiling for a process that would have come up.
START_SECONDS = 120.0
#: How often a starting server is probed.
PROBE_SECONDS = 0.05


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def live_server(app: Any, *, lifespan: str = "auto") -> Iterator[str]:
    """Serve ``app`` with uvicorn in a background thread; yield its base URL ``http://127.0.0.1:PORT``."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan=lifespan)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"live-server-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def process_serving(
    args: list[str],
    probe_url: str,
    *,
    timeout: float = START_SECONDS,
    env: dict[str, str] | None = None,
    log: Path | None = None,
) -> Iterator[subprocess.Popen[str]]:
    """Run a server command (a real process); yield once ``probe_url`` answers, stop it afterwards.

    Its combined output goes to ``log`` (appended) when given: use that for a process that serves many
    requests, whose access log would fill an unread pipe and stall it. Without ``log`` the output can be
    read with ``process.communicate()`` after terminating it. The process is always stopped on the way
    out (terminated; killed if it does not exit within 10 s), also when the caller killed it already.
    """
    environment = {**os.environ, **(env or {})}
    output: IO[str] | None = log.open("a") if log is not None else None
    try:
        process = subprocess.Popen(
            args,
            stdout=output if output is not None else subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment,
        )
    except BaseException:
        if output is not None:
            output.close()
        raise
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                said = log.read_text() if log is not None else process.communicate()[0]
                raise RuntimeError(f"{args[0]} exited early:\n{said}")
            try:
                httpx.get(probe_url, timeout=1)
                break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{' '.join(args)} did not start within {timeout} s")
            time.sleep(PROBE_SECONDS)
        yield process
    finally:
        stop(process)
        if output is not None:
            output.close()


def stop(process: subprocess.Popen[Any]) -> None:
    """Ask a server process to end (SIGTERM), and kill it if it has not within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
