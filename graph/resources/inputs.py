"""Input types of resources, assignments and leveling, and their translation into values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import strawberry

import scheduler as engine
from app.errors import FieldProblem, ValidationFailed
from app.resources.pool import Scope, ScopeKind
from graph.resources.types import (
    RULES,
    LevelingRule,
    LevelingSolverEnum,
    ResourceKind,
    ScopeKindEnum,
)
from graph.tasks.inputs import ref

_RESOURCE = (
    "kind", "initials", "material_label", "max_units", "availability", "calendar_id",
    "days_off", "standard_rate", "overtime_rate", "cost_per_use", "user_id", "labels",
)  # fmt: skip
_NULLABLE = {"calendar_id", "user_id"}
_IDS = {"calendar_id", "user_id"}


@strawberry.input
class AvailabilityChangeInput:
    start: date
    units: float


@strawberry.input
class DateRangeInput:
    start: date
    end: date | None = strawberry.field(default=None, description="Default: `start`.")


@strawberry.input
class ResourceFieldsInput:
    kind: ResourceKind | None = strawberry.UNSET
    initials: str | None = strawberry.UNSET
    material_label: str | None = strawberry.UNSET
    max_units: float | None = strawberry.field(
        default=strawberry.UNSET, description="1.0 = one full-time person."
    )
    availability: list[AvailabilityChangeInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Dated changes of maxUnits (replaces the list)."
    )
    calendar_id: strawberry.ID | None = strawberry.UNSET
    days_off: list[DateRangeInput] | None = strawberry.UNSET
    standard_rate: Decimal | None = strawberry.UNSET
    overtime_rate: Decimal | None = strawberry.UNSET
    cost_per_use: Decimal | None = strawberry.UNSET
    user_id: strawberry.ID | None = strawberry.UNSET
    labels: list[str] | None = strawberry.UNSET


@strawberry.input
class CreateResourceInput(ResourceFieldsInput):
    workspace_id: strawberry.ID
    name: str


@strawberry.input
class UpdateResourceInput(ResourceFieldsInput):
    name: str | None = strawberry.UNSET


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def resource_values(data: ResourceFieldsInput) -> dict[str, Any]:
    """The given fields as column values; an explicit null on a required field is an error."""
    values: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for name in ("name", *_RESOURCE):
        value = getattr(data, name, strawberry.UNSET)
        if value is strawberry.UNSET:
            continue
        if value is None and name not in _NULLABLE:
            problems.append(FieldProblem(("input", _camel(name)), "must not be null"))
            continue
        if name in _IDS:
            value = ref(value)
            if value is None and getattr(data, name) is not None:
                problems.append(FieldProblem(("input", _camel(name)), "is not an id"))
                continue
        elif name == "kind":
            value = value.value
        elif name == "availability":
            value = [{"start": c.start, "units": c.units} for c in value]
        elif name == "days_off":
            value = [{"start": d.start, "end": d.end or d.start} for d in value]
        values[name] = value
    if problems:
        raise ValidationFailed(problems)
    return values


@strawberry.input
class AssignInput:
    task_id: strawberry.ID
    resource_id: strawberry.ID
    units: float = strawberry.field(default=1.0, description="1.0 = full time.")
    work: float | None = strawberry.field(
        default=None, description="Hours; null: the task's duration x units x 8."
    )
    cost: Decimal | None = strawberry.field(default=None, description="Cost resources only.")


@strawberry.input(description="Only the fields you send are changed; null clears work/cost.")
class UpdateAssignmentInput:
    units: float | None = strawberry.UNSET
    work: float | None = strawberry.UNSET
    cost: Decimal | None = strawberry.UNSET


def assignment_values(data: UpdateAssignmentInput) -> dict[str, Any]:
    values = {
        name: getattr(data, name)
        for name in ("units", "work", "cost")
        if getattr(data, name) is not strawberry.UNSET
    }
    if "units" in values and values["units"] is None:
        raise ValidationFailed([FieldProblem(("input", "units"), "must not be null")])
    return values


@strawberry.input(description="A project, a program or a workspace (its id).")
class ScopeInput:
    kind: ScopeKindEnum  # type: ignore[valid-type]
    id: strawberry.ID

    def scope(self) -> Scope:
        target = ref(self.id)
        if target is None:
            raise ValidationFailed([FieldProblem(("scope", "id"), "is not an id")])
        return Scope(ScopeKind(self.kind), target)


@strawberry.input
class LevelingOptionsInput:
    rule: LevelingRule = LevelingRule.STANDARD
    within_slack: bool = strawberry.field(
        default=False, description="Delay a task only within its total float."
    )
    level_from: date | None = strawberry.field(
        default=None, description="Only tasks starting on or after this date are delayed."
    )
    level_to: date | None = strawberry.field(
        default=None, description="Only tasks starting on or before this date are delayed."
    )
    seconds: float | None = strawberry.field(
        default=None,
        description="Time limit of the search (at most 30); default: a budget (CP-SAT: 10 s).",
    )
    seed: int = 0
    solver: LevelingSolverEnum = strawberry.field(
        default=LevelingSolverEnum.HEURISTIC,
        description="HEURISTIC, or CPSAT: an exact search from the heuristic's schedule "
        "within the time limit (when the server has trueppm[cpsat]).",
    )

    def options(self) -> engine.LevelingOptions:
        return engine.LevelingOptions(
            rule=RULES[self.rule],
            within_slack=self.within_slack,
            level_from=self.level_from,
            level_to=self.level_to,
            seconds=self.seconds,
            seed=self.seed,
            solver=engine.LevelingSolver(self.solver.value),
        )
