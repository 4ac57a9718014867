"""GraphQL types of the task domain: tasks, dependency links, their inputs and payloads."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

import strawberry
from sqlalchemy import Row
from strawberry.types.base import get_object_definition

from app.models import Dependency as DependencyModel
from app.models import Task as TaskModel
from app.models.enums import ConstraintType, LagUnit, LinkType, TaskKind
from app.tasks import wbs
from graph.context import Info
from graph.labels.loaders import task_labels
from graph.labels.types import Label
from graph.resources.types import Assignment, assignments_of
from graph.tasks import loaders

# Registers the domain enums with Strawberry (it decorates the classes in place).
for _enum in (TaskKind, LinkType, LagUnit, ConstraintType):
    strawberry.enum(_enum)


@strawberry.type(description="A precedence link: `successor` waits on `predecessor`.")
class Dependency:
    id: strawberry.ID
    project_id: strawberry.ID = strawberry.field(
        description="The successor's project: the schedule this link constrains."
    )
    predecessor_project_id: strawberry.ID | None = strawberry.field(
        description="The predecessor's project on a cross-project link; null inside one project."
    )
    predecessor_id: strawberry.ID
    successor_id: strawberry.ID
    type: LinkType
    lag: int = strawberry.field(description="Negative lag is a lead.")
    lag_unit: LagUnit
    server_version: int
    is_deleted: bool

    @classmethod
    def from_model(cls, link: DependencyModel) -> Dependency:
        return cls(
            id=strawberry.ID(str(link.id)),
            project_id=strawberry.ID(str(link.project_id)),
            predecessor_project_id=_id(link.predecessor_project_id),
            predecessor_id=strawberry.ID(str(link.predecessor_id)),
            successor_id=strawberry.ID(str(link.successor_id)),
            type=LinkType(link.type),
            lag=link.lag,
            lag_unit=LagUnit(link.lag_unit),
            server_version=link.server_version,
            is_deleted=link.is_deleted,
        )


_PLAIN = (
    "name",
    "description",
    "duration",
    "constraint_date",
    "deadline",
    "percent_complete",
    "priority",
    "actual_start",
    "actual_finish",
    "story_points",
    "server_version",
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float",
    "free_float",
    "is_critical",
    "leveled_start",
    "leveling_delay",
)


@strawberry.type(description="A WBS node. The early/late/float fields are engine output.")
class Task:
    model: strawberry.Private[TaskModel]
    id: strawberry.ID
    project_id: strawberry.ID
    name: str
    description: str
    kind: TaskKind
    duration: int = strawberry.field(description="Working days.")
    calendar_id: strawberry.ID | None
    constraint_type: ConstraintType
    constraint_date: date | None
    deadline: date | None
    percent_complete: float
    priority: int = strawberry.field(
        description="Leveling priority, 0..1000 (500 normal, 1000 = never delayed)."
    )
    actual_start: date | None
    actual_finish: date | None
    optimistic: float | None = strawberry.field(description="Optimistic estimate (days).")
    most_likely: float | None = strawberry.field(description="Most likely estimate (days).")
    pessimistic: float | None = strawberry.field(description="Pessimistic estimate (days).")
    story_points: int | None
    assignee_id: strawberry.ID | None
    sprint_id: strawberry.ID | None = strawberry.field(description="Null = the backlog.")
    server_version: int
    early_start: date | None
    early_finish: date | None
    late_start: date | None
    late_finish: date | None
    total_float: int | None
    free_float: int | None
    is_critical: bool
    leveled_start: date | None = strawberry.field(
        description="Set by resource leveling: the task starts no earlier than this date "
        "(beside its own constraint). Null when leveling did not delay it."
    )
    leveling_delay: int = strawberry.field(
        description="Working days resource leveling delayed the task by (0: none)."
    )
    # Plain values, not resolvers (a resolver costs several times a value on a 10,000-row
    # answer); derived from the row when the task is built.
    parent_id: strawberry.ID | None = strawberry.field(
        description="The parent task (from the WBS path), null at top level."
    )
    depth: int = strawberry.field(description="1 for a top-level task.")
    wbs_path: str = strawberry.field(
        description="The `ltree` path: one `t<uuid hex>` label per ancestor."
    )
    wbs_rank: str = strawberry.field(
        description="Position among siblings (lexicographic, C collation)."
    )
    column_id: strawberry.ID | None = strawberry.field(
        description="The board column the card is in (null: not on a board)."
    )
    board_rank: str | None = strawberry.field(
        description="Order key within the column (compare byte-wise)."
    )
    # Set when the query that produced the task already computed its outline number.
    outline: strawberry.Private[str | None] = None

    @classmethod
    def from_model(cls, task: TaskModel, outline: str | None = None) -> Task:
        plain = {name: getattr(task, name) for name in _PLAIN}
        return cls(
            model=task,
            id=strawberry.ID(str(task.id)),
            project_id=strawberry.ID(str(task.project_id)),
            kind=TaskKind(task.kind),
            calendar_id=_id(task.calendar_id),
            constraint_type=ConstraintType(task.constraint_type),
            optimistic=task.optimistic_duration,
            most_likely=task.most_likely_duration,
            pessimistic=task.pessimistic_duration,
            assignee_id=_id(task.assignee_id),
            sprint_id=_id(task.sprint_id),
            parent_id=_id(wbs.parent_id(task.wbs_path)),
            depth=wbs.depth(task.wbs_path),
            wbs_path=task.wbs_path,
            wbs_rank=task.wbs_rank,
            column_id=_id(task.column_id),
            board_rank=task.board_rank,
            outline=outline,
            **plain,
        )

    @classmethod
    def from_row(
        cls, row: Row[Any], outline: str | None = None, fields: tuple[str, ...] | None = None
    ) -> Task:
        """The same as `from_model` for a plain row of the task table (a hot read's: a WBS
        of 10,000 tasks), built without `__init__`: the row's values become the object's
        attributes in one step, then the few that need converting are converted. ~4x
        cheaper than `from_model` (the dataclass constructor and 20 attribute reads).
        `fields`: the rows' column names, when building many (`Row._fields` builds them
        on every call)."""
        values = dict(zip(fields or row._fields, row, strict=True))
        for name in _RESOLVED:
            values.pop(name, None)
        values.update(
            model=row,
            id=strawberry.ID(str(values["id"])),
            project_id=strawberry.ID(str(values["project_id"])),
            kind=TaskKind(values["kind"]),
            calendar_id=_id(values["calendar_id"]),
            constraint_type=ConstraintType(values["constraint_type"]),
            optimistic=values["optimistic_duration"],
            most_likely=values["most_likely_duration"],
            pessimistic=values["pessimistic_duration"],
            assignee_id=_id(values["assignee_id"]),
            sprint_id=_id(values["sprint_id"]),
            parent_id=_id(wbs.parent_id(values["wbs_path"])),
            depth=wbs.depth(values["wbs_path"]),
            column_id=_id(values["column_id"]),
            outline=outline,
        )
        task = cls.__new__(cls)
        task.__dict__.update(values)
        return task

    @strawberry.field(description="The resources working on the task (one query per response).")
    async def assignments(self, info: Info) -> list[Assignment]:
        return await assignments_of(info, self.model)

    @strawberry.field(description='Outline number such as "1.2.3".')
    async def outline_number(self, info: Info) -> str:
        if self.outline is not None:
            return self.outline
        outlines = await loaders.outlines(info).load(self.model.project_id)
        return outlines[self.model.id].number

    @strawberry.field(description="Live labels on this task, by name.")
    async def labels(self, info: Info) -> list[Label]:
        found = await task_labels(info).load(self.model.id)
        return [Label.from_model(label) for label in found]

    @strawberry.field(description="Live links into this task.")
    async def predecessors(self, info: Info) -> list[Dependency]:
        links = await loaders.links_into(info).load(self.model.id)
        return [Dependency.from_model(link) for link in links]

    @strawberry.field(description="Live links out of this task.")
    async def successors(self, info: Info) -> list[Dependency]:
        links = await loaders.links_out_of(info).load(self.model.id)
        return [Dependency.from_model(link) for link in links]


# Columns that are also resolver methods of `Task` (they read `model`): never shadowed.
_RESOLVED = frozenset(
    field.python_name
    for field in get_object_definition(Task, strict=True).fields
    if field.base_resolver is not None
)


def tasks(values: Sequence[tuple[TaskModel | Row[Any], str | None]]) -> list[Task]:
    """`(task, outline)` pairs as `Task`s: `Task.from_row` for plain rows of the task table,
    `Task.from_model` for ORM objects."""
    fields: tuple[str, ...] | None = None
    out = []
    for value, outline in values:
        if isinstance(value, Row):
            fields = fields or value._fields
            out.append(Task.from_row(value, outline, fields))
        else:
            out.append(Task.from_model(value, outline))
    return out


def _id(value: uuid.UUID | None) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value else None


def task_node(model: TaskModel) -> Task:
    return Task.from_model(model)


@strawberry.type
class TaskPayload:
    task: Task


@strawberry.type(description="Everything the deletion tombstoned.")
class DeleteTaskPayload:
    deleted_task_ids: list[strawberry.ID]
    deleted_dependency_ids: list[strawberry.ID]


@strawberry.type
class DependencyPayload:
    dependency: Dependency


def ids(values: list[uuid.UUID]) -> list[strawberry.ID]:
    return [strawberry.ID(str(v)) for v in values]
