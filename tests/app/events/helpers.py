"""Redis for the event tests: the shared server, or a private one a test can kill and restart."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import uuid

import pytest
import valkey

from tests.redis_service import IN_CI, REDIS_URL


def redis_url_or_skip() -> str:
    """The shared test Redis; skipped locally when absent, a failure in CI."""
    try:
        valkey.Valkey.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except valkey.exceptions.ConnectionError:
        if IN_CI:
            pytest.fail(f"Redis is not reachable at {REDIS_URL} (never skipped in CI)")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return REDIS_URL


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RedisProcess:
    """A throwaway `redis-server` without persistence, on a unix socket of its own.

    Not a TCP port: tests stop and restart it at the same address, and on a machine running
    several test suites another suite's server could take a free port in between (then this
    suite's processes would talk to the wrong server). A socket in a private folder cannot
    be taken."""

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="trueppm-redis-")
        self.socket = os.path.join(self.folder, "redis.sock")
        self.url = f"unix://{self.socket}?db=0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                *("--port", "0", "--unixsocket", self.socket, "--unixsocketperm", "700"),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
        )
        client = valkey.Valkey.from_url(self.url)
        for _ in range(200):
            try:
                client.ping()
                return
            except valkey.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def project() -> uuid.UUID:
    return uuid.uuid4()
