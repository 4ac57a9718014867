"""Enqueueing import jobs on RQ (when `VALKEY_URL` is set): the scheduling queue, which
`trueppm worker` consumes, one job per import id, named by dotted path."""

from __future__ import annotations

import asyncio
import uuid

import redis
from rq import Queue
from rq.job import Job

from app.scheduling.queue import QUEUE, WAITING

JOB = "jobs.interchange.import_plan"


def job_id(import_id: uuid.UUID | str) -> str:
    return f"import-{import_id}"


def enqueue_import(connection: redis.Redis, import_id: uuid.UUID | str) -> str | None:
    """Enqueue the job of one import unless it is already waiting; return its id."""
    ident = job_id(import_id)
    try:
        status = Job.fetch(ident, connection=connection).get_status()
    except Exception:  # no such job (or a purged one that no longer decodes)
        status = None
    if status in WAITING:
        return None
    Queue(QUEUE, connection=connection).enqueue(
        JOB, str(import_id), job_id=ident, result_ttl=600, failure_ttl=86400, job_timeout=1800
    )
    return ident


class ImportDispatcher:
    """The relay's import dispatch function for RQ (shares the schedule connection)."""

    def __init__(self, connection: redis.Redis) -> None:
        self.connection = connection

    async def __call__(self, import_id: uuid.UUID) -> None:
        await asyncio.to_thread(enqueue_import, self.connection, import_id)
