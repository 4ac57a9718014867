"""The scheduling job run by `trueppm worker` (RQ).

It takes the per-project lock in Valkey; when another run holds it, it re-enqueues itself 10 s
later (the seed's behaviour) as one deferred job per project, never a pile of duplicates. It
builds its own database engine inside the work process.

The lock lives `TRUEPPM_SCHEDULE_LOCK_TTL` seconds and a thread renews it every third of that
while the run goes on, so a long run keeps it and a SIGKILLed worker's lock frees itself soon;
the killed run's requests are still pending (they are marked done only in the run's own
commit), and the relay re-dispatches them after `TRUEPPM_SCHEDULE_RECLAIM_SECONDS`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from datetime import timedelta
from typing import Any

from redis import Redis
from redis.exceptions import LockNotOwnedError, RedisError
from redis.lock import Lock
from rq import Queue, get_current_job

from app.scheduling.announce import announce
from app.scheduling.queue import JOB, LOCK_PREFIX, QUEUE, WAITING, enqueue_schedule, job_id
from app.scheduling.recompute import Outcome, recompute
from app.settings import Settings
from app.state import AppState

log = logging.getLogger(__name__)

RETRY_IN = timedelta(seconds=10)


def _connection() -> Redis:
    job = get_current_job()
    if job is None:
        raise RuntimeError("schedule_project must run inside an RQ worker")
    connection: Redis = job.connection
    return connection


def _defer(connection: Redis, project_id: str) -> bool:
    """Schedule the single deferred retry for this project; False if one already waits."""
    ident = job_id(project_id, "deferred")
    queue = Queue(QUEUE, connection=connection)
    existing = queue.fetch_job(ident)
    if existing is not None and existing.get_status() in WAITING:
        return False
    queue.enqueue_in(RETRY_IN, JOB, project_id, job_id=ident, result_ttl=600)
    return True


async def _run(settings: Settings, project_id: uuid.UUID) -> Outcome:
    if settings.database_url is None:
        raise RuntimeError("the worker needs DATABASE_URL (the embedded database is in-process)")
    state = AppState(settings=settings, database_url=settings.database_url)
    try:
        outcome = await recompute(state.sessions, project_id)
        await state.events.connect()
        await announce(outcome, state.events)  # after the commit, to every API process
        return outcome
    finally:
        await state.close()


class _Renewal:
    """Extend `lock` to `ttl` seconds every `ttl / 3` until stopped."""

    def __init__(self, lock: Lock, ttl: int) -> None:
        self._lock = lock
        self._ttl = ttl
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="schedule-lock", daemon=True)

    def __enter__(self) -> _Renewal:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._ttl / 3):
            try:
                self._lock.extend(self._ttl, replace_ttl=True)
            except LockNotOwnedError:
                log.warning("schedule lock expired during the run; another run may start")
                return
            except RedisError:  # Valkey briefly away: try again at the next tick
                log.warning("could not renew the schedule lock", exc_info=True)


def schedule_project(project_id: str) -> dict[str, Any]:
    """Recompute one project under its lock; returns a small JSON-able summary."""
    connection = _connection()
    settings = Settings.from_env()
    ttl = settings.schedule_lock_ttl
    lock = connection.lock(LOCK_PREFIX + project_id, timeout=ttl, blocking=False)
    if not lock.acquire(blocking=False):
        deferred = _defer(connection, project_id)
        log.info("project locked; deferred", extra={"project_id": project_id})
        return {"state": "deferred", "scheduled_retry": deferred}
    try:
        with _Renewal(lock, ttl):
            outcome = asyncio.run(_run(settings, uuid.UUID(project_id)))
    finally:
        try:
            lock.release()
        except LockNotOwnedError:  # expired meanwhile; nothing to release
            pass
    for downstream in outcome.downstream:
        # Their requests are committed; enqueueing now saves waiting for the relay's sweep.
        try:
            enqueue_schedule(connection, downstream)
        except Exception:  # the relay dispatches the pending requests later
            log.warning("could not enqueue a downstream project", exc_info=True)
    return {
        "state": outcome.state,
        "project_finish": outcome.project_finish.isoformat() if outcome.project_finish else None,
        "tasks_changed": len(outcome.changed),
        "error": outcome.error,
    }
