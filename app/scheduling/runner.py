"""Dispatching schedule requests: the relay, and the in-process runner of the embedded default.

The relay claims pending requests with `FOR UPDATE SKIP LOCKED` (so several relays never
claim the same rows), coalesces them per project and hands each project to a dispatcher once.
A request whose job never finished (a killed worker) becomes claimable again after
`reclaim_after`. With `VALKEY_URL` the dispatcher enqueues an RQ job by dotted path; without
it, `InProcessRunner` computes in this process, one project at a time per project.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import ScheduleRequest
from app.scheduling.recompute import Outcome, recompute
from app.state import unit_of_work

log = logging.getLogger(__name__)

Dispatch = Callable[[uuid.UUID], Awaitable[None]]


async def relay_once(
    sessions: async_sessionmaker[AsyncSession],
    dispatch: Dispatch,
    *,
    reclaim_after: timedelta = timedelta(minutes=5),
    limit: int = 1000,
) -> list[uuid.UUID]:
    """Claim pending requests, dispatch each project once; return the projects dispatched.

    If dispatching fails (the queue is down) the transaction rolls back and the requests stay
    pending for the next sweep: nothing is lost."""
    async with unit_of_work(sessions) as uow:
        stale = func.now() - reclaim_after
        rows = (
            await uow.session.execute(
                select(ScheduleRequest.id, ScheduleRequest.project_id)
                .where(
                    ScheduleRequest.done_at.is_(None),
                    or_(ScheduleRequest.enqueued_at.is_(None), ScheduleRequest.enqueued_at < stale),
                )
                .order_by(ScheduleRequest.created_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        projects = list(dict.fromkeys(row.project_id for row in rows))
        for project_id in projects:
            await dispatch(project_id)
        if rows:
            await uow.session.execute(
                update(ScheduleRequest)
                .where(ScheduleRequest.id.in_([row.id for row in rows]))
                .values(enqueued_at=func.now(), attempts=ScheduleRequest.attempts + 1)
            )
    return projects


OnOutcome = Callable[[Outcome], Awaitable[None]]


class RelayLoop:
    """Run `relay_once` whenever poked (right after a commit that recorded requests) and on a
    slow sweep, which also drains requests left pending while the queue was unreachable."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        dispatch: Dispatch,
        *,
        sweep_every: float = 5.0,
        reclaim_after: timedelta = timedelta(minutes=5),
    ) -> None:
        self.sessions = sessions
        self.dispatch = dispatch
        self.sweep_every = sweep_every
        self.reclaim_after = reclaim_after
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def poke(self) -> None:
        self._wake.set()

    async def _loop(self) -> None:
        while True:
            try:
                await relay_once(self.sessions, self.dispatch, reclaim_after=self.reclaim_after)
            except Exception:  # the queue or database is down: retry at the next sweep
                log.warning("schedule relay could not dispatch; will retry", exc_info=True)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.sweep_every)
            except TimeoutError:
                pass
            self._wake.clear()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="schedule-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None


class InProcessRunner:
    """Recompute projects inside this process (the embedded default, `VALKEY_URL` unset).

    Projects are computed one at a time, so one project never runs twice at once; requests
    arriving while it runs coalesce into one follow-up run."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        sweep_every: float = 5.0,
        on_outcome: OnOutcome | None = None,
    ) -> None:
        self.sessions = sessions
        self.on_outcome = on_outcome
        # Work happens here, so a claimed request is never "lost in a queue": reclaim at once.
        self.relay = RelayLoop(
            sessions, self._dispatch, sweep_every=sweep_every, reclaim_after=timedelta(0)
        )
        self._queue: asyncio.Queue[uuid.UUID] = asyncio.Queue()
        self._queued: set[uuid.UUID] = set()
        self._worker: asyncio.Task[None] | None = None
        self.idle = asyncio.Event()
        self.idle.set()

    async def poke(self) -> None:
        await self.relay.poke()

    async def _dispatch(self, project_id: uuid.UUID) -> None:
        if project_id not in self._queued:
            self._queued.add(project_id)
            self.idle.clear()
            self._queue.put_nowait(project_id)

    async def _work_loop(self) -> None:
        while True:
            project_id = await self._queue.get()
            self._queued.discard(project_id)
            try:
                outcome = await recompute(self.sessions, project_id)
                if self.on_outcome is not None and outcome.state != "skipped":
                    await self.on_outcome(outcome)
            except Exception:  # one project's failure must not stop the runner
                log.exception("recompute failed", extra={"project_id": str(project_id)})
            finally:
                self._queue.task_done()
                if self._queue.empty():
                    self.idle.set()

    def start(self) -> None:
        self.relay.start()
        self._worker = asyncio.create_task(self._work_loop(), name="schedule-worker")

    async def stop(self) -> None:
        await self.relay.stop()
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
            self._worker = None
