"""Writing an `ImportPlan` into an empty project, inside the caller's transaction.

Bulk inserts (tasks and links: one `INSERT … SELECT FROM unnest(arrays)` per table), so a
10,000-task plan is a handful of statements; the sync and history triggers still see every
row. Ids are chosen here, so the WBS paths (`t<uuid hex>` labels) are known before any row is
written.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, insert, select, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from app import ranks
from app.boards.placement import first_column
from app.interchange.errors import ProjectNotEmpty
from app.interchange.plan import ImportPlan
from app.models import (
    Assignment,
    Baseline,
    BaselineTask,
    Calendar,
    CalendarException,
    Dependency,
    Project,
    Resource,
    Task,
)
from app.scheduling.outbox import request_schedule
from app.tasks import wbs


@dataclass(frozen=True)
class Written:
    """Ids of what the import created, keyed by the file's UIDs."""

    tasks: dict[str, uuid.UUID]
    calendars: dict[str, uuid.UUID]
    baselines: list[uuid.UUID]


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


_PG = postgresql.dialect()  # type: ignore[no-untyped-call]  # untyped in SQLAlchemy


def _array_type(table: Table, name: str) -> str:
    # The column's type as an array; a collation (the rank columns') stays with the column.
    return table.c[name].type.compile(dialect=_PG).split(" COLLATE ")[0] + "[]"


