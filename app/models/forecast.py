"""Monte Carlo forecast runs and the per-project forecast snapshots (drift history).

Both are server-generated records, not synced objects: clients read them, never write them,
so they carry no `server_version`/tombstone shape.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

FORECAST_STATES = ("queued", "running", "done", "failed")
SNAPSHOT_KINDS = ("recompute", "floor")


class ForecastRun(Base):
    """One `runForecast` request: its parameters, its progress through the states
    queued → running → done | failed, and the simulation's results once done."""

    __tablename__ = "forecast_run"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state"),
        CheckConstraint("iterations > 0", name="iterations_positive"),
        Index("ix_forecast_run_project_seq", "project_id", "seq"),
        # The stale-run reaper scans only the unfinished runs.
        Index(
            "ix_forecast_run_unfinished",
            "created_at",
            postgresql_where=text("state IN ('queued', 'running')"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Insertion order, used as the keyset of "newest first" pages.
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True), unique=True)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    state: Mapped[str] = mapped_column(String(10), default="queued", server_default="queued")
    iterations: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(BigInteger)
    requested_percentiles: Mapped[list[float]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Written periodically by the runner holding the run (app/forecasts/heartbeat.py); a run
    # whose heartbeat stops is failed by the reaper (app/forecasts/reaper.py).
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    engine_ms: Mapped[int | None] = mapped_column(Integer)
    task_count: Mapped[int | None] = mapped_column(Integer)
    risk_event_count: Mapped[int | None] = mapped_column(Integer)
    # Results (set when done). Percentile finish dates keyed "50", "80", "95", …
    percentiles: Mapped[dict[str, str] | None] = mapped_column(JSONB)
    p50: Mapped[date | None] = mapped_column(Date)
    p80: Mapped[date | None] = mapped_column(Date)
    p95: Mapped[date | None] = mapped_column(Date)
    mean_days: Mapped[float | None] = mapped_column(Float)
    std_days: Mapped[float | None] = mapped_column(Float)
    mean_finish: Mapped[date | None] = mapped_column(Date)
    deterministic_finish: Mapped[date | None] = mapped_column(Date)
    histogram: Mapped[list[Any] | None] = mapped_column(JSONB)
    cdf: Mapped[list[Any] | None] = mapped_column(JSONB)
    criticality: Mapped[dict[str, float] | None] = mapped_column(JSONB)
    sensitivity: Mapped[list[Any] | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(Text)


class ProjectForecastSnapshot(Base):
    """The project's forecast at one moment: recorded after each successful recompute and by
    the nightly floor job, so the drift of the finish date can be charted over time."""

    __tablename__ = "project_forecast_snapshot"
    __table_args__ = (
        CheckConstraint("kind IN ('recompute', 'floor')", name="kind"),
        Index("ix_project_forecast_snapshot_project_captured", "project_id", "captured_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    captured_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    kind: Mapped[str] = mapped_column(String(10))
    cpm_finish: Mapped[date | None] = mapped_column(Date)
    total_float: Mapped[int | None] = mapped_column(Integer)
    forecast_run_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("forecast_run.id", ondelete="SET NULL")
    )
    p50: Mapped[date | None] = mapped_column(Date)
    p80: Mapped[date | None] = mapped_column(Date)
    p95: Mapped[date | None] = mapped_column(Date)
    task_count: Mapped[int] = mapped_column(Integer)
    completed_count: Mapped[int] = mapped_column(Integer)
    critical_count: Mapped[int] = mapped_column(Integer)
