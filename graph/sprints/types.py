"""GraphQL types of the sprint domain: sprints, burndown, velocity and typed errors."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Sequence
from typing import ClassVar

import strawberry
from sqlalchemy import select
from strawberry.dataloader import DataLoader

from app.models import Sprint as SprintModel
from app.models import Task as TaskModel
from app.sprints import burndown as charts
from graph.context import Context, Info
from graph.errors import Error
from graph.tasks.types import Task


@strawberry.enum
class SprintState(enum.Enum):
    PLANNED = "planned"
    ACTIVE = "active"
    CLOSED = "closed"


async def _tasks_of(context: Context, sprint_ids: list[uuid.UUID]) -> Sequence[list[TaskModel]]:
    stmt = (
        select(TaskModel)
        .where(TaskModel.sprint_id.in_(sprint_ids), TaskModel.is_deleted.is_(False))
        .order_by(TaskModel.wbs_path, TaskModel.id)
    )
    async with context.session() as session:
        rows = list((await session.execute(stmt)).scalars())
    grouped: dict[uuid.UUID, list[TaskModel]] = {s: [] for s in sprint_ids}
    for task in rows:
        assert task.sprint_id is not None
        grouped[task.sprint_id].append(task)
    return [grouped[s] for s in sprint_ids]


def _tasks_loader(info: Info) -> DataLoader[uuid.UUID, list[TaskModel]]:
    """Sprint id -> its live tasks: one query for every sprint of a response."""
    cache = info.context.loaders
    if "sprints.tasks" not in cache:
        context = info.context

        async def load(keys: list[uuid.UUID]) -> Sequence[list[TaskModel]]:
            return await _tasks_of(context, keys)

        cache["sprints.tasks"] = DataLoader(load_fn=load)
    loader: DataLoader[uuid.UUID, list[TaskModel]] = cache["sprints.tasks"]
    return loader


@strawberry.type(description="A time box of a project; at most one per project is ACTIVE.")
class Sprint:
    model: strawberry.Private[SprintModel]
    id: strawberry.ID
    project_id: strawberry.ID
    name: str
    goal: str
    start_date: dt.date
    end_date: dt.date
    state: SprintState
    order: int
    started_at: dt.datetime | None
    closed_at: dt.datetime | None
    committed_points: int | None = strawberry.field(
        description="Story points planned in the sprint when it started."
    )
    completed_points: int | None = strawberry.field(
        description="Story points of the sprint's done tasks when it closed."
    )
    server_version: int
    is_deleted: bool

    @classmethod
    def from_model(cls, sprint: SprintModel) -> Sprint:
        return cls(
            model=sprint,
            id=strawberry.ID(str(sprint.id)),
            project_id=strawberry.ID(str(sprint.project_id)),
            name=sprint.name,
            goal=sprint.goal,
            start_date=sprint.start_date,
            end_date=sprint.end_date,
            state=SprintState(sprint.state),
            order=sprint.sort_order,
            started_at=sprint.started_at,
            closed_at=sprint.closed_at,
            committed_points=sprint.committed_points,
            completed_points=sprint.completed_points,
            server_version=sprint.server_version,
            is_deleted=sprint.is_deleted,
        )

    @strawberry.field(description="The sprint's live tasks in WBS path order.")
    async def tasks(self, info: Info) -> list[Task]:
        return [Task.from_model(t) for t in await _tasks_loader(info).load(self.model.id)]


@strawberry.type
class SprintPayload:
    sprint: Sprint


@strawberry.type(description="The sprint and the tasks that actually changed sprint.")
class SprintPlanPayload:
    sprint: Sprint
    moved_task_ids: list[strawberry.ID]


@strawberry.type(description="Another sprint of the project is active; close it first.")
class ActiveSprintExists(Error):
    CODE: ClassVar[str] = "ACTIVE_SPRINT_EXISTS"
    active_sprint_id: strawberry.ID


@strawberry.type(description="The sprint's state does not allow this (e.g. closing a planned one).")
class InvalidSprintState(Error):
    CODE: ClassVar[str] = "INVALID_SPRINT_STATE"
    state: SprintState


@strawberry.type(description="Points at the end of one day (UTC); null for days still ahead.")
class BurndownDay:
    day: dt.date
    remaining_points: int | None
    completed_points: int | None
    scope_points: int | None = strawberry.field(
        description="All points planned in the sprint that day (grows when work is added)."
    )
    ideal_points: float = strawberry.field(
        description="The straight line from the committed points to 0 over the sprint."
    )


@strawberry.type
class Burndown:
    sprint_id: strawberry.ID
    committed_points: int
    days: list[BurndownDay]

    @classmethod
    def from_result(cls, result: charts.Burndown) -> Burndown:
        return cls(
            sprint_id=strawberry.ID(str(result.sprint_id)),
            committed_points=result.committed_points,
            days=[
                BurndownDay(
                    day=d.day,
                    remaining_points=d.remaining_points,
                    completed_points=d.completed_points,
                    scope_points=d.scope_points,
                    ideal_points=d.ideal_points,
                )
                for d in result.days
            ],
        )


@strawberry.type
class SprintVelocity:
    sprint: Sprint
    committed_points: int
    completed_points: int


@strawberry.type(description="Points completed per closed sprint, oldest first.")
class Velocity:
    sprints: list[SprintVelocity]
    average_completed_points: float

    @classmethod
    def from_result(cls, result: charts.Velocity) -> Velocity:
        return cls(
            sprints=[
                SprintVelocity(
                    sprint=Sprint.from_model(v.sprint),
                    committed_points=v.committed_points,
                    completed_points=v.completed_points,
                )
                for v in result.sprints
            ],
            average_completed_points=result.average_completed_points,
        )
