"""Real API processes (uvicorn) and a small WebSocket client speaking both protocols."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from app.settings import Settings
from tests.app.events.helpers import free_port

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
ORIGIN = "http://localhost:5173"


def process_env(settings: Settings, database_url: str, valkey_url: str) -> dict[str, str]:
    """The environment of an API or worker process sharing the tests' database and Redis."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "VALKEY_URL": valkey_url,
        "SECRET_KEY": settings.signing_key(),
        "TRUEPPM_DATA_DIR": str(settings.data_dir),
        "TRUEPPM_LOG_LEVEL": "WARNING",
        "TRUEPPM_DRAIN_SECONDS": "0",  # stopped processes go at once
        "TRUEPPM_INTROSPECTION": "true",  # GraphiQL and clients that introspect
    }


def _children(pid: int) -> list[int]:
    """Direct children of `pid`, from /proc (Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces; the parent pid is the 2nd field after it.
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry.name))
    return found


class WorkerProcess:
    """A real `trueppm worker` (RQ, forking a work horse per job). RQ puts the horse in a
    process group of its own, so `kill()` looks it up and SIGKILLs worker and horse together,
    as when a container or node dies."""

    def __init__(self, settings: Settings, database_url: str, valkey_url: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app", "worker"],
            env=process_env(settings, database_url, valkey_url),
            stderr=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        """SIGKILL the worker and its work horse at once."""
        if self.process.poll() is None:
            horses = _children(self.process.pid)
            self.process.kill()
            for pid in horses:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@contextlib.contextmanager
def processes() -> Iterator[list[ApiProcess | WorkerProcess]]:
    """Collects started processes and stops every one of them, even when a later start fails."""
    started: list[ApiProcess | WorkerProcess] = []
    try:
        yield started
    finally:
        for process in reversed(started):
            process.stop()


class ApiProcess:
    def __init__(
        self,
        settings: Settings,
        database_url: str,
        valkey_url: str,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        env = {**process_env(settings, database_url, valkey_url), **(extra_env or {})}
        command = [sys.executable, "-m", "uvicorn", "--factory", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "tests.graph.events.server_app:app"], env=env, stderr=subprocess.DEVNULL
        )
        # Generous: the machine may be busy. A process that never got ready is stopped, so
        # it cannot linger and relay other tests' schedule requests.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(f"{self.http}/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the API process did not start")

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def text_frame(frame: str | bytes) -> str:
    """Both protocols send JSON in text frames; a browser's client cannot read binary ones."""
    assert isinstance(frame, str), f"a binary frame: {frame!r}"
    return frame


async def open_ws(
    server: ApiProcess, protocol: str, init: dict[str, Any], origin: str = ORIGIN
) -> tuple[ClientConnection, dict[str, Any]]:
    """Connect and send connection_init; returns the socket and the server's first reply."""
    ws = await connect(server.ws, subprotocols=[protocol], origin=origin)  # type: ignore[list-item,arg-type]
    await ws.send(json.dumps({"type": "connection_init", "payload": init}))
    try:
        reply: dict[str, Any] = json.loads(text_frame(await ws.recv()))
    except ConnectionClosed:
        reply = {"type": "closed"}  # refused without a message (graphql-transport-ws)
    return ws, reply


async def start(ws: ClientConnection, protocol: str, query: str, variables: dict[str, Any]) -> None:
    kind = "subscribe" if protocol == TRANSPORT_WS else "start"
    payload = {"query": query, "variables": variables}
    await ws.send(json.dumps({"id": "1", "type": kind, "payload": payload}))


async def next_data(ws: ClientConnection) -> dict[str, Any]:
    """The `data` of the next result message of either protocol."""
    while True:
        message = json.loads(text_frame(await ws.recv()))
        if message["type"] in ("next", "data"):
            data: dict[str, Any] = message["payload"]["data"]
            return data
        if message["type"] not in ("ka", "ping", "pong"):
            raise AssertionError(message)
