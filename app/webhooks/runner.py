"""Who sends the deliveries: RQ workers with `VALKEY_URL`, else tasks of this process.

Every API process runs a `WebhookRelay`: poked after each commit that wrote deliveries, and
sweeping once a second for retries that came due and for deliveries written by jobs in other
processes. It hands each due endpoint to its dispatcher: in the embedded mode a task of this
process delivers it; with Valkey one RQ job per endpoint (`webhook-<endpoint id>`, on the
webhooks queue that `trueppm worker` serves) does. The endpoint's lease makes a second
deliverer of the same endpoint a no-op, wherever it runs.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable

import redis
from rq import Queue
from rq.job import Job
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.settings import Settings
from app.state import AppState
from app.webhooks.delivery import deliver_endpoint, due_endpoints, http_client
from app.webhooks.outbox import POKE_KEY

log = logging.getLogger(__name__)

QUEUE = "trueppm-webhooks"
JOB = "jobs.webhooks.deliver"
WAITING = {"queued", "scheduled", "deferred"}

Dispatch = Callable[[uuid.UUID], Awaitable[None]]


def job_id(endpoint_id: uuid.UUID | str) -> str:
    return f"webhook-{endpoint_id}"


def enqueue_delivery(connection: redis.Redis, endpoint_id: uuid.UUID | str) -> str | None:
    """One job per endpoint: none is added while one waits."""
    ident = job_id(endpoint_id)
    try:
        status = Job.fetch(ident, connection=connection).get_status()
    except Exception:  # no such job, or a purged one
        status = None
    if status is not None and status.value in WAITING:
        return None
    Queue(QUEUE, connection=connection).enqueue(
        JOB, str(endpoint_id), job_id=ident, result_ttl=60, failure_ttl=86400, job_timeout=3600
    )
    return ident


class WebhookRelay:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        dispatch: Dispatch,
        *,
        sweep_every: float = 1.0,
    ) -> None:
        self.sessions = sessions
        self.dispatch = dispatch
        self.sweep_every = sweep_every
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def poke(self) -> None:
        self._wake.set()

    async def relay_once(self) -> list[uuid.UUID]:
        due = await due_endpoints(self.sessions)
        for endpoint_id in due:
            await self.dispatch(endpoint_id)
        return due

    async def _loop(self) -> None:
        while True:
            try:
                await self.relay_once()
            except Exception:  # the database or queue is down: retry at the next sweep
                log.warning("webhook relay could not dispatch; will retry", exc_info=True)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.sweep_every)
            except TimeoutError:
                pass
            self._wake.clear()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="webhook-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None


class InProcessDeliverer:
    """Deliver endpoints as tasks of this process, one task per endpoint at a time."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings
        self.client = http_client(settings)
        self._running: dict[uuid.UUID, asyncio.Task[None]] = {}

    async def _run(self, endpoint_id: uuid.UUID) -> None:
        try:
            await deliver_endpoint(self.sessions, self.settings, endpoint_id, self.client)
        except Exception:  # the database went away mid-delivery: the lease expires, retried
            log.warning("webhook delivery to %s stopped", endpoint_id, exc_info=True)
        finally:
            self._running.pop(endpoint_id, None)

    async def __call__(self, endpoint_id: uuid.UUID) -> None:
        if endpoint_id in self._running:
            return
        self._running[endpoint_id] = asyncio.create_task(
            self._run(endpoint_id), name=f"webhook-{endpoint_id}"
        )

    async def wait_idle(self) -> None:
        while self._running:
            await asyncio.gather(*list(self._running.values()), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._running.values()):
            task.cancel()
        await asyncio.gather(*list(self._running.values()), return_exceptions=True)
        await self.client.aclose()


class RQDeliverer:
    def __init__(self, url: str) -> None:
        self.connection = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)

    async def __call__(self, endpoint_id: uuid.UUID) -> None:
        await asyncio.to_thread(enqueue_delivery, self.connection, endpoint_id)

    async def close(self) -> None:
        self.connection.close()


class Webhooks:
    """This process's relay and deliverer; `stop` ends both."""

    def __init__(self, relay: WebhookRelay, deliverer: InProcessDeliverer | RQDeliverer) -> None:
        self.relay = relay
        self.deliverer = deliverer

    async def stop(self) -> None:
        await self.relay.stop()
        await self.deliverer.close()


def start_webhooks(state: AppState) -> Webhooks:
    """Start delivering; commits that write deliveries poke the relay at once."""
    deliverer: InProcessDeliverer | RQDeliverer
    if state.settings.valkey_url:
        deliverer = RQDeliverer(state.settings.valkey_url)
    else:
        deliverer = InProcessDeliverer(state.sessions, state.settings)
    relay = WebhookRelay(state.sessions, deliverer)
    relay.start()
    state.uow_context[POKE_KEY] = relay.poke
    return Webhooks(relay, deliverer)
