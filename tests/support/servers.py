"""Run an ASGI app as a real HTTP server on a loopback port, for SDKs and subprocess-free live tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import uvicorn


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
    deadline = time.monotonic() + 10
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
    args: list[str], probe_url: str, *, timeout: float = 30, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[str]]:
    """Run a server command (a real process); yield once ``probe_url`` answers, terminate it afterwards.

    Its combined output can be read with ``process.communicate()`` after terminating it.
    """
    environment = {**os.environ, **(env or {})}
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{args[0]} exited early:\n{process.communicate()[0]}")
            try:
                httpx.get(probe_url, timeout=1)
                break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{' '.join(args)} did not start within {timeout} s")
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)
