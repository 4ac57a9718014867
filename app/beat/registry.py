"""The registry of periodic jobs the beat fires.

A job names an async callable by dotted path (`"package.module:function"`) taking the
process's `AppState` and returning a small JSON-able summary. With `VALKEY_URL` the beat
enqueues it on RQ (`jobs.beat.run_periodic` builds an `AppState` in the worker and calls it);
in the embedded default the API process calls it directly. To add a job, add one entry to
`DEFAULT_JOBS` below; names are unique and also name the RQ job (`beat-<name>-<slot>`, dots as `_`).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.state import AppState

Target = Callable[["AppState"], Awaitable[Any]]


@dataclass(frozen=True)
class Daily:
    """Once a day at `hour:minute` UTC (no DST shift)."""

    hour: int
    minute: int = 0

    def __post_init__(self) -> None:
        if not (0 <= self.hour < 24 and 0 <= self.minute < 60):
            raise ValueError(f"invalid time of day {self.hour:02d}:{self.minute:02d}")

    def last_slot(self, now: dt.datetime) -> dt.datetime:
        """The most recent scheduled instant at or before `now`."""
        now = now.astimezone(dt.UTC)
        slot = now.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        return slot if slot <= now else slot - dt.timedelta(days=1)


@dataclass(frozen=True)
class Every:
    """Every `seconds`, on multiples of the period since the Unix epoch."""

    seconds: int

    def __post_init__(self) -> None:
        if self.seconds < 1:
            raise ValueError("a period must be at least one second")

    def last_slot(self, now: dt.datetime) -> dt.datetime:
        stamp = int(now.timestamp()) // self.seconds * self.seconds
        return dt.datetime.fromtimestamp(stamp, dt.UTC)


Schedule = Daily | Every


@dataclass(frozen=True)
class PeriodicJob:
    """A job the beat fires on `schedule`; with no schedule it is registered (so an operator
    or a test can dispatch it by name through `jobs.beat.run_periodic`) but never fired."""

    name: str
    target: str
    schedule: Schedule | None
    description: str = ""

    def resolve(self) -> Target:
        module, _, attr = self.target.partition(":")
        target: Target = getattr(importlib.import_module(module), attr)
        return target


REGISTRY: dict[str, PeriodicJob] = {}


def register(job: PeriodicJob) -> PeriodicJob:
    """Add a periodic job; a second job with the same name is a programming error."""
    if job.name in REGISTRY and REGISTRY[job.name] != job:
        raise ValueError(f"a periodic job named {job.name!r} is already registered")
    REGISTRY[job.name] = job
    return job


DEFAULT_JOBS = (
    PeriodicJob(
        "scheduling.capture_daily_forecast_floor",
        "app.forecasts.snapshots:capture_daily_floor",
        Daily(0, 30),
        "At least one forecast snapshot per active project per UTC day (seed 003).",
    ),
    PeriodicJob(
        "forecasts.reap_stale",
        "app.forecasts.reaper:reap_stale_forecasts_job",
        Every(120),
        "Fail forecast runs whose runner died (queue job gone or ended, or no heartbeat for "
        "TRUEPPM_FORECAST_STALE_SECONDS) and announce forecast_failed.",
    ),
    PeriodicJob(
        "retention.purge",
        "app.retention.coordinator:purge_job",
        Daily(2, 0),
        "The retention purge coordinator: every bounded table past its window, one logged "
        "run, single flight (seed 003).",
    ),
    # The per-table purges: part of retention.purge, still dispatchable on their own.
    PeriodicJob(
        "history.purge",
        "app.history.purge:purge_history_job",
        None,
        "Delete object-change history older than HISTORY_RETENTION_DAYS.",
    ),
    PeriodicJob(
        "sync.purge",
        "app.sync.purge:purge_sync_job",
        None,
        "Delete sync tombstones and push batches past their retention windows.",
    ),
)
for _job in DEFAULT_JOBS:
    register(_job)
