"""GraphQL types of the resource pool, assignments, usage and leveling."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import strawberry
from strawberry.dataloader import DataLoader

import scheduler as engine
from app.models import Assignment as AssignmentModel
from app.models import Resource as ResourceModel
from app.models import Task as TaskModel
from app.resources.leveling import LevelingOutcome
from app.resources.pool import ScopeKind
from app.resources.repository import assignments_of_tasks, effective_work
from app.resources.usage import Period, ResourceUsage
from graph.context import Info


@strawberry.enum(description="What a resource is: people and machines (work), consumables "
                 "(material) or a cost (travel, fees).")  # fmt: skip
class ResourceKind(Enum):
    WORK = "work"
    MATERIAL = "material"
    COST = "cost"


ScopeKindEnum = strawberry.enum(ScopeKind, name="ScopeKind")
PeriodEnum = strawberry.enum(Period, name="UsagePeriod")


@strawberry.enum(description="The order tasks are considered in by leveling.")
class LevelingRule(Enum):
    STANDARD = "standard"  # Microsoft Project's: priority, slack, successors, id
    LATEST_FINISH = "latest_finish"
    MINIMUM_SLACK = "minimum_slack"


@strawberry.enum(name="LevelingSolver", description="Which solver levels.")
class LevelingSolverEnum(Enum):
    HEURISTIC = "heuristic"  # serial schedule generation, justification, genetic search
    CPSAT = "cpsat"  # OR-Tools CP-SAT from the heuristic's schedule (trueppm[cpsat])


RULES = {
    LevelingRule.STANDARD: engine.RcpspRule.STANDARD,
    LevelingRule.LATEST_FINISH: engine.RcpspRule.LATEST_FINISH,
    LevelingRule.MINIMUM_SLACK: engine.RcpspRule.MINIMUM_SLACK,
}


@strawberry.type(description="From `start` on, the resource has `units` (until the next change).")
class AvailabilityChange:
    start: date
    units: float


@strawberry.type(description="Inclusive dates the resource does not work.")
class DateRange:
    start: date
    end: date


def _id(value: uuid.UUID | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))


@strawberry.type(
    description="A resource of a workspace's pool, shared by all its projects. `maxUnits` "
    "1.0 = one full-time person; rates are per hour of work."
)
class Resource:
    id: strawberry.ID
    workspace_id: strawberry.ID
    name: str
    kind: ResourceKind
    initials: str
    material_label: str
    max_units: float
    availability: list[AvailabilityChange]
    calendar_id: strawberry.ID | None = strawberry.field(
        description="The project calendar it works on; null: Monday to Friday."
    )
    days_off: list[DateRange]
    standard_rate: Decimal
    overtime_rate: Decimal
    cost_per_use: Decimal
    user_id: strawberry.ID | None
    labels: list[str] = strawberry.field(description="Groups and skills.")
    server_version: int
    is_deleted: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, r: ResourceModel) -> Resource:
        return cls(
            id=strawberry.ID(str(r.id)),
            workspace_id=strawberry.ID(str(r.workspace_id)),
            name=r.name,
            kind=ResourceKind(r.kind),
            initials=r.initials,
            material_label=r.material_label,
            max_units=r.max_units,
            availability=[
                AvailabilityChange(start=date.fromisoformat(c["start"]), units=c["units"])
                for c in r.availability
            ],
            calendar_id=_id(r.calendar_id),
            days_off=[
                DateRange(start=date.fromisoformat(d["start"]), end=date.fromisoformat(d["end"]))
                for d in r.days_off
            ],
            standard_rate=r.standard_rate,
            overtime_rate=r.overtime_rate,
            cost_per_use=r.cost_per_use,
            user_id=_id(r.user_id),
            labels=list(r.labels),
            server_version=r.server_version,
            is_deleted=r.is_deleted,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )


@strawberry.type(
    description="A resource works on a task at `units`. `work` is in hours: as given, else "
    "the task's duration x units x 8."
)
class Assignment:
    id: strawberry.ID
    project_id: strawberry.ID
    task_id: strawberry.ID
    resource_id: strawberry.ID
    units: float
    work: float
    work_is_given: bool = strawberry.field(description="False: work follows the duration.")
    cost: Decimal | None = strawberry.field(description="A cost resource's amount.")
    server_version: int
    is_deleted: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, a: AssignmentModel, duration: int, kind: str) -> Assignment:
        return cls(
            id=strawberry.ID(str(a.id)),
            project_id=strawberry.ID(str(a.project_id)),
            task_id=strawberry.ID(str(a.task_id)),
            resource_id=strawberry.ID(str(a.resource_id)),
            units=a.units,
            work=effective_work(a, duration, kind),
            work_is_given=a.work is not None,
            cost=a.cost,
            server_version=a.server_version,
            is_deleted=a.is_deleted,
            created_at=a.created_at,
            updated_at=a.updated_at,
        )


def task_assignments_loader(info: Info) -> DataLoader[uuid.UUID, list[AssignmentModel]]:
    """Assignments per task: one query for every task of a response."""
    cache = info.context.loaders
    if "task_assignments" not in cache:
        context = info.context

        async def load(keys: list[uuid.UUID]) -> list[list[AssignmentModel]]:
            async with context.session() as session:
                found = await assignments_of_tasks(session, keys)
            return [found[k] for k in keys]

        cache["task_assignments"] = DataLoader(load_fn=load)
    loader: DataLoader[uuid.UUID, list[AssignmentModel]] = cache["task_assignments"]
    return loader


async def assignments_of(info: Info, task: TaskModel) -> list[Assignment]:
    found = await task_assignments_loader(info).load(task.id)
    return [Assignment.from_model(a, task.duration, task.kind) for a in found]


@strawberry.type
class ResourcePayload:
    resource: Resource


@strawberry.type
class AssignmentPayload:
    assignment: Assignment


@strawberry.type(description="One period of a resource's usage, in unit-days (x 8 = hours).")
class UsagePeriodRow:
    start: date
    end: date
    allocated: float = strawberry.field(description="Units asked, summed over the days.")
    available: float = strawberry.field(description="Units the resource has, summed.")
    peak: float = strawberry.field(description="The most units asked on one day.")
    overallocated: bool = strawberry.field(description="On at least one day of the period.")
    task_ids: list[strawberry.ID]


@strawberry.type
class ResourceUsageRow:
    resource_id: strawberry.ID
    periods: list[UsagePeriodRow]

    @classmethod
    def build(cls, usage: ResourceUsage) -> ResourceUsageRow:
        return cls(
            resource_id=strawberry.ID(str(usage.resource_id)),
            periods=[
                UsagePeriodRow(
                    start=c.start,
                    end=c.end,
                    allocated=c.allocated,
                    available=c.available,
                    peak=c.peak,
                    overallocated=c.overallocated,
                    task_ids=[strawberry.ID(t) for t in c.task_ids],
                )
                for c in usage.periods
            ],
        )


@strawberry.type
class ResourceUsageList:
    resources: list[ResourceUsageRow]


@strawberry.type(description="Days a resource is asked for more than it has, and by which tasks.")
class Overallocation:
    resource_id: strawberry.ID
    first: date
    last: date
    task_ids: list[strawberry.ID]
    used: float = strawberry.field(description="The most units asked on one of those days.")
    available: float
    reason: str | None = strawberry.field(
        description="From leveling: why it left this over-allocated (null in a plain report)."
    )


@strawberry.type
class OverallocationList:
    overallocations: list[Overallocation]


@strawberry.type
class LeveledTask:
    task_id: strawberry.ID
    project_id: strawberry.ID
    delay: int = strawberry.field(description="Leveling delay in working days.")
    start_before: date
    start_after: date
    finish_after: date


@strawberry.type
class LeveledProject:
    project_id: strawberry.ID
    finish_before: date | None
    finish_after: date | None


@strawberry.type(
    description="What leveling does (preview) or did (`applied`: the recompute that writes "
    "the new dates follows, announced by cpm_complete)."
)
class LevelingPayload:
    applied: bool
    tasks: list[LeveledTask]
    projects: list[LeveledProject]
    overallocations: list[Overallocation]
    schedules: int = strawberry.field(description="Schedule passes the search used.")
    stopped_by: str

    @classmethod
    def build(cls, outcome: LevelingOutcome) -> LevelingPayload:
        return cls(
            applied=outcome.applied,
            tasks=[
                LeveledTask(
                    task_id=strawberry.ID(str(t.task_id)),
                    project_id=strawberry.ID(str(t.project_id)),
                    delay=t.delay,
                    start_before=t.start_before,
                    start_after=t.start_after,
                    finish_after=t.finish_after,
                )
                for t in outcome.delays
            ],
            projects=[
                LeveledProject(
                    project_id=strawberry.ID(str(p.project_id)),
                    finish_before=p.before,
                    finish_after=p.after,
                )
                for p in outcome.finishes
            ],
            overallocations=[
                Overallocation(
                    resource_id=strawberry.ID(o.resource),
                    first=o.first,
                    last=o.last,
                    task_ids=[strawberry.ID(t) for t in o.tasks],
                    used=o.used,
                    available=o.available,
                    reason=o.reason,
                )
                for o in outcome.overallocations
            ],
            schedules=outcome.schedules,
            stopped_by=outcome.stopped_by,
        )


@strawberry.type
class ClearLevelingPayload:
    project_ids: list[strawberry.ID]
