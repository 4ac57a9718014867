"""Sync endpoint benchmark: full pull of a 10k-task project, incremental pull of 100 changes.

Runs against a throwaway database on the local PostgreSQL (created, migrated, dropped), through
the real ASGI app in process (httpx ASGITransport: routing, auth, JSON encoding included, no
network). Ratios are taken in the same run:

- full pull vs the bare `SELECT` of the same rows (what the protocol and JSON cost on top);
- incremental pull of 100 changes vs the full pull (what the cursor saves);
- a 10k-row `UPDATE` with the sync trigger vs the same statement with triggers disabled.

    .venv/bin/python -m benchmarks.sync [--tasks 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx
from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url

from app.asgi import create_app
from app.auth.tokens import issue_access_token
from app.db import sync_url
from app.migrate import upgrade
from app.models import Dependency, Project, ProjectMember, Task, User, Workspace
from app.models.enums import Role
from app.settings import Settings
from app.state import AppState

SERVER = os.environ.get(
    "TRUEPPM_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(sync_url(SERVER))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _seed(state: AppState, tasks: int) -> tuple[uuid.UUID, uuid.UUID, list[uuid.UUID]]:
    user_id, workspace_id, project_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    ids = [uuid.uuid4() for _ in range(tasks)]
    async with state.sessions() as session, session.begin():
        await session.execute(
            insert(User).values(id=user_id, email="bench@example.com", name="b", password_hash="x")
        )
        await session.execute(insert(Workspace).values(id=workspace_id, name="w"))
        await session.execute(
            insert(Project).values(
                id=project_id, workspace_id=workspace_id, name="p", start_date=dt.date(2026, 1, 5)
            )
        )
        await session.execute(
            insert(ProjectMember).values(
                project_id=project_id, user_id=user_id, role=int(Role.VIEWER)
            )
        )
        await session.execute(
            insert(Task),
            [
                {
                    "id": i,
                    "project_id": project_id,
                    "wbs_path": "t" + i.hex,
                    "name": f"Task {n}",
                    "duration": 1 + n % 9,
                    "early_start": dt.date(2026, 1, 5),
                }
                for n, i in enumerate(ids)
            ],
        )
        links = [
            {
                "project_id": project_id,
                "predecessor_id": ids[n - 1 - (n % 3)],
                "successor_id": ids[n],
            }
            for n in range(3, tasks)
        ]
        await session.execute(insert(Dependency), links)
    return user_id, project_id, ids


async def _best(fn: Callable[[], Awaitable[Any]], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = await fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


async def run(tasks: int, repeat: int) -> None:
    name = f"trueppm_bench_{secrets.token_hex(4)}"
    await _admin(f"CREATE DATABASE {name}")
    url = make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade, url)
        settings = Settings.from_env(
            {"SECRET_KEY": "x" * 40, "TRUEPPM_DATA_DIR": "/tmp/trueppm-bench"}
        )
        state = AppState(settings=settings, database_url=url)
        user_id, project_id, ids = await _seed(state, tasks)
        app = create_app(settings, url, state=state)
        token = issue_access_token(settings, user_id)
        headers = {"Authorization": f"Bearer {token}"}
        path = f"/api/v1/projects/{project_id}/sync/"
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://b"
        ) as http:

            async def pull(last: int, page_size: int) -> tuple[int, int, int]:
                params: dict[str, Any] = {"last_pulled_at": last, "page_size": page_size}
                records = pages = 0
                while True:
                    body = (await http.get(path, params=params, headers=headers)).json()
                    pages += 1
                    records += sum(
                        len(t["created"]) + len(t["updated"]) + len(t["deleted"])
                        for t in body["changes"].values()
                    )
                    if not body["has_more"]:
                        return body["timestamp"], records, pages
                    params = {"cursor": body["next_cursor"], "page_size": page_size}

            async def bare() -> int:
                async with state.sessions() as session:
                    rows = (
                        (await session.execute(select(Task).where(Task.project_id == project_id)))
                        .scalars()
                        .all()
                    )
                    links = (
                        (
                            await session.execute(
                                select(Dependency).where(Dependency.project_id == project_id)
                            )
                        )
                        .scalars()
                        .all()
                    )
                    return len(rows) + len(links)

            rows: list[tuple[str, float, str]] = []
            t_bare, count = await _best(bare, repeat)
            rows.append(("bare ORM SELECT of the same rows", t_bare, f"{count} rows"))
            results = {}
            for size in (1000, 10000):
                t_full, (cursor, records, pages) = await _best(lambda s=size: pull(0, s), repeat)
                results[size] = t_full
                rows.append(
                    (f"full pull, page_size {size}", t_full, f"{records} records, {pages} pages")
                )

            changed = ids[:: max(1, tasks // 100)][:100]
            async with state.sessions() as session, session.begin():
                for i in changed:
                    await session.execute(
                        text("UPDATE task SET name = name || '*' WHERE id = :i"), {"i": i}
                    )
            t_incr, (_, records, pages) = await _best(lambda: pull(cursor, 1000), repeat)
            rows.append(
                ("incremental pull, 100 changed tasks", t_incr, f"{records} records, {pages} page")
            )

            async def update_all(triggers: bool) -> None:
                async with state.sessions() as session, session.begin():
                    if not triggers:
                        await session.execute(text("SET LOCAL session_replication_role = replica"))
                    await session.execute(
                        text("UPDATE task SET duration = duration WHERE project_id = :p"),
                        {"p": project_id},
                    )

            t_trig, _ = await _best(lambda: update_all(True), repeat)
            t_plain, _ = await _best(lambda: update_all(False), repeat)
        await state.close()
    finally:
        await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    full, small = results[10000], results[1000]
    lines = [
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; best of {repeat}",
        "",
        "| measurement | time | notes |",
        "|---|---:|---|",
        *(f"| {label} | {seconds * 1000:.0f} ms | {notes} |" for label, seconds, notes in rows),
        f"| {tasks}-row UPDATE with the sync trigger | {t_trig * 1000:.0f} ms | |",
        f"| {tasks}-row UPDATE, triggers disabled | {t_plain * 1000:.0f} ms | |",
        "",
        f"- full pull (page_size 10000) / bare SELECT: {full / t_bare:.1f}x",
        f"- full pull (page_size 1000) / full pull (page_size 10000): {small / full:.2f}x",
        f"- incremental pull of 100 / full pull: {t_incr / full:.3f} ({full / t_incr:.0f}x faster)",
        f"- UPDATE with trigger / without: {t_trig / t_plain:.2f}x",
    ]
    print("\n".join(lines))  # noqa: T201


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(run(args.tasks, args.repeat))


if __name__ == "__main__":
    main()
