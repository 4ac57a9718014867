"""The event bus of one process: publishing, and bounded per-subscriber streams.

Publishing numbers and buffers the event (see `store`) and fans it out through `broadcaster`.
Each process keeps one broadcaster subscription per project with local subscribers and copies
every event into each subscriber's bounded queue without ever waiting: a subscriber whose queue
is full is cut off (`SlowConsumer`) instead of holding memory or slowing the others.
After a Valkey reconnection every channel is backfilled from the replay buffer, or, when the
buffer cannot cover the outage, its subscribers receive `resync_required`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from broadcaster import Broadcast

from app.auth.revocations import CHANNEL as REVOCATIONS
from app.auth.revocations import Revocation
from app.events.backends import InMemoryBackend, ReconnectingRedisBackend
from app.events.store import MemoryEventStore, RedisEventStore, channel_name
from app.events.tickets import MemoryTicketStore, RedisTicketStore, TicketStore
from app.events.types import BoardEvent, resync_required
from app.metrics import FANOUT_LAG
from app.settings import Settings

log = logging.getLogger("trueppm.events")


class SlowConsumer(Exception):
    """The subscriber fell `queue_size` events behind and was disconnected."""


class EventStream:
    """One subscriber's bounded queue; `offer` never blocks and drops duplicates by `seq`."""

    def __init__(self, project_id: uuid.UUID, queue_size: int) -> None:
        self.project_id = project_id
        self.high = 0  # highest seq accepted so far
        self.overflowed = False
        self._queue: asyncio.Queue[BoardEvent | None] = asyncio.Queue(queue_size)
        self._pending: list[BoardEvent] | None = []  # live events held back during replay

    def offer(self, event: BoardEvent) -> None:
        """Accept a live event (held back while the replay is still being read)."""
        if self.overflowed:
            return
        if self._pending is not None:
            self._pending.append(event)
            if len(self._pending) > self._queue.maxsize:
                self._overflow()
            return
        self._enqueue(event)

    def start(self, replayed: list[BoardEvent], high: int) -> None:
        """End the replay phase: the replayed events, then the live ones that arrived
        meanwhile, in order and without duplicates."""
        self.high = high
        pending, self._pending = self._pending or [], None
        for event in [*replayed, *sorted(pending, key=lambda e: e.seq)]:
            self._enqueue(event)

    def resync(self, event: BoardEvent) -> None:
        """Tell a live subscriber to reload; later events count on from `event.seq`."""
        if self._pending is not None:
            return  # still replaying: the replay just read the current buffer
        self.high = event.seq - 1
        self._enqueue(event)

    def _enqueue(self, event: BoardEvent) -> None:
        if self.overflowed or event.seq <= self.high:
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self._overflow()
            return
        self.high = event.seq

    def _overflow(self) -> None:
        self.overflowed = True
        self._pending = None
        while not self._queue.empty():  # free the memory now, not when the client goes away
            self._queue.get_nowait()
        self._queue.put_nowait(None)

    async def next(self) -> BoardEvent:
        item = await self._queue.get()
        if item is None:
            raise SlowConsumer(f"subscriber fell more than {self._queue.maxsize} events behind")
        return item

    def qsize(self) -> int:
        return self._queue.qsize()


@dataclass
class _Channel:
    project_id: uuid.UUID
    streams: set[EventStream] = field(default_factory=set)
    last: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


