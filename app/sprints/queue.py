"""Enqueueing sprint-close jobs on RQ (when `VALKEY_URL` is set).

They go to the scheduling queue, which `trueppm worker` consumes, named by dotted path (`app`
never imports `jobs`). One job per request id; a job already waiting is not duplicated.
"""

from __future__ import annotations

import asyncio
import uuid

import redis
from rq import Queue
from rq.job import Job

from app.scheduling.queue import QUEUE, WAITING

JOB = "jobs.sprints.close_sprint"


def job_id(request_id: uuid.UUID | str) -> str:
    return f"sprint-close-{request_id}"


def enqueue_close(connection: redis.Redis, request_id: uuid.UUID | str) -> str | None:
    """Enqueue the job of one close request unless it is already waiting; return its id."""
    ident = job_id(request_id)
    try:
        status = Job.fetch(ident, connection=connection).get_status()
    except Exception:  # no such job (or a purged one that no longer decodes)
        status = None
    if status in WAITING:
        return None
    Queue(QUEUE, connection=connection).enqueue(
        JOB, str(request_id), job_id=ident, result_ttl=600, failure_ttl=86400, job_timeout=600
    )
    return ident


class SprintCloseDispatcher:
    """The relay's close-request dispatch function for RQ (shares the schedule connection)."""

    def __init__(self, connection: redis.Redis) -> None:
        self.connection = connection

    async def __call__(self, request_id: uuid.UUID) -> None:
        await asyncio.to_thread(enqueue_close, self.connection, request_id)
