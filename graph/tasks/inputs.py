"""Input types of the task domain and their translation into service arguments.

Omitted fields are `UNSET` and left alone; an explicit null clears a nullable field and is a
validation error for a required one.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import strawberry

from app.errors import FieldProblem, ValidationFailed
from app.models.enums import ConstraintType, LagUnit, LinkType, TaskKind
from app.tasks.validation import INPUT_NAMES

# GraphQL input attribute -> task column.
_COLUMNS = {
    "name": "name",
    "description": "description",
    "kind": "kind",
    "duration": "duration",
    "calendar_id": "calendar_id",
    "constraint_type": "constraint_type",
    "constraint_date": "constraint_date",
    "deadline": "deadline",
    "percent_complete": "percent_complete",
    "priority": "priority",
    "actual_start": "actual_start",
    "actual_finish": "actual_finish",
    "optimistic": "optimistic_duration",
    "most_likely": "most_likely_duration",
    "pessimistic": "pessimistic_duration",
    "story_points": "story_points",
    "assignee_id": "assignee_id",
}
_REQUIRED = {
    "name", "description", "kind", "duration", "constraint_type", "percent_complete", "priority",
}  # fmt: skip
_UNKNOWN = uuid.UUID(int=0)


def ref(raw: strawberry.ID | None) -> uuid.UUID | None:
    """An id pointing at another object; a malformed one points at nothing."""
    if raw is None:
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return _UNKNOWN


@strawberry.input
class TaskFieldsInput:
    """Fields shared by create and update; all optional."""

    description: str | None = strawberry.UNSET
    kind: TaskKind | None = strawberry.UNSET
    duration: int | None = strawberry.field(default=strawberry.UNSET, description="Working days.")
    calendar_id: strawberry.ID | None = strawberry.UNSET
    constraint_type: ConstraintType | None = strawberry.UNSET
    constraint_date: date | None = strawberry.UNSET
    deadline: date | None = strawberry.UNSET
    percent_complete: float | None = strawberry.UNSET
    priority: int | None = strawberry.field(
        default=strawberry.UNSET, description="Leveling priority, 0..1000 (500 normal)."
    )
    actual_start: date | None = strawberry.UNSET
    actual_finish: date | None = strawberry.UNSET
    optimistic: float | None = strawberry.UNSET
    most_likely: float | None = strawberry.UNSET
    pessimistic: float | None = strawberry.UNSET
    story_points: int | None = strawberry.UNSET
    assignee_id: strawberry.ID | None = strawberry.UNSET


@strawberry.input
class CreateTaskInput(TaskFieldsInput):
    project_id: strawberry.ID
    name: str
    parent_id: strawberry.ID | None = None
    before_id: strawberry.ID | None = strawberry.field(
        default=None, description="Place the task just before this sibling."
    )
    after_id: strawberry.ID | None = strawberry.field(
        default=None, description="Place the task just after this sibling."
    )


@strawberry.input
class UpdateTaskInput(TaskFieldsInput):
    name: str | None = strawberry.UNSET


def task_changes(data: TaskFieldsInput) -> dict[str, Any]:
    """The columns the client sent, with enums and ids converted."""
    changes: dict[str, Any] = {}
    problems = []
    for attr, column in _COLUMNS.items():
        value = getattr(data, attr, strawberry.UNSET)
        if value is strawberry.UNSET:
            continue
        if value is None and column in _REQUIRED:
            name = INPUT_NAMES.get(column, column)
            problems.append(FieldProblem(("input", name), "must not be null"))
            continue
        if column in ("assignee_id", "calendar_id"):
            value = ref(value)
        elif hasattr(value, "value"):
            value = value.value
        changes[column] = value
    if problems:
        raise ValidationFailed(problems)
    return changes


@strawberry.input
class CreateDependencyInput:
    predecessor_id: strawberry.ID
    successor_id: strawberry.ID
    type: LinkType = LinkType.FS
    lag: int = 0
    lag_unit: LagUnit = LagUnit.WORKING_DAYS


@strawberry.input
class UpdateDependencyInput:
    type: LinkType | None = None
    lag: int | None = None
    lag_unit: LagUnit | None = None


def link_values(data: CreateDependencyInput | UpdateDependencyInput) -> dict[str, Any]:
    """Type, lag and lag unit as column values (None = unchanged)."""
    values: dict[str, Any] = {}
    if data.type is not None:
        values["type"] = data.type.value
    if data.lag is not None:
        values["lag"] = data.lag
    if data.lag_unit is not None:
        values["lag_unit"] = data.lag_unit.value
    return values
