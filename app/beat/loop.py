"""The beat loop: on every tick, if this process is the acting beat, write the heartbeat and
fire each registered job whose latest slot has not been fired yet.

Only one beat acts at a time: with Valkey, leadership is a lock key (`SET NX PX`, renewed on
every tick by its holder, released on exit); a second `trueppm beat` waits as a standby and
takes over once the key expires. The last fired slot of each job is stored beside it
(`trueppm:beat:last`), so a restart or a takeover neither repeats a slot nor skips one: a slot
missed while no beat ran is fired once on the next tick (never more than once).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import secrets
import socket
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

import redis
import redis.asyncio as aioredis
from rq import Queue

from app.beat.heartbeat import Heartbeat, HeartbeatStore
from app.beat.registry import REGISTRY, PeriodicJob

if TYPE_CHECKING:
    from app.state import AppState

log = logging.getLogger(__name__)

QUEUE = "trueppm-periodic"
JOB = "jobs.beat.run_periodic"
LEADER_KEY = "trueppm:beat:leader"
LAST_KEY = "trueppm:beat:last"

# Renew the lock if we hold it; take it if nobody does. Returns 1 when we lead.
_LEAD = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
_RESIGN = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def periodic_job_id(name: str, slot: dt.datetime) -> str:
    """RQ job ids allow letters, digits, `_` and `-` only: dots in the name become `_`."""
    safe = "".join(c if c.isalnum() or c in "_-" else "_" for c in name)
    return f"beat-{safe}-{slot.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"


class BeatBackend(Protocol):
    async def lead(self) -> bool: ...
    async def last_fired(self, name: str) -> dt.datetime | None: ...
    async def mark_fired(self, name: str, slot: dt.datetime) -> None: ...
    async def dispatch(self, job: PeriodicJob, slot: dt.datetime) -> None: ...
    async def resign(self) -> None: ...


class ValkeyBeatBackend:
    """Leadership and slot bookkeeping in Valkey; jobs enqueued on RQ (`trueppm-periodic`)."""

    def __init__(self, url: str, *, lock_ttl: float) -> None:
        self.client = aioredis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.connection = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.token = f"{instance_name()}:{secrets.token_hex(4)}"
        self.lock_ms = int(lock_ttl * 1000)
        self._lead = self.client.register_script(_LEAD)
        self._resign = self.client.register_script(_RESIGN)

    async def lead(self) -> bool:
        return bool(await self._lead(keys=[LEADER_KEY], args=[self.token, self.lock_ms]))

    async def last_fired(self, name: str) -> dt.datetime | None:
        raw = await self.client.hget(LAST_KEY, name)
        if raw is None:
            return None
        return dt.datetime.fromisoformat(raw.decode() if isinstance(raw, bytes) else raw)

    async def mark_fired(self, name: str, slot: dt.datetime) -> None:
        await self.client.hset(LAST_KEY, name, slot.isoformat())

    async def dispatch(self, job: PeriodicJob, slot: dt.datetime) -> None:
        def enqueue() -> None:
            Queue(QUEUE, connection=self.connection).enqueue(
                JOB,
                job.name,
                job_id=periodic_job_id(job.name, slot),
                job_timeout=3600,
                result_ttl=86400,
                failure_ttl=7 * 86400,
            )

        await asyncio.to_thread(enqueue)

    async def resign(self) -> None:
        await self._resign(keys=[LEADER_KEY], args=[self.token])

    async def close(self) -> None:
        await self.client.aclose()
        self.connection.close()


class LocalBeatBackend:
    """The embedded default: the API process is the only beat; jobs run as its tasks."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self._last: dict[str, dt.datetime] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def lead(self) -> bool:
        return True

    async def last_fired(self, name: str) -> dt.datetime | None:
        return self._last.get(name)

    async def mark_fired(self, name: str, slot: dt.datetime) -> None:
        self._last[name] = slot

    async def _run(self, job: PeriodicJob) -> None:
        try:
            summary = await job.resolve()(self.state)
            log.info("periodic job done", extra={"job": job.name, "summary": summary})
        except Exception:
            log.exception("periodic job failed", extra={"job": job.name})

    async def dispatch(self, job: PeriodicJob, slot: dt.datetime) -> None:
        task = asyncio.create_task(self._run(job), name=f"beat-{job.name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def resign(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)


class Beat:
    def __init__(
        self,
        backend: BeatBackend,
        heartbeat: HeartbeatStore,
        *,
        interval: float,
        jobs: Iterable[PeriodicJob] | None = None,
    ) -> None:
        self.backend = backend
        self.heartbeat = heartbeat
        self.interval = interval
        every = REGISTRY.values() if jobs is None else jobs
        self.jobs = [job for job in every if job.schedule is not None]
        self.instance = instance_name()
        self._task: asyncio.Task[None] | None = None

    async def tick(self, now: dt.datetime | None = None) -> list[str]:
        """One round; returns the names of the jobs fired (none when on standby)."""
        now = now or dt.datetime.now(dt.UTC)
        if not await self.backend.lead():
            return []
        await self.heartbeat.write(Heartbeat(at=now, instance=self.instance))
        fired = []
        for job in self.jobs:
            assert job.schedule is not None  # unscheduled jobs are filtered out above
            slot = job.schedule.last_slot(now)
            last = await self.backend.last_fired(job.name)
            if last is not None and last >= slot:
                continue
            await self.backend.dispatch(job, slot)
            await self.backend.mark_fired(job.name, slot)
            log.info("periodic job fired", extra={"job": job.name, "slot": slot.isoformat()})
            fired.append(job.name)
        return fired

    async def run_forever(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # Valkey or the queue unreachable: try again next tick
                log.warning("beat tick failed; retrying", exc_info=True)
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run_forever(), name="beat")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        try:
            await self.backend.resign()
        except Exception:  # the lock expires on its own
            log.warning("could not release the beat lock", exc_info=True)
