"""Enqueueing schedule jobs on RQ (when `VALKEY_URL` is set).

`app` never imports `jobs`: the job is named by dotted path. RQ gets a `redis.Redis`
connection (its scheduler does not work with a `valkey.Valkey` one), and job ids never
contain `:`.
"""

from __future__ import annotations

import asyncio
import uuid

import redis
from rq import Queue
from rq.job import Job, JobStatus

QUEUE = "trueppm-scheduling"
JOB = "jobs.scheduling.schedule_project"
LOCK_PREFIX = "trueppm:lock:schedule:"
WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def job_id(project_id: uuid.UUID | str, suffix: str = "") -> str:
    return f"schedule-{project_id}" + (f"-{suffix}" if suffix else "")


def _status(connection: redis.Redis, ident: str) -> JobStatus | None:
    try:
        return Job.fetch(ident, connection=connection).get_status()
    except Exception:  # rq raises NoSuchJobError (or fails to decode a purged job)
        return None


def enqueue_schedule(connection: redis.Redis, project_id: uuid.UUID | str) -> str | None:
    """Enqueue one job for the project unless one is already waiting; return its id.

    While a job for the project runs, a single follow-up job is queued instead (the running
    one may have loaded the project before the newest change)."""
    main = job_id(project_id)
    status = _status(connection, main)
    if status in WAITING:
        return None
    ident = main
    if status == JobStatus.STARTED:
        ident = job_id(project_id, "next")
        if _status(connection, ident) in WAITING:
            return None
    Queue(QUEUE, connection=connection).enqueue(
        JOB, str(project_id), job_id=ident, result_ttl=600, failure_ttl=86400, job_timeout=600
    )
    return ident


class RQDispatcher:
    """The relay's dispatch function for RQ."""

    def __init__(self, url: str) -> None:
        self.connection = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)

    async def __call__(self, project_id: uuid.UUID) -> None:
        await asyncio.to_thread(enqueue_schedule, self.connection, project_id)

    def close(self) -> None:
        self.connection.close()
