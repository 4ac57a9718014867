"""Task input rules: which role may change which field, and the field-level checks.

Services hand in the fields the client actually sent (`changes`, keyed by column name) and,
for an update, the current row; the checks look at the merged result so cross-field rules
(a milestone's duration, ordered estimates, actual dates) hold for the row as stored.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import project_role_column
from app.errors import FieldProblem, ForbiddenError, ValidationFailed
from app.models import Calendar, Project, Task
from app.models.enums import ConstraintType, Role, TaskKind

# Work fields: Team Member may edit. Schedule fields: Project Manager.
WORK_FIELDS = frozenset(
    {
        "name",
        "description",
        "percent_complete",
        "actual_start",
        "actual_finish",
        "story_points",
        "assignee_id",
        "optimistic_duration",
        "most_likely_duration",
        "pessimistic_duration",
    }
)
SCHEDULE_FIELDS = frozenset(
    {
        "kind",
        "duration",
        "calendar_id",
        "constraint_type",
        "constraint_date",
        "deadline",
        "priority",
    }
)
# Column name -> the GraphQL input field name used in error paths.
INPUT_NAMES = {
    "percent_complete": "percentComplete",
    "actual_start": "actualStart",
    "actual_finish": "actualFinish",
    "story_points": "storyPoints",
    "assignee_id": "assigneeId",
    "optimistic_duration": "optimistic",
    "most_likely_duration": "mostLikely",
    "pessimistic_duration": "pessimistic",
    "calendar_id": "calendarId",
    "constraint_type": "constraintType",
    "constraint_date": "constraintDate",
}
_FLOATING = (ConstraintType.ASAP.value, ConstraintType.ALAP.value)
_DEFAULTS: dict[str, Any] = {
    "name": "",
    "description": "",
    "kind": TaskKind.TASK.value,
    "duration": 1,
    "constraint_type": ConstraintType.ASAP.value,
    "percent_complete": 0.0,
    "priority": 500,
}


def require_field_roles(role: Role, changes: Mapping[str, Any]) -> None:
    """Forbidden when the caller's role may not touch one of the changed fields."""
    needed = Role.PROJECT_MANAGER if SCHEDULE_FIELDS & changes.keys() else Role.TEAM_MEMBER
    if role < needed:
        fields = sorted(INPUT_NAMES.get(f, f) for f in SCHEDULE_FIELDS & changes.keys())
        detail = f" to change {', '.join(fields)}" if fields else ""
        raise ForbiddenError(
            f"this needs the {needed.name.replace('_', ' ').title()} role on the project{detail}"
        )


def _path(column: str) -> tuple[str, ...]:
    return ("input", INPUT_NAMES.get(column, column))


