"""The retention purge coordinator: one run over every bounded table, logged (seed 003).

A run records itself in `retention_purge_run` first, then runs each step of
`app.retention.steps.STEPS` in turn. A step that raises is recorded as failed with its error
and the run goes on with the next one ("continue and flag the failed table"); the run ends
`ok` (every step succeeded), `partial` (some failed) or `failed` (all failed). Each step's
result is written as soon as it is known, with a heartbeat, so a run whose process dies still
shows how far it got.

Single flight: at most one real run is `running` at a time — a partial unique index in the
database, so two processes racing to start cannot both win. A `running` row whose heartbeat
is older than `RETENTION_PURGE_INFLIGHT_SECONDS` belonged to a process that died: the next
start marks it `failed` (abandoned) and proceeds, so a crash never blocks purging for good.
Dry runs count instead of deleting, are logged with `dry_run` set, and are not single-flight
(they change nothing).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, type_coerce, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.errors import AppError
from app.models import RetentionPurgeRun as Run
from app.retention.steps import STEPS, Step

if TYPE_CHECKING:
    from app.state import AppState

log = logging.getLogger(__name__)

ERROR_LIMIT = 500  # characters of a step's error kept in the log


class PurgeInProgress(AppError):
    """Another real purge is running (the REST/CLI equivalent of 409)."""

    code = "purge_in_progress"

    def __init__(self, run_id: uuid.UUID | None, started_at: datetime | None) -> None:
        detail = f" (run {run_id}, started {started_at.isoformat()})" if started_at else ""
        super().__init__(f"a purge is already running{detail}")
        self.run_id = run_id
        self.started_at = started_at


@dataclass(frozen=True)
class StepResult:
    deleted: int
    ok: bool
    ms: int
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"deleted": self.deleted, "ok": self.ok, "ms": self.ms, "error": self.error}


async def _release_abandoned(session: AsyncSession, inflight: timedelta) -> None:
    await session.execute(
        update(Run)
        .where(Run.state == "running", Run.heartbeat_at < func.now() - inflight)
        .values(
            state="failed",
            finished_at=Run.heartbeat_at,
            error="abandoned: no progress within RETENTION_PURGE_INFLIGHT_SECONDS "
            "(its process died)",
        )
    )


async def begin_run(
    sessions: async_sessionmaker[AsyncSession],
    *,
    dry_run: bool,
    trigger: str,
    inflight_seconds: int,
) -> uuid.UUID:
    """Record a new `running` run; `PurgeInProgress` if a live real run holds the guard."""
    async with sessions() as session, session.begin():
        await _release_abandoned(session, timedelta(seconds=inflight_seconds))
        run = Run(dry_run=dry_run, trigger=trigger, state="running")
        try:
            async with session.begin_nested():
                session.add(run)
                await session.flush()
        except IntegrityError:
            holder = (
                await session.execute(
                    select(Run.id, Run.started_at).where(
                        Run.state == "running", Run.dry_run.is_(False)
                    )
                )
            ).one_or_none()  # None: it finished in between; the caller may simply retry
            raise PurgeInProgress(
                holder.id if holder else None, holder.started_at if holder else None
            ) from None
        return run.id


async def _run_step(state: AppState, step: Step, dry_run: bool) -> StepResult:
    tick = time.perf_counter()
    try:
        deleted = await step.run(state, dry_run)
    except Exception as exc:  # isolate the table: the other steps still run
        log.exception("retention purge step failed", extra={"step": step.name})
        error = f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]
        return StepResult(0, False, int((time.perf_counter() - tick) * 1000), error)
    return StepResult(deleted, True, int((time.perf_counter() - tick) * 1000))


async def _record(
    sessions: async_sessionmaker[AsyncSession], run_id: uuid.UUID, name: str, result: StepResult
) -> None:
    entry = type_coerce({name: result.as_json()}, JSONB)
    async with sessions() as session, session.begin():
        await session.execute(
            update(Run)
            .where(Run.id == run_id)
            .values(
                tables=Run.tables.op("||")(entry),
                deleted=Run.deleted + result.deleted,
                heartbeat_at=func.now(),
            )
        )


def outcome(results: Sequence[StepResult]) -> str:
    """`ok` when every step succeeded, `failed` when none did, else `partial`."""
    succeeded = sum(r.ok for r in results)
    if succeeded == len(results):
        return "ok"
    return "failed" if succeeded == 0 else "partial"


async def _finish(sessions: async_sessionmaker[AsyncSession], run_id: uuid.UUID, final: str) -> Run:
    async with sessions() as session, session.begin():
        await session.execute(
            update(Run)
            .where(Run.id == run_id)
            .values(
                state=final,
                finished_at=func.clock_timestamp(),
                heartbeat_at=func.clock_timestamp(),
                duration_ms=(
                    func.extract("epoch", func.clock_timestamp() - Run.started_at) * 1000
                ).cast(Run.duration_ms.type),
            )
        )
        run = await session.get(Run, run_id)
        assert run is not None
        return run


async def run_purge(
    state: AppState,
    *,
    dry_run: bool = False,
    trigger: str = "cli",
    steps: Sequence[Step] = STEPS,
) -> Run:
    """One coordinated purge (or dry run) over `steps`; returns its finished log row."""
    sessions = state.sessions
    run_id = await begin_run(
        sessions,
        dry_run=dry_run,
        trigger=trigger,
        inflight_seconds=state.settings.purge_inflight_seconds,
    )
    results = []
    for step in steps:
        result = await _run_step(state, step, dry_run)
        results.append(result)
        await _record(sessions, run_id, step.name, result)
    run = await _finish(sessions, run_id, outcome(results))
    log.info(
        "retention purge finished",
        extra={"run_id": str(run_id), "state": run.state, "deleted": run.deleted},
    )
    return run


def summary(run: Run) -> dict[str, Any]:
    """A run as JSON (the beat job's result, `trueppm purge --json`)."""
    return {
        "id": str(run.id),
        "state": run.state,
        "dry_run": run.dry_run,
        "trigger": run.trigger,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "duration_ms": run.duration_ms,
        "deleted": run.deleted,
        "tables": run.tables,
        "error": run.error,
    }


async def purge_job(state: AppState) -> dict[str, Any]:
    """The periodic job `retention.purge` (daily 02:00 UTC): a real run, skipped (not failed)
    when another is still running."""
    try:
        run = await run_purge(state, trigger="beat")
    except PurgeInProgress as busy:
        log.warning("retention purge skipped: %s", busy.message)
        return {"skipped": busy.message}
    return summary(run)
