"""Plan import/export benchmark: a 10,000-task / 30,000-link MSPDI file, end to end.

A throwaway database on the local PostgreSQL (created, migrated, dropped). Measured in one run:

- import end to end: accept the upload (the outbox row), process it (hardened parse, the plan,
  the one-transaction write) and the recompute it requests — the time until every date is
  stored; and the process's peak RSS;
- export: load the project and render the MSPDI document;
- our read alone (hardened parse and plan, no database), the like-for-like peer of
- MPXJ's own read of the same file (`UniversalProjectReader`), in a child process, with and
  without its JVM start-up.

    .venv/bin/python -m benchmarks.interchange [--tasks 10000] [--links-per-task 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import resource
import secrets
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import make_url

from app.interchange.export import load_export, render_mspdi
from app.interchange.service import process_import, read_plan, request_import
from app.migrate import upgrade
from app.models import Project, ProjectMember, User, Workspace
from app.models.enums import Role
from app.scheduling.recompute import recompute
from app.settings import Settings
from app.state import AppState, unit_of_work
from benchmarks.sync import SERVER, _admin

START = date(2027, 1, 4)
_MPXJ_READ = """
import sys, time
t0 = time.perf_counter()
import jpype, mpxj
jpype.startJVM()
from org.mpxj.reader import UniversalProjectReader
t1 = time.perf_counter()
project = UniversalProjectReader().read(sys.argv[1])
t2 = time.perf_counter()
print(len(list(project.getTasks())), t1 - t0, t2 - t1)
"""


def make_file(tasks: int, links_per_task: int, seed: int = 7) -> str:
    """An MSPDI document: 1% summaries each over up to 99 tasks, durations 1-10 days, FS/SS/FF
    links to earlier tasks with lags of -1..3 days (working or elapsed), a calendar with
    holidays. Deterministic for a seed."""
    rng = random.Random(seed)
    rows, leaves = [], []
    uid = 0
    per_summary = 99
    holidays = "".join(
        f"<Exception><TimePeriod><FromDate>{d}T00:00:00</FromDate><ToDate>{d}T23:59:00</ToDate>"
        "</TimePeriod><Occurrences>1</Occurrences><Name>Holiday</Name><Type>1</Type>"
        "<DayWorking>0</DayWorking></Exception>"
        for d in (START + timedelta(days=7 * k + 2) for k in range(0, 104, 5))
    )
    while uid < tasks:
        uid += 1
        rows.append((uid, 1, f"Phase {uid}", 0, []))
        for _ in range(min(per_summary, tasks - uid)):
            uid += 1
            preds = []
            for pred in rng.sample(leaves[-200:], min(links_per_task, len(leaves[-200:]))):
                kind = rng.choice((1, 1, 1, 3, 0))  # mostly FS, some SS and FF
                lag = rng.randint(-1, 3)
                elapsed = rng.random() < 0.2
                tenths = lag * (14400 if elapsed else 4800)
                preds.append(
                    f"<PredecessorLink><PredecessorUID>{pred}</PredecessorUID><Type>{kind}</Type>"
                    f"<LinkLag>{tenths}</LinkLag><LagFormat>{8 if elapsed else 7}</LagFormat>"
                    "</PredecessorLink>"
                )
            rows.append((uid, 2, f"Task {uid}", rng.randint(1, 10), preds))
            leaves.append(uid)
    body = "".join(
        f"<Task><UID>{u}</UID><ID>{u}</ID><Name>{name}</Name><OutlineLevel>{level}</OutlineLevel>"
        f"<Duration>PT{days * 8}H0M0S</Duration><DurationFormat>7</DurationFormat>"
        f"<ConstraintType>0</ConstraintType><Priority>500</Priority>{''.join(preds)}</Task>"
        for u, level, name, days, preds in rows
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Project xmlns="http://schemas.microsoft.com/project"><Name>Benchmark</Name>'
        f"<StartDate>{START}T08:00:00</StartDate><CalendarUID>1</CalendarUID>"
        "<MinutesPerDay>480</MinutesPerDay><Calendars><Calendar><UID>1</UID><Name>Standard</Name>"
        "<IsBaseCalendar>1</IsBaseCalendar><WeekDays>"
        + "".join(
            f"<WeekDay><DayType>{d}</DayType><DayWorking>{int(d not in (1, 7))}</DayWorking>"
            "</WeekDay>"
            for d in range(1, 8)
        )
        + f"</WeekDays><Exceptions>{holidays}</Exceptions></Calendar></Calendars>"
        f"<Tasks><Task><UID>0</UID><ID>0</ID><OutlineLevel>0</OutlineLevel></Task>{body}</Tasks>"
        "</Project>"
    )


async def _member(state: AppState) -> tuple[uuid.UUID, uuid.UUID]:
    user_id, workspace_id, project_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with state.sessions() as session, session.begin():
        await session.execute(
            insert(User).values(id=user_id, email="b@example.com", name="b", password_hash="x")
        )
        await session.execute(insert(Workspace).values(id=workspace_id, name="w"))
        await session.execute(
            insert(Project).values(
                id=project_id, workspace_id=workspace_id, name="Import", start_date=START
            )
        )
        await session.execute(
            insert(ProjectMember).values(
                id=uuid.uuid4(),
                project_id=project_id,
                user_id=user_id,
                role=int(Role.PROJECT_MANAGER),
            )
        )
    return user_id, project_id


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(tasks: int, links_per_task: int) -> dict[str, object]:
    text = make_file(tasks, links_per_task)
    path = Path("/tmp") / f"trueppm-bench-{tasks}.xml"
    path.write_text(text, encoding="utf-8")
    data = text.encode()
    links = text.count("<PredecessorLink>")
    r0 = time.perf_counter()
    read_plan(data, path.name)  # what the worker does before it writes: parse and plan
    read_s = time.perf_counter() - r0
    name = f"trueppm_bench_{secrets.token_hex(4)}"
    await _admin(f"CREATE DATABASE {name}")
    url = make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade, url)
        settings = Settings.from_env({"SECRET_KEY": "x" * 40, "TRUEPPM_DATA_DIR": "/tmp/tb"})
        state = AppState(settings=settings, database_url=url)
        user_id, project_id = await _member(state)
        rss_before = _rss_mib()
        t0 = time.perf_counter()
        async with unit_of_work(state.sessions) as uow:
            accepted = await request_import(
                uow.session, user_id, project_id, path.name, data, max_bytes=10**9
            )
        t1 = time.perf_counter()
        outcome = await process_import(state.sessions, accepted.request.id)
        t2 = time.perf_counter()
        computed = await recompute(state.sessions, project_id)
        t3 = time.perf_counter()
        assert outcome.state == "DONE", outcome.error
        assert computed.state == "succeeded", computed
        async with state.sessions() as session:
            loaded = await load_export(session, user_id, project_id)
            t4 = time.perf_counter()
            exported = "".join(render_mspdi(loaded))
        t5 = time.perf_counter()
        await state.close()
    finally:
        await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    mpxj = subprocess.run(
        [sys.executable, "-c", _MPXJ_READ, str(path)], capture_output=True, check=True
    ).stdout.split()
    return {
        "tasks": tasks,
        "links": links,
        "file_mb": round(len(data) / 2**20, 1),
        "read_plan_s": round(read_s, 2),
        "accept_s": round(t1 - t0, 2),
        "process_s": round(t2 - t1, 2),
        "recompute_s": round(t3 - t2, 2),
        "import_total_s": round(t3 - t0, 2),
        "peak_rss_mib": round(_rss_mib()),
        "rss_before_mib": round(rss_before),
        "export_load_s": round(t4 - t3, 2),
        "export_render_s": round(t5 - t4, 2),
        "export_total_s": round(t5 - t3, 2),
        "export_mb": round(len(exported.encode()) / 2**20, 1),
        "mpxj_tasks": int(mpxj[0]),
        "mpxj_jvm_start_s": round(float(mpxj[1]), 2),
        "mpxj_read_s": round(float(mpxj[2]), 2),
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--links-per-task", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.tasks, args.links_per_task)), indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
