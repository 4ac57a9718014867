"""The registry entries of the foundation's synced tables and the service calls behind them.

Pushes go through the same services as GraphQL mutations, so validation, permissions,
rescheduling requests and versioning are identical whichever API a change came from.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendars import service as calendars
from app.errors import FieldProblem, ValidationFailed
from app.models import Calendar, Dependency, Project, Task
from app.projects import service as projects
from app.sprints import service as sprints
from app.state import UnitOfWork
from app.sync.boards import CARD_FIELDS, CARD_NOTES, place_card, take_card
from app.sync.registry import Appliers, Rows, SyncedTable, register
from app.tasks import dependencies, wbs
from app.tasks import service as tasks
from app.tasks.placement import Target

_TASK_ENGINE = frozenset(
    {
        "early_start",
        "early_finish",
        "late_start",
        "late_finish",
        "total_float",
        "free_float",
        "is_critical",
        "leveled_start",
        "leveling_delay",
    }
)
_TASK_WRITABLE = frozenset(
    {
        "name",
        "description",
        "kind",
        "duration",
        "calendar_id",
        "constraint_type",
        "constraint_date",
        "deadline",
        "percent_complete",
        "priority",
        "actual_start",
        "actual_finish",
        "optimistic_duration",
        "most_likely_duration",
        "pessimistic_duration",
        "story_points",
        "assignee_id",
        "parent_id",
        "sprint_id",
        *CARD_FIELDS,
    }
)


def _target(parent_id: uuid.UUID | None) -> Target:
    path = ("changes", "tasks", "parent_id")
    return Target(parent_id, None, None, parent_path=path, before_path=path, after_path=path)


async def _task_parents(session: AsyncSession, rows: Rows) -> dict[uuid.UUID, dict[str, Any]]:
    return {row.id: {"parent_id": wbs.parent_id(row.wbs_path)} for row in rows}


async def _create_task(
    uow: UnitOfWork, user: uuid.UUID, project: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    parent = v.pop("parent_id", None)
    sprint = v.pop("sprint_id", None)
    card = take_card(v)
    await tasks.create_task(uow.session, user, project, v, _target(parent), task_id=row_id)
    if sprint is not None:
        await sprints.add_tasks(uow, user, sprint, [row_id])
    await place_card(uow, user, row_id, card, created=True)


async def _update_task(
    uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    moved = "parent_id" in v
    parent = v.pop("parent_id", None)
    card = take_card(v)
    if "sprint_id" in v:
        await _plan(uow, user, row_id, v.pop("sprint_id"))
    if v:
        await tasks.update_task(uow.session, user, row_id, v, None)
    if moved:
        await tasks.move_task(uow.session, user, row_id, _target(parent), None)
    await place_card(uow, user, row_id, card, created=False)


async def _plan(uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID, sprint: Any) -> None:
    """A changed `sprint_id` goes through the sprint services (their checks and events)."""
    if sprint is None:
        current = await uow.session.scalar(select(Task.sprint_id).where(Task.id == row_id))
        if current is not None:
            await sprints.remove_tasks(uow, user, current, [row_id])
    else:
        await sprints.add_tasks(uow, user, sprint, [row_id])


async def _delete_task(uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID) -> None:
    await tasks.delete_task(uow.session, user, row_id, None)


async def _create_link(
    uow: UnitOfWork, user: uuid.UUID, project: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    pred, succ = v.pop("predecessor_id", None), v.pop("successor_id", None)
    missing = [
        name for name, value in (("predecessor_id", pred), ("successor_id", succ)) if not value
    ]
    if missing or pred is None or succ is None:
        raise ValidationFailed(
            [FieldProblem(("changes", "dependencies", m), "is required") for m in missing]
        )
    link = await dependencies.create_dependency(uow.session, user, pred, succ, v, link_id=row_id)
    if link.project_id != project:
        raise ValidationFailed.single("successor_id", "the successor is in another project")


async def _update_link(
    uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    await dependencies.update_dependency(uow.session, user, row_id, v, None)


async def _delete_link(uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID) -> None:
    await dependencies.delete_dependency(uow.session, user, row_id, None)


async def _calendar_exceptions(
    session: AsyncSession, rows: Rows
) -> dict[uuid.UUID, dict[str, Any]]:
    found = await calendars.exceptions_of(session, [row.id for row in rows])
    return {
        cal_id: {
            "exceptions": [
                {
                    "name": e.name,
                    "start_date": e.start_date.isoformat(),
                    "end_date": e.end_date.isoformat(),
                    "is_working": e.is_working,
                }
                for e in items
            ]
        }
        for cal_id, items in found.items()
    }


def _exception_inputs(raw: Any) -> list[calendars.ExceptionInput] | None:
    """Wire exceptions → service input; a malformed list is a validation problem."""
    import datetime as dt

    if raw is None:
        return None
    problems = []
    result = []
    if not isinstance(raw, list):
        raise ValidationFailed.single("exceptions", "expected a list of exceptions")
    for index, item in enumerate(raw):
        path = ("changes", "calendars", "exceptions", str(index))
        try:
            result.append(
                calendars.ExceptionInput(
                    start_date=dt.date.fromisoformat(item["start_date"]),
                    end_date=dt.date.fromisoformat(item["end_date"]),
                    is_working=bool(item.get("is_working", False)),
                    name=str(item.get("name", "")),
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            problems.append(
                FieldProblem(path, "needs start_date and end_date (YYYY-MM-DD), is_working, name")
            )
    if problems:
        raise ValidationFailed(problems)
    return result


async def _create_calendar(
    uow: UnitOfWork, user: uuid.UUID, project: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    await calendars.create_calendar(
        uow.session,
        user,
        project,
        v.get("name") or "",
        v.get("working_weekdays") or 0b0011111,
        _exception_inputs(v.get("exceptions")) or [],
        calendar_id=row_id,
    )


async def _update_calendar(
    uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    await calendars.update_calendar(
        uow.session,
        user,
        row_id,
        v.get("name"),
        v.get("working_weekdays"),
        _exception_inputs(v.get("exceptions")),
        None,
    )


async def _delete_calendar(uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID) -> None:
    await calendars.delete_calendar(uow.session, user, row_id, None)


async def _update_project(
    uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    await projects.update_project(uow.session, user, row_id, v, None)


register(
    SyncedTable(
        name="projects",
        model=Project,
        columns=(
            "workspace_id",
            "program_id",
            "name",
            "description",
            "status",
            "start_date",
            "status_date",
            "default_calendar_id",
            "scheduling_rules",
            "level_automatically",
        ),
        writable=frozenset(projects.EDITABLE),
        computed=frozenset({"workspace_id", "program_id"}),
        appliers=Appliers(create=None, update=_update_project, delete=None),
        key="id",
        order=10,
    )
)
register(
    SyncedTable(
        name="calendars",
        model=Calendar,
        columns=("project_id", "name", "working_weekdays", "exceptions"),
        writable=frozenset({"name", "working_weekdays", "exceptions"}),
        virtual=_calendar_exceptions,
        appliers=Appliers(_create_calendar, _update_calendar, _delete_calendar),
        order=20,
    )
)
register(
    SyncedTable(
        name="tasks",
        model=Task,
        columns=(
            "project_id",
            "parent_id",
            "wbs_path",
            "wbs_rank",
            *sorted(_TASK_WRITABLE - {"parent_id"}),
            *sorted(_TASK_ENGINE),
        ),
        writable=_TASK_WRITABLE,
        computed=_TASK_ENGINE | {"wbs_path", "wbs_rank"},
        virtual=_task_parents,
        appliers=Appliers(_create_task, _update_task, _delete_task),
        order=30,
        together=(frozenset(CARD_FIELDS),),
        notes=CARD_NOTES,
    )
)
register(
    SyncedTable(
        name="dependencies",
        model=Dependency,
        columns=(
            "project_id",
            "predecessor_id",
            "successor_id",
            "predecessor_project_id",
            "type",
            "lag",
            "lag_unit",
        ),
        writable=frozenset({"type", "lag", "lag_unit", "predecessor_id", "successor_id"}),
        # A link belongs to its successor's project; set when the predecessor is elsewhere.
        computed=frozenset({"predecessor_project_id"}),
        create_only=frozenset({"predecessor_id", "successor_id"}),
        appliers=Appliers(_create_link, _update_link, _delete_link),
        order=40,
    )
)
