"""GraphQL serving speed: `trueppm serve` against PostGraphile 4 on the same database.

A throwaway database (migrated, dropped at the end) gets a 1,000-task project (board columns,
cards in them, dates computed) and a 10,000-task one; `trueppm serve` (with `--workers`, over
a private redis-server) and PostGraphile 4 (npm `postgraphile@4`, installed under
`benchmarks/.node` on first use; production mode, no authentication — ours authorises inside
its SQL) serve it side by side. Each query of the mix runs for `--seconds` at each number of
concurrent clients (one keep-alive HTTP/1.1 connection each, requests back to back):

- `project20`: one project by id and its first 20 tasks (both servers);
- `board1k`: the 1,000-task project's board, every card (ours) / the project's 1,000 tasks
  (PostGraphile: no boards, the same rows);
- `wbs10k`: the 10,000-task project's WBS tree (ours) / its 10,000 tasks in path order;
- `rename`: a mutation renaming one task (ours through the full write path: history, outbox,
  sync version; PostGraphile an UPDATE).

Reported per server, query and clients: requests/s, p50 and p95 in ms, and the ratio.

    .venv/bin/python -m benchmarks.api [--workers 2] [--clients 1 16 64] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import update

from app.boards.columns import create_default_columns
from app.models import BoardColumn, Task
from app.scheduling.recompute import recompute
from app.state import AppState, unit_of_work
from benchmarks._timing import machine
from benchmarks.live_common import (
    api_process,
    database,
    free_port,
    load_average,
    percentile,
    redis_server,
    seed_project,
    settings,
    token,
)

NODE = Path(__file__).resolve().parent / ".node"
POSTGRAPHILE = "postgraphile@4.14.1"

OURS = {
    "project20": (
        "query($id: ID!) { project(id: $id) { id name } "
        "tasks(projectId: $id, first: 20) { edges { node { id name earlyStart earlyFinish } } } }"
    ),
    "board1k": (
        "query($p: ID!) { board(projectId: $p) { lanes { column { id name } "
        "cards { id name earlyStart earlyFinish } } } }"
    ),
    "wbs10k": "query($p: ID!) { wbsTree(projectId: $p) { id name parentId depth } }",
    "rename": (
        "mutation($id: ID!, $n: String!) { updateTask(id: $id, input: {name: $n}) { __typename } }"
    ),
}
PEER = {
    "project20": (
        "query($id: UUID!) { projectById(id: $id) { id name "
        "tasksByProjectId(first: 20, orderBy: WBS_RANK_ASC) { nodes { id name earlyStart "
        "earlyFinish } } } }"
    ),
    "board1k": (
        "query($p: UUID!) { allTasks(condition: {projectId: $p}, orderBy: BOARD_RANK_ASC) "
        "{ nodes { id name earlyStart earlyFinish columnId } } }"
    ),
    "wbs10k": (
        "query($p: UUID!) { allTasks(condition: {projectId: $p}, orderBy: WBS_PATH_ASC) "
        "{ nodes { id name wbsPath } } }"
    ),
    "rename": (
        "mutation($id: UUID!, $n: String!) { updateTaskById(input: {id: $id, "
        "taskPatch: {name: $n}}) { clientMutationId } }"
    ),
}


@dataclass(frozen=True)
class World:
    small: uuid.UUID  # the 1,000-task project
    large: uuid.UUID  # the 10,000-task project
    task: uuid.UUID  # a task of the small one (renamed)
    bearer: str


async def _seed(state: AppState) -> World:
    small = await seed_project(state, 1000)
    large = await seed_project(state, 10_000)
    async with unit_of_work(state.sessions) as uow:
        await create_default_columns(uow.session, small.project_id)
    async with state.sessions() as session, session.begin():
        column = await session.scalar(
            BoardColumn.__table__.select()
            .with_only_columns(BoardColumn.id)
            .where(BoardColumn.project_id == small.project_id)
            .order_by(BoardColumn.rank)
            .limit(1)
        )
        await session.execute(
            update(Task)
            .where(Task.project_id == small.project_id)
            .values(column_id=column, board_rank=Task.wbs_rank)
        )
    for project in (small.project_id, large.project_id):
        outcome = await recompute(state.sessions, project, force=True)
        assert outcome.state == "succeeded", outcome
    # One user sees both: the large project's manager joins the small one.
    from app.models import ProjectMember
    from app.models.enums import Role

    async with state.sessions() as session, session.begin():
        session.add(
            ProjectMember(
                project_id=small.project_id, user_id=large.user_id, role=int(Role.PROJECT_MANAGER)
            )
        )
    return World(small.project_id, large.project_id, small.first_task, token(state, large.user_id))


async def _prepare(url: str, valkey: str, data: Path) -> World:
    state = AppState(settings(data, valkey), url)
    try:
        return await _seed(state)
    finally:
        await state.close()


def _variables(world: World, name: str) -> dict[str, Any]:
    if name == "project20":
        return {"id": str(world.small)}
    if name == "board1k":
        return {"p": str(world.small)}
    if name == "wbs10k":
        return {"p": str(world.large)}
    return {"id": str(world.task), "n": "renamed"}


def _request(port: int, path: str, body: bytes, bearer: str | None) -> bytes:
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: keep-alive",
    ]
    if bearer:
        head.append(f"Authorization: Bearer {bearer}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _client(
    port: int, request: bytes, until: float, latencies: list[float], check: bytes
) -> None:
    """One keep-alive connection sending ``request`` back to back until ``until``."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            chunked = False
            for line in head.split(b"\r\n"):
                key, _, value = line.partition(b":")
                if key.lower() == b"content-length":
                    length = int(value)
                elif key.lower() == b"transfer-encoding" and b"chunked" in value.lower():
                    chunked = True
            if chunked:
                body = b""
                while True:
                    size = int((await reader.readuntil(b"\r\n")).strip(), 16)
                    body += await reader.readexactly(size + 2)
                    if size == 0:
                        break
            else:
                body = await reader.readexactly(length)
            latencies.append(time.perf_counter() - t0)
            if not head.startswith(b"HTTP/1.1 200") or check not in body or b'"errors"' in body:
                raise RuntimeError(f"unexpected answer: {head[:200]!r} {body[:300]!r}")
    finally:
        writer.close()


