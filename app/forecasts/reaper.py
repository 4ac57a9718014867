"""The stale forecast reaper: fail the runs whose runner is gone, so none stays `running`.

A forecast run is claimed and simulated by a runner (an RQ job, or a task of the API process
in the embedded default). If that process dies, nothing else would ever finish the run. The
beat calls `reap_stale_forecasts_job` every two minutes; for each unfinished run (older than a
short grace, so a run committed a moment ago but not enqueued yet is left alone) it decides:

- with `VALKEY_URL`, by its RQ job (`forecast-<run id>`) first: a job that no longer exists is
  `worker_lost`; one that ended `failed`, `stopped` or `canceled`, or `finished` without the
  run being stored, is `worker_failed`; a run still `queued` whose job waits in the queue is
  alive however long the queue is;
- otherwise (the job started, or no Valkey) by its heartbeat (`app.forecasts.heartbeat`): none
  for `TRUEPPM_FORECAST_STALE_SECONDS` is `worker_lost`. The heartbeat is compared with the
  database clock, the one that wrote it.

A failed run is stored with its code and announced as `forecast_failed`, exactly as a run
failing on its own. Each failure is a conditional update (still unfinished, and for a heartbeat
verdict still stale), so a runner that finishes at the same moment wins the race cleanly.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import redis
from rq.job import Job
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.events.bus import EventBus
from app.forecasts import errors
from app.forecasts.dispatch import job_id
from app.forecasts.run import UNFINISHED, fail_run
from app.models import ForecastRun

if TYPE_CHECKING:
    from app.state import AppState

log = logging.getLogger(__name__)

GRACE = timedelta(seconds=30)
WAITING = frozenset({"created", "queued", "deferred", "scheduled", "rate_limited"})
ENDED = frozenset({"failed", "stopped", "canceled"})

# Maps run ids to their RQ job status ("queued", "started"...; None: no such job).
JobStatuses = Callable[[Sequence[uuid.UUID]], Awaitable[dict[uuid.UUID, str | None]]]


@dataclass(frozen=True)
class Verdict:
    run_id: uuid.UUID
    project_id: uuid.UUID
    code: str
    message: str
    by_heartbeat: bool


@dataclass(frozen=True)
class _Candidate:
    id: uuid.UUID
    project_id: uuid.UUID
    state: str
    silent: bool  # no heartbeat (or start, or creation) within the stale window


def _last_sign_of_life() -> ColumnElement[Any]:
    return func.coalesce(ForecastRun.heartbeat_at, ForecastRun.started_at, ForecastRun.created_at)


def _silent(stale_after: timedelta) -> ColumnElement[bool]:
    return _last_sign_of_life() < func.now() - stale_after


def judge(
    run: _Candidate, status: str | None, *, queue: str, stale_after: timedelta
) -> Verdict | None:
    """The verdict on one unfinished run. `queue` is `rq` (its job `status` is known; None:
    no such job), `unreachable` (there is a queue but it could not be read) or `none` (the
    embedded default, where the runner heartbeats queued runs too)."""

    def verdict(code: str, message: str, by_heartbeat: bool = False) -> Verdict:
        return Verdict(run.id, run.project_id, code, message, by_heartbeat)

    if queue == "rq":
        if status is None:
            return verdict(errors.WORKER_LOST, "its queue job is gone; ask again")
        if status in ENDED:
            return verdict(errors.WORKER_FAILED, f"its queue job ended as {status}; ask again")
        if status == "finished":
            return verdict(errors.WORKER_FAILED, "its queue job ended without storing a result")
        if status in WAITING and run.state == "queued":
            return None  # waiting its turn in the queue, however long that takes
    elif queue == "unreachable" and run.state == "queued":
        return None  # it may be waiting in the queue we cannot read; next time
    if run.silent:
        seconds = int(stale_after.total_seconds())
        return verdict(
            errors.WORKER_LOST, f"no heartbeat from its runner for over {seconds} s", True
        )
    return None


async def _candidates(
    sessions: async_sessionmaker[AsyncSession], stale_after: timedelta
) -> list[_Candidate]:
    stmt = (
        select(
            ForecastRun.id,
            ForecastRun.project_id,
            ForecastRun.state,
            _silent(stale_after).label("silent"),
        )
        .where(ForecastRun.state.in_(UNFINISHED), ForecastRun.created_at < func.now() - GRACE)
        .order_by(ForecastRun.created_at)
    )
    async with sessions() as session:
        rows = (await session.execute(stmt)).all()
    return [_Candidate(r.id, r.project_id, r.state, bool(r.silent)) for r in rows]


async def reap_stale_forecasts(
    sessions: async_sessionmaker[AsyncSession],
    bus: EventBus,
    *,
    stale_after: timedelta,
    jobs: JobStatuses | None = None,
) -> list[Verdict]:
    """Fail (and announce) every unfinished run whose runner is gone; returns what it failed."""
    candidates = await _candidates(sessions, stale_after)
    statuses: dict[uuid.UUID, str | None] = {}
    queue = "none" if jobs is None else "rq"
    if jobs is not None and candidates:
        try:
            statuses = await jobs([c.id for c in candidates])
        except redis.RedisError:
            log.warning("cannot read forecast job statuses; judging by heartbeat", exc_info=True)
            queue = "unreachable"
    failed = []
    for run in candidates:
        verdict = judge(run, statuses.get(run.id), queue=queue, stale_after=stale_after)
        if verdict is None:
            continue
        still = (_silent(stale_after),) if verdict.by_heartbeat else ()
        outcome = await fail_run(
            sessions, bus, run.id, run.project_id, verdict.code, verdict.message, *still
        )
        if outcome.state == "failed":
            log.warning(
                "failed a stale forecast run",
                extra={"run_id": str(run.id), "code": verdict.code, "reason": verdict.message},
            )
            failed.append(verdict)
    return failed


class RQJobStatuses:
    """Reads the status of each run's RQ job (`forecast-<run id>`) in one round trip."""

    def __init__(self, url: str) -> None:
        self.connection = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)

    def _fetch(self, run_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str | None]:
        found = Job.fetch_many([job_id(r) for r in run_ids], connection=self.connection)
        statuses: dict[uuid.UUID, str | None] = {}
        for run_id, job in zip(run_ids, found, strict=True):
            status = job.get_status(refresh=False) if job is not None else None
            statuses[run_id] = None if status is None else str(status.value)
        return statuses

    async def __call__(self, run_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str | None]:
        return await asyncio.to_thread(self._fetch, run_ids)

    def close(self) -> None:
        self.connection.close()


async def reap_stale_forecasts_job(state: AppState) -> dict[str, Any]:
    """The periodic job (`forecasts.reap_stale`): reap with the settings' window, asking RQ
    when this deployment has a queue."""
    stale_after = timedelta(seconds=state.settings.forecast_stale_seconds)
    reader = RQJobStatuses(state.settings.valkey_url) if state.settings.valkey_url else None
    try:
        failed = await reap_stale_forecasts(
            state.sessions, state.events, stale_after=stale_after, jobs=reader
        )
    finally:
        if reader is not None:
            reader.close()
    return {"failed": [{"run_id": str(v.run_id), "code": v.code} for v in failed]}