class EventBus:
    """Publish events and subscribe to a project's stream (one per process, in `AppState`)."""

    def __init__(self, settings: Settings) -> None:
        self.queue_size = settings.subscriber_queue
        self.store: MemoryEventStore | RedisEventStore
        self.tickets: TicketStore
        self.backend: InMemoryBackend | ReconnectingRedisBackend
        if settings.valkey_url:
            self.backend = ReconnectingRedisBackend(settings.valkey_url)
            self.backend.add_reconnect_listener(self._backfill_all)
            self.store = RedisEventStore(settings.valkey_url, settings.event_buffer)
            self.tickets = RedisTicketStore(self.store.client)
        else:
            self.backend = InMemoryBackend()
            self.store = MemoryEventStore(settings.event_buffer, self._publish_local)
            self.tickets = MemoryTicketStore()
        self.broadcast = Broadcast(backend=self.backend)
        self._channels: dict[uuid.UUID, _Channel] = {}
        self._connected = False
        self._lock = asyncio.Lock()
        self._revocation_listeners: set[Callable[[Revocation], Awaitable[None]]] = set()
        self._revocations: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        """Start listening (idempotent; `subscribe` calls it lazily too)."""
        async with self._lock:
            if not self._connected:
                await self.broadcast.connect()
                self._connected = True

    async def disconnect(self) -> None:
        """Stop every channel pump and close the connections."""
        for channel in list(self._channels.values()):
            if channel.task is not None:
                channel.task.cancel()
        if self._revocations is not None:
            self._revocations.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._revocations
        async with self._lock:
            if self._connected:
                await self.broadcast.disconnect()
                self._connected = False
        await self.store.close()

    async def revoke(self, revocation: Revocation) -> None:
        """Tell every process (this one included) that a credential or membership is gone."""
        await self.connect()
        await self.broadcast.publish(REVOCATIONS, revocation.to_json())

    async def on_revocation(
        self, callback: Callable[[Revocation], Awaitable[None]]
    ) -> Callable[[], None]:
        """Call `callback` for every revocation from now on; returns the way to stop."""
        self._revocation_listeners.add(callback)
        if self._revocations is None or self._revocations.done():
            await self.connect()
            ready = asyncio.Event()
            self._revocations = asyncio.create_task(self._listen_revocations(ready))
            await ready.wait()
        return lambda: self._revocation_listeners.discard(callback)

    async def _listen_revocations(self, ready: asyncio.Event) -> None:
        async with self.broadcast.subscribe(REVOCATIONS) as subscriber:
            ready.set()
            async for message in subscriber:  # type: ignore[union-attr]
                if message is None:
                    continue
                revocation = Revocation.from_json(message.message)
                for callback in list(self._revocation_listeners):
                    try:
                        await callback(revocation)
                    except Exception:  # one connection's failure must not stop the others
                        log.exception("closing a revoked connection failed")

    async def publish(self, event: BoardEvent) -> BoardEvent:
        """Number, buffer and fan out `event`; returns it with its `seq`."""
        return await self.store.append(event)

    async def _publish_local(self, channel: str, message: str) -> None:
        await self.broadcast.publish(channel, message)

    @contextlib.asynccontextmanager
    async def subscribe(
        self, project_id: uuid.UUID, since: int | None = None
    ) -> AsyncIterator[EventStream]:
        """A stream of the project's events: first those after `since` (or one
        `resync_required` when the buffer no longer has them), then live ones."""
        await self.connect()
        stream = EventStream(project_id, self.queue_size)
        channel = await self._join(stream)
        try:
            if since is None:
                stream.start([], channel.last)
            else:
                await self._replay(stream, since)
            yield stream
        finally:
            await self._leave(channel, stream)

    async def _replay(self, stream: EventStream, since: int) -> None:
        replay = await self.store.replay(stream.project_id, since)
        if replay.complete:
            stream.start(replay.events, since)
            return
        reason = f"events after seq {since} are no longer buffered"
        event = resync_required(stream.project_id, reason, replay.latest_seq)
        stream.start([event], replay.latest_seq - 1)

    async def _join(self, stream: EventStream) -> _Channel:
        channel = self._channels.get(stream.project_id)
        if channel is None:
            channel = _Channel(stream.project_id)
            self._channels[stream.project_id] = channel
            channel.task = asyncio.create_task(self._pump(channel))
        channel.streams.add(stream)
        await channel.ready.wait()
        return channel

    async def _leave(self, channel: _Channel, stream: EventStream) -> None:
        channel.streams.discard(stream)
        if channel.streams or self._channels.get(channel.project_id) is not channel:
            return
        del self._channels[channel.project_id]
        if channel.task is not None:
            channel.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await channel.task

    async def _pump(self, channel: _Channel) -> None:
        """Copy the project's broadcaster messages into every local stream."""
        async with self.broadcast.subscribe(channel_name(channel.project_id)) as subscriber:
            channel.last = await self.store.latest_seq(channel.project_id)
            channel.ready.set()
            async for message in subscriber:  # type: ignore[union-attr]
                if message is not None:
                    self._deliver(channel, BoardEvent.from_json(message.message))

    def _deliver(self, channel: _Channel, event: BoardEvent) -> None:
        channel.last = max(channel.last, event.seq)
        if channel.streams:
            FANOUT_LAG.observe(max((dt.datetime.now(dt.UTC) - event.at).total_seconds(), 0.0))
        for stream in list(channel.streams):
            stream.offer(event)

    async def _backfill_all(self) -> None:
        for channel in list(self._channels.values()):
            try:
                await self._backfill(channel)
            except Exception:  # one project's failure must not stop the others' backfill
                log.exception("backfill of project %s failed", channel.project_id)

    async def _backfill(self, channel: _Channel) -> None:
        """Deliver what was published while the connection was down, or ask for a resync."""
        replay = await self.store.replay(channel.project_id, channel.last)
        if replay.complete:
            for event in replay.events:
                self._deliver(channel, event)
            return
        reason = "the live connection to Valkey was lost and events were missed"
        event = resync_required(channel.project_id, reason, replay.latest_seq)
        channel.last = replay.latest_seq
        for stream in list(channel.streams):
            stream.resync(event)