async def _load(port: int, path: str, body: bytes, bearer: str | None, clients: int,
                seconds: float, check: bytes) -> dict[str, float]:  # fmt: skip
    request = _request(port, path, body, bearer)
    # Warm up (caches, connection pools, JIT of the peer) for a second, then measure.
    warm: list[float] = []
    until = time.perf_counter() + 1.0
    await asyncio.gather(*(_client(port, request, until, warm, check) for _ in range(clients)))
    latencies: list[float] = []
    t0 = time.perf_counter()
    until = t0 + seconds
    await asyncio.gather(*(_client(port, request, until, latencies, check) for _ in range(clients)))
    elapsed = time.perf_counter() - t0
    return {
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
    }


def _wait(url: str, probe: dict[str, Any]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            response = httpx.post(url, json=probe)
            if response.status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def _install_peer() -> Path:
    binary = NODE / "node_modules" / ".bin" / "postgraphile"
    if not binary.exists():
        NODE.mkdir(exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(NODE),
             POSTGRAPHILE],
            check=True,
        )  # fmt: skip
    return binary


@contextlib.contextmanager
def _peer(url: str) -> Iterator[int]:
    binary = _install_peer()
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "-c", url.replace("postgresql+asyncpg", "postgres"), "--schema",
         "public", "--host", "127.0.0.1", "--port", str(port), "--disable-query-log"],
        env={**os.environ, "NODE_ENV": "production"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait(f"http://127.0.0.1:{port}/graphql", {"query": "{ __typename }"})
        yield port
    finally:
        process.terminate()
        process.wait(30)


async def _measure(
    world: World, ours: int, peer: int | None, clients: list[int], seconds: float,
    names: list[str],
) -> list[dict[str, Any]]:  # fmt: skip
    rows = []
    for name in names:
        for n in clients:
            row: dict[str, Any] = {"query": name, "clients": n}
            body = json.dumps({"query": OURS[name], "variables": _variables(world, name)})
            row["ours"] = await _load(ours, "/graphql", body.encode(), world.bearer, n,
                                      seconds, b'"data"')  # fmt: skip
            if peer is not None:
                body = json.dumps({"query": PEER[name], "variables": _variables(world, name)})
                row["postgraphile"] = await _load(peer, "/graphql", body.encode(), None, n,
                                                  seconds, b'"data"')  # fmt: skip
                row["ratio_rps"] = round(row["ours"]["rps"] / row["postgraphile"]["rps"], 2)
            rows.append(row)
            print(json.dumps(row), flush=True)  # noqa: T201 - a benchmark reports on stdout
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--queries", nargs="+", default=list(OURS), choices=list(OURS))
    parser.add_argument("--no-peer", action="store_true")
    args = parser.parse_args()
    with (
        database() as url,
        redis_server() as valkey,
        tempfile.TemporaryDirectory() as data,
    ):
        world = asyncio.run(_prepare(url, valkey, Path(data)))
        with api_process(url, valkey, Path(data), args.workers) as api:
            peer = contextlib.nullcontext(None) if args.no_peer else _peer(url)
            with peer as peer_port:
                asyncio.run(
                    _measure(world, api.port, peer_port, args.clients, args.seconds,
                             args.queries)
                )  # fmt: skip
    print(machine(), f"- {args.workers} worker(s) - load", load_average())  # noqa: T201


if __name__ == "__main__":
    main()