def merged(current: Task | None, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The row as it would be stored: current values (or defaults) overlaid with changes."""
    values = {c: _DEFAULTS.get(c) for c in WORK_FIELDS | SCHEDULE_FIELDS}
    if current is not None:
        values.update({c: getattr(current, c) for c in values})
    values.update(changes)
    return values


def normalize(current: Task | None, changes: dict[str, Any]) -> None:
    """Fill implied values the way MS Project users expect (in place)."""
    if "name" in changes and isinstance(changes["name"], str):
        changes["name"] = changes["name"].strip()
    if changes.get("kind") == TaskKind.MILESTONE.value and "duration" not in changes:
        changes["duration"] = 0
    floating = changes.get("constraint_type") in _FLOATING
    if floating and "constraint_date" not in changes and current and current.constraint_date:
        changes["constraint_date"] = None


def check_values(current: Task | None, changes: Mapping[str, Any]) -> None:
    """Raise ValidationFailed naming every problem of the merged row."""
    v = merged(current, changes)
    problems = _basic_problems(current, changes, v) + _date_problems(changes, v)
    problems += _estimate_problems(v)
    if problems:
        raise ValidationFailed(problems)


def _basic_problems(
    current: Task | None, changes: Mapping[str, Any], v: Mapping[str, Any]
) -> list[FieldProblem]:
    problems = []
    if not v["name"]:
        problems.append(FieldProblem(_path("name"), "must not be blank"))
    elif len(v["name"]) > 500:
        problems.append(FieldProblem(_path("name"), "must be at most 500 characters"))
    if v["duration"] is None or v["duration"] < 0:
        problems.append(FieldProblem(_path("duration"), "must be zero or more working days"))
    elif v["kind"] == TaskKind.MILESTONE.value and v["duration"] != 0:
        problems.append(FieldProblem(_path("duration"), "a milestone has a duration of 0"))
    if "kind" in changes and changes["kind"] == TaskKind.SUMMARY.value:
        problems.append(FieldProblem(_path("kind"), "a task becomes a summary by getting children"))
    elif "kind" in changes and current is not None and current.kind == TaskKind.SUMMARY.value:
        if changes["kind"] != TaskKind.SUMMARY.value:
            problems.append(FieldProblem(_path("kind"), "move the children out first"))
    if v["percent_complete"] is None or not 0 <= v["percent_complete"] <= 100:
        problems.append(FieldProblem(_path("percent_complete"), "must be between 0 and 100"))
    if v["priority"] is None or not 0 <= v["priority"] <= 1000:
        problems.append(FieldProblem(_path("priority"), "must be between 0 and 1000"))
    if v["story_points"] is not None and v["story_points"] < 0:
        problems.append(FieldProblem(_path("story_points"), "must be zero or more"))
    return problems


def _date_problems(changes: Mapping[str, Any], v: Mapping[str, Any]) -> list[FieldProblem]:
    problems = []
    start: date | None = v["actual_start"]
    finish: date | None = v["actual_finish"]
    if finish is not None and start is None:
        problems.append(FieldProblem(_path("actual_start"), "is required with an actual finish"))
    elif finish is not None and start is not None and finish < start:
        problems.append(FieldProblem(_path("actual_finish"), "must not be before actual start"))
    if v["constraint_type"] not in _FLOATING and v["constraint_date"] is None:
        problems.append(
            FieldProblem(_path("constraint_date"), f"is required for {v['constraint_type']}")
        )
    if v["constraint_type"] in _FLOATING and changes.get("constraint_date") is not None:
        problems.append(
            FieldProblem(_path("constraint_date"), f"{v['constraint_type']} takes no date")
        )
    return problems


def _estimate_problems(v: Mapping[str, Any]) -> list[FieldProblem]:
    names = ("optimistic_duration", "most_likely_duration", "pessimistic_duration")
    given = [(n, v[n]) for n in names if v[n] is not None]
    problems = [FieldProblem(_path(n), "must be zero or more") for n, x in given if x < 0]
    for (low_name, low), (high_name, high) in itertools.pairwise(given):
        if low > high:
            problems.append(
                FieldProblem(
                    _path(high_name),
                    f"must not be below {INPUT_NAMES[low_name]} "
                    "(optimistic <= mostLikely <= pessimistic)",
                )
            )
    return problems


async def check_references(
    session: AsyncSession, project_id: uuid.UUID, changes: Mapping[str, Any]
) -> None:
    """The assignee must have a role on the project; the calendar must belong to it."""
    problems = []
    assignee = changes.get("assignee_id")
    if assignee is not None:
        role = project_role_column(assignee)
        found = await session.scalar(select(role).where(Project.id == project_id))
        if found is None:
            problems.append(FieldProblem(_path("assignee_id"), "is not a member of the project"))
    calendar = changes.get("calendar_id")
    if calendar is not None:
        found = await session.scalar(
            select(Calendar.id).where(
                Calendar.id == calendar,
                Calendar.project_id == project_id,
                Calendar.is_deleted.is_(False),
            )
        )
        if found is None:
            problems.append(FieldProblem(_path("calendar_id"), "is not a calendar of the project"))
    if problems:
        raise ValidationFailed(problems)
