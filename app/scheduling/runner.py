"""Dispatching schedule requests: the relay, and the in-process runner of the embedded default.

The relay claims pending requests with `FOR UPDATE SKIP LOCKED` (so several relays never
claim the same rows), coalesces them per project and hands each project to a dispatcher once.
A request whose job never finished (a killed worker) becomes claimable again after
`reclaim_after`. Sprint-close requests (`SprintCloseRequest`) are claimed the same way and
dispatched one by one, and so are plan imports (`ImportRequest`, app/interchange/outbox.py).
With `VALKEY_URL` the dispatcher enqueues an RQ job by dotted path; without it,
`InProcessRunner` computes in this process, one project at a time per project.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.events.bus import EventBus
from app.interchange.outbox import relay_imports
from app.models import ScheduleRequest, SprintCloseRequest
from app.scheduling.recompute import Outcome, recompute
from app.sprints.closing import process_close
from app.state import unit_of_work

log = logging.getLogger(__name__)

Dispatch = Callable[[uuid.UUID], Awaitable[None]]


async def _claim_and_dispatch(
    sessions: async_sessionmaker[AsyncSession],
    model: type[ScheduleRequest] | type[SprintCloseRequest],
    key: Callable[[Any], uuid.UUID],
    dispatch: Dispatch,
    reclaim_after: timedelta,
    limit: int,
) -> list[uuid.UUID]:
    """Claim pending rows of one outbox table, dispatch each distinct key once, mark them
    enqueued. A dispatch failure rolls the claim back: the rows stay pending."""
    async with unit_of_work(sessions) as uow:
        stale = func.now() - reclaim_after
        rows = (
            (
                await uow.session.execute(
                    select(model)
                    .where(
                        model.done_at.is_(None),
                        or_(model.enqueued_at.is_(None), model.enqueued_at < stale),
                    )
                    .order_by(model.created_at)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            .scalars()
            .all()
        )
        keys = list(dict.fromkeys(key(row) for row in rows))
        for value in keys:
            await dispatch(value)
        if rows:
            await uow.session.execute(
                update(model)
                .where(model.id.in_([row.id for row in rows]))  # type: ignore[attr-defined]
                .values(enqueued_at=func.now(), attempts=model.attempts + 1)
                .execution_options(synchronize_session=False)
            )
    return keys


async def relay_once(
    sessions: async_sessionmaker[AsyncSession],
    dispatch: Dispatch,
    *,
    reclaim_after: timedelta = timedelta(minutes=5),
    limit: int = 1000,
) -> list[uuid.UUID]:
    """Claim pending schedule requests, dispatch each project once; return the projects.

    If dispatching fails (the queue is down) the transaction rolls back and the requests stay
    pending for the next sweep: nothing is lost."""
    return await _claim_and_dispatch(
        sessions, ScheduleRequest, lambda row: row.project_id, dispatch, reclaim_after, limit
    )


async def relay_close_requests(
    sessions: async_sessionmaker[AsyncSession],
    dispatch: Dispatch,
    *,
    reclaim_after: timedelta = timedelta(minutes=5),
    limit: int = 100,
) -> list[uuid.UUID]:
    """The same claim for `SprintCloseRequest` rows: each request is dispatched by its id."""
    return await _claim_and_dispatch(
        sessions, SprintCloseRequest, lambda row: row.id, dispatch, reclaim_after, limit
    )


OnOutcome = Callable[[Outcome], Awaitable[None]]


class RelayLoop:
    """Run `relay_once` (and, with `close_dispatch`, `relay_close_requests`) whenever poked
    (right after a commit that recorded requests) and on a slow sweep, which also drains
    requests left pending while the queue was unreachable."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        dispatch: Dispatch,
        *,
        sweep_every: float = 5.0,
        reclaim_after: timedelta = timedelta(minutes=5),
        close_dispatch: Dispatch | None = None,
        import_dispatch: Dispatch | None = None,
    ) -> None:
        self.sessions = sessions
        self.dispatch = dispatch
        self.close_dispatch = close_dispatch
        self.import_dispatch = import_dispatch
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
            if self.close_dispatch is not None:
                try:
                    await relay_close_requests(
                        self.sessions, self.close_dispatch, reclaim_after=self.reclaim_after
                    )
                except Exception:
                    log.warning("sprint-close relay could not dispatch; will retry", exc_info=True)
            if self.import_dispatch is not None:
                try:
                    await relay_imports(
                        self.sessions, self.import_dispatch, reclaim_after=self.reclaim_after
                    )
                except Exception:
                    log.warning("import relay could not dispatch; will retry", exc_info=True)
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
    arriving while it runs coalesce into one follow-up run. Sprint-close requests go through
    the same queue and worker; their events are published on `bus` (default: the process's)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        sweep_every: float = 5.0,
        on_outcome: OnOutcome | None = None,
        bus: EventBus | None = None,
    ) -> None:
        self.sessions = sessions
        self.on_outcome = on_outcome
        self.bus = bus
        # Work happens here, so a claimed request is never "lost in a queue": reclaim at once.
        self.relay = RelayLoop(
            sessions,
            self._dispatch,
            sweep_every=sweep_every,
            reclaim_after=timedelta(0),
            close_dispatch=self._dispatch_close,
            import_dispatch=self._dispatch_import,
        )
        self._queue: asyncio.Queue[tuple[str, uuid.UUID]] = asyncio.Queue()
        self._queued: set[tuple[str, uuid.UUID]] = set()
        self._worker: asyncio.Task[None] | None = None
        self.idle = asyncio.Event()
        self.idle.set()

    async def poke(self) -> None:
        await self.relay.poke()

    def _put(self, item: tuple[str, uuid.UUID]) -> None:
        if item not in self._queued:
            self._queued.add(item)
            self.idle.clear()
            self._queue.put_nowait(item)

    async def _dispatch(self, project_id: uuid.UUID) -> None:
        self._put(("schedule", project_id))

    async def _dispatch_close(self, request_id: uuid.UUID) -> None:
        self._put(("sprint_close", request_id))

    async def _dispatch_import(self, import_id: uuid.UUID) -> None:
        self._put(("import", import_id))

    async def _run(self, kind: str, ident: uuid.UUID) -> None:
        if kind == "sprint_close":
            await process_close(self.sessions, ident, self.bus)
            return
        if kind == "import":
            # Imported here: the import service records schedule requests, so it imports this
            # package; a top-level import would cycle when the service is loaded first.
            from app.interchange.service import process_import

            # Its commit records a schedule request: poke the relay so it runs at once.
            await process_import(self.sessions, ident, self.bus, {"schedule_poke": self.poke})
            return
        outcome = await recompute(self.sessions, ident)
        if outcome.downstream:  # dependent projects: claim their requests now
            await self.relay.poke()
        if self.on_outcome is not None and outcome.state != "skipped":
            await self.on_outcome(outcome)

    async def _work_loop(self) -> None:
        while True:
            item = await self._queue.get()
            self._queued.discard(item)
            try:
                await self._run(*item)
            except Exception:  # one project's failure must not stop the runner
                log.exception("%s failed", item[0], extra={"ident": str(item[1])})
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
