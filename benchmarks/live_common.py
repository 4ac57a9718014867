"""What the live benchmarks share: a throwaway database and redis-server, real `trueppm serve`
and `trueppm worker` processes, a seeded project, and a graphql-transport-ws client.

Everything is private to the run: a new database on the PostgreSQL server given by
`TRUEPPM_BENCH_DATABASE_URL` (default the local one, dropped at the end) and a
`redis-server` on a free port (never a shared Redis).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url
from websockets.asyncio.client import ClientConnection, connect

from app.auth.passwords import hash_password
from app.auth.tokens import issue_access_token
from app.db import sync_url
from app.migrate import upgrade
from app.models import Dependency, Project, ProjectMember, Task, User, Workspace, WorkspaceMember
from app.models.enums import Role, WorkspaceRole
from app.settings import Settings
from app.state import AppState, unit_of_work
from benchmarks._networks import layered_network

SECRET = "benchmark-secret-key-long-enough-for-hs512-0123456789abcdefghijklmnop"
SERVER = os.environ.get(
    "TRUEPPM_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(sync_url(SERVER))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextlib.contextmanager
def database() -> Iterator[str]:
    """A new, migrated database; dropped afterwards."""
    name = f"trueppm_bench_{secrets.token_hex(4)}"
    asyncio.run(_admin(f"CREATE DATABASE {name}"))
    url = make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A private `redis-server` without persistence on a free port."""
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait()


def settings(data_dir: Path, valkey_url: str | None, **extra: str) -> Settings:
    env = {
        "SECRET_KEY": SECRET,
        "TRUEPPM_DATA_DIR": str(data_dir),
        # Load from a handful of users: no per-user request budget or socket cap.
        "TRUEPPM_API_REQUESTS_PER_MINUTE": "0",
        "TRUEPPM_WS_PER_USER": "0",
        **extra,
    }
    if valkey_url:
        env["VALKEY_URL"] = valkey_url
    return Settings.from_env(env)


def _env(
    database_url: str, valkey_url: str | None, data_dir: Path, port: int = 0
) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "TRUEPPM_DATA_DIR": str(data_dir),
        "TRUEPPM_LOG_LEVEL": "WARNING",
        "TRUEPPM_DRAIN_SECONDS": "0",  # stopped processes go at once
        "TRUEPPM_INTROSPECTION": "true",  # GraphiQL and clients that introspect
        "TRUEPPM_API_REQUESTS_PER_MINUTE": "0",  # load from a handful of users
        "TRUEPPM_WS_PER_USER": "0",
    }
    if port:
        env["TRUEPPM_PORT"] = str(port)
    env.pop("VALKEY_URL", None)
    if valkey_url:
        env["VALKEY_URL"] = valkey_url
    return env


@dataclass
class Api:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def rss_kib(self) -> int:
        """Resident memory of the API process (KiB, from /proc)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")


@contextlib.contextmanager
def api_process(
    database_url: str, valkey_url: str | None, data_dir: Path, workers: int = 1
) -> Iterator[Api]:
    """`trueppm serve` (uvicorn; `workers` processes) on a free port."""
    port = free_port()
    env = _env(database_url, valkey_url, data_dir, port)
    env["TRUEPPM_WORKERS"] = str(workers)
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve"], env=env, stdout=subprocess.DEVNULL
    )
    api = Api(process, port)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{api.http}/readyz").status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError("the API process did not become ready")
        yield api
    finally:
        process.terminate()
        process.wait(30)


@contextlib.contextmanager
def worker_process(database_url: str, valkey_url: str, data_dir: Path) -> Iterator[None]:
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "worker"],
        env=_env(database_url, valkey_url, data_dir),
        stderr=None if os.environ.get("TRUEPPM_BENCH_VERBOSE") else subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        process.terminate()
        process.wait(30)


@dataclass(frozen=True)
class Seeded:
    project_id: uuid.UUID
    user_id: uuid.UUID
    first_task: uuid.UUID
    tasks: int
    links: int


async def seed_project(state: AppState, n_tasks: int) -> Seeded:
    """A workspace, a Project Manager and a project of `n_tasks` tasks whose links come from
    the engine benchmarks' layered network (~3 links per task, FS/SS/FF)."""
    network = layered_network(n_tasks)
    async with unit_of_work(state.sessions) as uow:
        session = uow.session
        user = User(
            email=f"pm-{uuid.uuid4().hex[:8]}@example.com",
            name="PM",
            password_hash=hash_password("benchmark password"),
        )
        workspace = Workspace(name="Bench")
        session.add_all([user, workspace])
        await session.flush()
        session.add(
            WorkspaceMember(
                workspace_id=workspace.id, user_id=user.id, role=WorkspaceRole.OWNER.value
            )
        )
        project = Project(workspace_id=workspace.id, name="Bench", start_date=network.start)
        session.add(project)
        await session.flush()
        session.add(
            ProjectMember(project_id=project.id, user_id=user.id, role=int(Role.PROJECT_MANAGER))
        )
        ids = {task.id: uuid.uuid4() for task in network.tasks}
        session.add_all(
            Task(
                id=ids[task.id],
                project_id=project.id,
                wbs_path="t" + ids[task.id].hex,
                wbs_rank=f"n{i:06d}",
                name=task.id,
                duration=task.duration,
            )
            for i, task in enumerate(network.tasks)
        )
        await session.flush()
        session.add_all(
            Dependency(
                project_id=project.id,
                predecessor_id=ids[link.predecessor],
                successor_id=ids[link.successor],
                type=link.type.value,
            )
            for link in network.dependencies
        )
    return Seeded(
        project.id, user.id, ids[network.tasks[0].id], len(ids), len(network.dependencies)
    )


def token(state: AppState, user_id: uuid.UUID) -> str:
    return issue_access_token(state.settings, user_id)


@contextlib.asynccontextmanager
async def subscription(
    api: Api, bearer: str, query: str, variables: dict[str, Any]
) -> AsyncIterator[ClientConnection]:
    """A graphql-transport-ws socket with one running subscription."""
    async with connect(
        api.ws, subprotocols=["graphql-transport-ws"], max_queue=None, open_timeout=120
    ) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps(
                {"type": "connection_init", "payload": {"authorization": f"Bearer {bearer}"}}
            )
        )
        ack = json.loads(await ws.recv())
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"refused: {ack}")
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables},
                }
            )
        )
        yield ws


async def next_payload(ws: ClientConnection) -> dict[str, Any]:
    while True:
        message = json.loads(await ws.recv())
        if message["type"] == "next":
            data: dict[str, Any] = message["payload"]["data"]
            return data
        if message["type"] not in ("ping", "pong"):
            raise RuntimeError(message)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0-100)."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summary(values: list[float]) -> tuple[float, float, float, float]:
    """(min, median, p99, max)."""
    return min(values), statistics.median(values), percentile(values, 99), max(values)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"
