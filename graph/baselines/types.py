"""GraphQL types of the baseline domain: baselines and the baseline comparison."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry

from app.baselines import comparison as cmp
from app.models import Baseline as BaselineModel


def _id(value: uuid.UUID | None) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value else None


@strawberry.type(description="A named snapshot of the project's computed schedule.")
class Baseline:
    id: strawberry.ID
    project_id: strawberry.ID
    name: str
    is_active: bool
    project_finish: dt.date | None = strawberry.field(
        description="The latest early finish of the project's tasks when captured."
    )
    task_count: int
    captured_at: dt.datetime
    captured_by: strawberry.ID | None
    server_version: int
    is_deleted: bool

    @classmethod
    def from_model(cls, baseline: BaselineModel) -> Baseline:
        return cls(
            id=strawberry.ID(str(baseline.id)),
            project_id=strawberry.ID(str(baseline.project_id)),
            name=baseline.name,
            is_active=baseline.is_active,
            project_finish=baseline.project_finish,
            task_count=baseline.task_count,
            captured_at=baseline.captured_at,
            captured_by=_id(baseline.captured_by),
            server_version=baseline.server_version,
            is_deleted=baseline.is_deleted,
        )


@strawberry.type
class BaselinePayload:
    baseline: Baseline


@strawberry.type(
    description="One task in both the baseline and the current schedule. Variances are "
    "current minus baseline in working days: positive = later or longer."
)
class BaselineTaskVariance:
    task_id: strawberry.ID
    name: str
    baseline_start: dt.date | None
    baseline_finish: dt.date | None
    baseline_duration: int
    baseline_total_float: int | None
    current_start: dt.date | None
    current_finish: dt.date | None
    current_duration: int
    current_total_float: int | None
    start_variance: int | None
    finish_variance: int | None
    duration_variance: int

    @classmethod
    def from_result(cls, v: cmp.TaskVariance) -> BaselineTaskVariance:
        return cls(
            task_id=strawberry.ID(str(v.task_id)),
            name=v.name,
            baseline_start=v.baseline_start,
            baseline_finish=v.baseline_finish,
            baseline_duration=v.baseline_duration,
            baseline_total_float=v.baseline_total_float,
            current_start=v.current_start,
            current_finish=v.current_finish,
            current_duration=v.current_duration,
            current_total_float=v.current_total_float,
            start_variance=v.start_variance,
            finish_variance=v.finish_variance,
            duration_variance=v.duration_variance,
        )


@strawberry.type(description="A task on one side only: added since the baseline, or removed.")
class BaselineTaskDates:
    task_id: strawberry.ID
    name: str
    start: dt.date | None
    finish: dt.date | None
    duration: int

    @classmethod
    def from_result(cls, t: cmp.TaskDates) -> BaselineTaskDates:
        return cls(
            task_id=strawberry.ID(str(t.task_id)),
            name=t.name,
            start=t.start,
            finish=t.finish,
            duration=t.duration,
        )


@strawberry.type(description="Project-level view: finishes, finish variance and task counts.")
class BaselineSummary:
    baseline_finish: dt.date | None
    current_finish: dt.date | None
    finish_variance: int | None = strawberry.field(description="Working days; positive = late.")
    tasks_compared: int
    tasks_late: int
    tasks_early: int
    tasks_on_time: int
    tasks_added: int
    tasks_removed: int


@strawberry.type
class BaselineComparison:
    baseline: Baseline
    tasks: list[BaselineTaskVariance]
    added_tasks: list[BaselineTaskDates]
    removed_tasks: list[BaselineTaskDates]
    summary: BaselineSummary

    @classmethod
    def from_result(cls, result: cmp.Comparison) -> BaselineComparison:
        s = result.summary
        return cls(
            baseline=Baseline.from_model(result.baseline),
            tasks=[BaselineTaskVariance.from_result(v) for v in result.tasks],
            added_tasks=[BaselineTaskDates.from_result(t) for t in result.added],
            removed_tasks=[BaselineTaskDates.from_result(t) for t in result.removed],
            summary=BaselineSummary(
                baseline_finish=s.baseline_finish,
                current_finish=s.current_finish,
                finish_variance=s.finish_variance,
                tasks_compared=s.tasks_compared,
                tasks_late=s.tasks_late,
                tasks_early=s.tasks_early,
                tasks_on_time=s.tasks_on_time,
                tasks_added=s.tasks_added,
                tasks_removed=s.tasks_removed,
            ),
        )
