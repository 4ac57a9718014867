"""Leveling through the application: a 10,000-task plan with a 200-resource pool, end to end.

The plan is the interchange benchmark's MSPDI file (benchmarks/interchange.py) with a pool
(units 1, 2 or 3 each) and one or two assignments per leaf task added to it, imported through
the real pipeline into a throwaway database on the local PostgreSQL (created, migrated,
dropped). Measured: `levelResources` as a preview (load the scope, level, the answer), as an
apply (the same plus writing every delayed task's floor), and the recompute that then writes
the leveled dates.

    .venv/bin/python -m benchmarks.leveling_api [--tasks 10000] [--resources 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import secrets
import time

from sqlalchemy.engine import make_url

import scheduler as engine
from app.interchange.service import process_import, request_import
from app.migrate import upgrade
from app.resources.leveling import level_scope
from app.resources.pool import Scope, ScopeKind
from app.scheduling.recompute import recompute
from app.settings import Settings
from app.state import AppState, unit_of_work
from benchmarks.interchange import _member, make_file
from benchmarks.sync import SERVER, _admin


def with_pool(text: str, tasks: int, resources: int, seed: int = 3) -> str:
    """The file with `<Resources>` and `<Assignments>` (leaves are the UIDs not 1 mod 100)."""
    rng = random.Random(seed)
    pool = "".join(
        f"<Resource><UID>{k}</UID><ID>{k}</ID><Name>R{k}</Name><Type>1</Type>"
        f"<MaxUnits>{rng.choice((1, 2, 3))}</MaxUnits></Resource>"
        for k in range(1, resources + 1)
    )
    rows, uid = [], 0
    for task in range(1, tasks + 1):
        if task % 100 == 1:
            continue
        for k in rng.sample(range(1, resources + 1), rng.randint(1, 2)):
            uid += 1
            rows.append(
                f"<Assignment><UID>{uid}</UID><TaskUID>{task}</TaskUID>"
                f"<ResourceUID>{k}</ResourceUID><Units>1</Units></Assignment>"
            )
    extra = f"<Resources>{pool}</Resources><Assignments>{''.join(rows)}</Assignments>"
    return text.replace("</Tasks></Project>", f"</Tasks>{extra}</Project>")


async def run(tasks: int, resources: int) -> dict[str, object]:
    data = with_pool(make_file(tasks, 3), tasks, resources).encode()
    name = f"trueppm_bench_{secrets.token_hex(4)}"
    await _admin(f"CREATE DATABASE {name}")
    url = make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade, url)
        settings = Settings.from_env({"SECRET_KEY": "x" * 40, "TRUEPPM_DATA_DIR": "/tmp/tb"})
        state = AppState(settings=settings, database_url=url)
        user_id, project_id = await _member(state)
        async with unit_of_work(state.sessions) as uow:
            accepted = await request_import(
                uow.session, user_id, project_id, "plan.xml", data, max_bytes=10**9
            )
        outcome = await process_import(state.sessions, accepted.request.id)
        assert outcome.state == "DONE", outcome.error
        assert (await recompute(state.sessions, project_id)).state == "succeeded"
        scope = Scope(ScopeKind.PROJECT, project_id)
        timings = {}
        for apply in (False, True):
            t0 = time.perf_counter()
            async with unit_of_work(state.sessions) as uow:
                got = await level_scope(uow, user_id, scope, engine.LevelingOptions(), apply=apply)
            timings["apply_s" if apply else "preview_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        assert (await recompute(state.sessions, project_id)).state == "succeeded"
        timings["recompute_after_s"] = round(time.perf_counter() - t0, 2)
        await state.close()
    finally:
        await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    (finish,) = got.finishes
    return {
        "tasks": tasks,
        "resources": resources,
        "assignments": outcome.report["counts"]["assignments"] if outcome.report else None,
        **timings,
        "delayed_tasks": len(got.delays),
        "overallocations": len(got.overallocations),
        "schedules": got.schedules,
        "finish_before": finish.before.isoformat() if finish.before else None,
        "finish_after": finish.after.isoformat() if finish.after else None,
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--resources", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.tasks, args.resources)), indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