async def _insert_rows(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (all with the same keys) in one statement: one array per column,
    `INSERT … SELECT FROM unnest(…)`. An executemany is one statement per row. Columns the
    rows leave out must have a server default (a Python-side default would be skipped), else
    the executemany is used."""
    if not rows:
        return
    names = list(rows[0])
    skipped = [c for c in table.columns if c.name not in rows[0]]
    if any(c.default is not None and c.server_default is None for c in skipped):
        await session.execute(insert(table), rows)
        return
    quote = _PG.identifier_preparer.quote
    arrays = ", ".join(f"CAST(:{n} AS {_array_type(table, n)})" for n in names)
    columns = ", ".join(quote(n) for n in names)
    await session.execute(
        text(f"INSERT INTO {quote(table.name)} ({columns}) SELECT * FROM unnest({arrays})"),
        {n: [row[n] for row in rows] for n in names},
    )


async def ensure_empty(session: AsyncSession, project_id: uuid.UUID) -> None:
    """`ProjectNotEmpty` when the project has a live task (imports never merge)."""
    live = await session.execute(
        select(func.count())
        .select_from(Task)
        .where(Task.project_id == project_id, Task.is_deleted.is_(False))
    )
    count = live.scalar_one()
    if count:
        raise ProjectNotEmpty(count)


async def _calendars(
    session: AsyncSession, project_id: uuid.UUID, plan: ImportPlan
) -> dict[str, uuid.UUID]:
    ids = {c.uid: uuid.uuid4() for c in plan.calendars}
    if not ids:
        return ids
    await session.execute(
        insert(_table(Calendar)),
        [
            {"id": ids[c.uid], "project_id": project_id, "name": c.name,
             "working_weekdays": c.working_weekdays}
            for c in plan.calendars
        ],
    )  # fmt: skip
    rows = [
        {"id": uuid.uuid4(), "calendar_id": ids[c.uid], "name": "", "start_date": first,
         "end_date": last, "is_working": working}
        for c in plan.calendars
        for first, last, working in c.exceptions
    ]  # fmt: skip
    if rows:
        await session.execute(insert(_table(CalendarException)), rows)
    return ids


def _task_rows(
    project_id: uuid.UUID,
    plan: ImportPlan,
    calendars: dict[str, uuid.UUID],
    column_id: uuid.UUID | None,
) -> tuple[dict[str, uuid.UUID], list[dict[str, Any]]]:
    ids = {t.uid: uuid.uuid4() for t in plan.tasks}
    paths: dict[str, str] = {}
    siblings: dict[str | None, int] = defaultdict(int)
    for t in plan.tasks:
        siblings[t.engine.parent] += 1
    sibling_keys = {parent: iter(ranks.keys_after(None, n)) for parent, n in siblings.items()}
    card_keys = iter(ranks.keys_after(None, len(plan.tasks)))
    rows = []
    for t in plan.tasks:
        e = t.engine
        parent_path = paths[e.parent] if e.parent is not None else None
        paths[t.uid] = wbs.child_path(parent_path, ids[t.uid])
        rows.append(
            {
                "id": ids[t.uid],
                "project_id": project_id,
                "wbs_path": paths[t.uid],
                "wbs_rank": next(sibling_keys[e.parent]),
                "name": e.name,
                "description": t.notes,
                "kind": str(e.kind),
                "duration": 0 if str(e.kind) == "summary" else e.duration,
                "calendar_id": calendars.get(e.calendar) if e.calendar else None,
                "constraint_type": str(e.constraint_type),
                "constraint_date": e.constraint_date,
                "deadline": e.deadline,
                "percent_complete": t.percent_complete,
                "priority": t.priority,
                "actual_start": e.actual_start,
                "actual_finish": e.actual_finish,
                "column_id": column_id,
                "board_rank": next(card_keys) if column_id else None,
            }
        )
    return ids, rows


async def _baselines(
    session: AsyncSession,
    project_id: uuid.UUID,
    plan: ImportPlan,
    tasks: dict[str, uuid.UUID],
    actor: uuid.UUID | None,
) -> list[uuid.UUID]:
    by_uid = {t.uid: t for t in plan.tasks}
    made = []
    for base in plan.baselines:
        finishes = [b.finish for b in base.tasks if b.finish is not None]
        baseline_id = uuid.uuid4()
        await session.execute(
            insert(_table(Baseline)).values(
                id=baseline_id,
                project_id=project_id,
                name=base.name,
                is_active=base.number == 0,
                project_finish=max(finishes, default=None),
                task_count=len(base.tasks),
                captured_by=actor,
            )
        )
        await session.execute(
            insert(_table(BaselineTask)),
            [
                {"id": uuid.uuid4(), "baseline_id": baseline_id, "task_id": tasks[b.uid],
                 "name": by_uid[b.uid].engine.name, "kind": str(by_uid[b.uid].engine.kind),
                 "duration": b.duration, "early_start": b.start, "early_finish": b.finish,
                 "total_float": None}
                for b in base.tasks
            ],
        )  # fmt: skip
        made.append(baseline_id)
    return made


async def _resources(
    session: AsyncSession, project: Project, plan: ImportPlan, tasks: dict[str, uuid.UUID]
) -> None:
    """The file's resources join the workspace's pool (the caller took the pool's locks
    first); its assignments become the project's."""
    if not plan.resources:
        return
    ids = {r.uid: uuid.uuid4() for r in plan.resources}
    # An executemany: a pool is small, and its JSON columns do not travel as arrays.
    await session.execute(
        insert(_table(Resource)),
        [
            {"id": ids[r.uid], "workspace_id": project.workspace_id, "name": r.name,
             "kind": r.kind, "initials": r.initials, "material_label": r.material_label,
             "max_units": r.max_units,
             "availability": [{"start": d.isoformat(), "units": u} for d, u in r.availability],
             "days_off": [], "labels": list(r.labels),
             "standard_rate": Decimal(str(round(r.standard_rate, 2))),
             "overtime_rate": Decimal(str(round(r.overtime_rate, 2))),
             "cost_per_use": Decimal(str(round(r.cost_per_use, 2)))}
            for r in plan.resources
        ],
    )  # fmt: skip
    if plan.assignments:
        await _insert_rows(
            session,
            _table(Assignment),
            [
                {"id": uuid.uuid4(), "project_id": project.id, "task_id": tasks[a.task_uid],
                 "resource_id": ids[a.resource_uid], "units": a.units, "work": a.work,
                 "cost": None if a.cost is None else Decimal(str(round(a.cost, 2)))}
                for a in plan.assignments
            ],
        )  # fmt: skip


async def write_plan(
    session: AsyncSession, project: Project, plan: ImportPlan, actor: uuid.UUID | None
) -> Written:
    """Write `plan` into `project` (locked and checked empty by the caller), then record one
    schedule request: the engine computes every date once the transaction commits."""
    calendars = await _calendars(session, project.id, plan)
    column_id = await first_column(session, project.id)
    tasks, rows = _task_rows(project.id, plan, calendars, column_id)
    if rows:
        await _insert_rows(session, _table(Task), rows)
    if plan.links:
        await _insert_rows(
            session,
            _table(Dependency),
            [
                {"id": uuid.uuid4(), "project_id": project.id, "predecessor_id": tasks[p],
                 "successor_id": tasks[s], "type": kind, "lag": lag, "lag_unit": unit}
                for p, s, kind, lag, unit in plan.links
            ],
        )  # fmt: skip
    baselines = await _baselines(session, project.id, plan, tasks, actor)
    await _resources(session, project, plan, tasks)
    await session.execute(
        update(_table(Project))
        .where(_table(Project).c.id == project.id)
        .values(
            start_date=plan.start,
            status_date=plan.status_date,
            default_calendar_id=calendars.get(plan.default_calendar or ""),
            scheduling_rules=plan.rules.value,
            server_version=_table(Project).c.server_version + 1,
        )
    )
    await request_schedule(session, project.id, "plan imported")
    return Written(tasks, calendars, baselines)
