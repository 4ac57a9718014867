"""GraphQL types of forecasts and forecast snapshots."""

from __future__ import annotations

import datetime as dt
import enum

import strawberry

from app.models import ForecastRun as RunModel
from app.models import ProjectForecastSnapshot as SnapshotModel


@strawberry.enum(description="queued → running → done | failed")
class ForecastState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@strawberry.enum
class SnapshotKind(enum.Enum):
    RECOMPUTE = "recompute"
    FLOOR = "floor"


@strawberry.type(description="The finish date reached with probability `percentile` %.")
class ForecastPercentile:
    percentile: float
    finish: dt.date


@strawberry.type(description="Iterations finishing in the bin that starts on `start`.")
class HistogramBin:
    start: dt.date
    count: int


@strawberry.type(description="Share of iterations finished on or before `date`.")
class CdfPoint:
    date: dt.date
    probability: float


@strawberry.type(description="Share of iterations in which the task was critical.")
class TaskCriticality:
    task_id: strawberry.ID
    index: float


@strawberry.type(
    description="Spearman rank correlation of the task's sampled duration with the project "
    "duration (tasks with a varying duration only)."
)
class TaskSensitivity:
    task_id: strawberry.ID
    rho: float


@strawberry.type(
    description="One Monte Carlo forecast of a project. Results are set when `state` is DONE; "
    "`meanDays`/`stdDays` are the project duration in working days."
)
class ForecastRun:
    id: strawberry.ID
    project_id: strawberry.ID
    state: ForecastState
    iterations: int
    seed: int
    requested_by_id: strawberry.ID | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    duration_ms: int | None
    engine_ms: int | None
    task_count: int | None
    risk_event_count: int | None
    percentiles: list[ForecastPercentile]
    p50: dt.date | None
    p80: dt.date | None
    p95: dt.date | None
    mean_days: float | None
    std_days: float | None
    mean_finish: dt.date | None
    deterministic_finish: dt.date | None
    histogram: list[HistogramBin]
    cdf: list[CdfPoint]
    criticality: list[TaskCriticality] = strawberry.field(
        description="Every task, most critical first."
    )
    sensitivity: list[TaskSensitivity] = strawberry.field(
        description="Largest absolute correlation first."
    )
    error: str | None

    @classmethod
    def from_model(cls, run: RunModel) -> ForecastRun:
        percentiles = sorted(
            (float(p), dt.date.fromisoformat(d)) for p, d in (run.percentiles or {}).items()
        )
        criticality = sorted((run.criticality or {}).items(), key=lambda kv: (-kv[1], kv[0]))
        return cls(
            id=strawberry.ID(str(run.id)),
            project_id=strawberry.ID(str(run.project_id)),
            state=ForecastState(run.state),
            iterations=run.iterations,
            seed=run.seed,
            requested_by_id=strawberry.ID(str(run.requested_by_id))
            if run.requested_by_id
            else None,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            duration_ms=run.duration_ms,
            engine_ms=run.engine_ms,
            task_count=run.task_count,
            risk_event_count=run.risk_event_count,
            percentiles=[ForecastPercentile(percentile=p, finish=d) for p, d in percentiles],
            p50=run.p50,
            p80=run.p80,
            p95=run.p95,
            mean_days=run.mean_days,
            std_days=run.std_days,
            mean_finish=run.mean_finish,
            deterministic_finish=run.deterministic_finish,
            histogram=[
                HistogramBin(start=dt.date.fromisoformat(d), count=n)
                for d, n in run.histogram or []
            ],
            cdf=[CdfPoint(date=dt.date.fromisoformat(d), probability=p) for d, p in run.cdf or []],
            criticality=[
                TaskCriticality(task_id=strawberry.ID(t), index=v) for t, v in criticality
            ],
            sensitivity=[
                TaskSensitivity(task_id=strawberry.ID(t), rho=r) for t, r in run.sensitivity or []
            ],
            error=run.error,
        )


@strawberry.type(
    description="The project's forecast at one moment (after a recompute, or the nightly floor)."
)
class ForecastSnapshot:
    id: strawberry.ID
    project_id: strawberry.ID
    captured_at: dt.datetime
    kind: SnapshotKind
    cpm_finish: dt.date | None
    total_float: int | None = strawberry.field(
        description="Smallest total float of the project's tasks (the critical path's), in "
        "working days; negative when a deadline or constraint is missed."
    )
    forecast_run_id: strawberry.ID | None
    p50: dt.date | None
    p80: dt.date | None
    p95: dt.date | None
    task_count: int
    completed_count: int
    critical_count: int

    @classmethod
    def from_model(cls, row: SnapshotModel) -> ForecastSnapshot:
        return cls(
            id=strawberry.ID(str(row.id)),
            project_id=strawberry.ID(str(row.project_id)),
            captured_at=row.captured_at,
            kind=SnapshotKind(row.kind),
            cpm_finish=row.cpm_finish,
            total_float=row.total_float,
            forecast_run_id=strawberry.ID(str(row.forecast_run_id))
            if row.forecast_run_id
            else None,
            p50=row.p50,
            p80=row.p80,
            p95=row.p95,
            task_count=row.task_count,
            completed_count=row.completed_count,
            critical_count=row.critical_count,
        )


@strawberry.type
class ForecastPayload:
    forecast: ForecastRun
