"""Broadcast backends of our own for the `broadcaster` package.

`broadcaster`'s Redis backend never recovers from a lost connection (its listener task dies with
the socket), so `ReconnectingRedisBackend` owns the pub/sub loop: on any connection error it waits
with capped exponential backoff, opens a new connection, re-subscribes every channel and tells
its listeners, which backfill whatever was published meanwhile from the replay buffer.
`InMemoryBackend` is the embedded default (no `VALKEY_URL`): one process, no network.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import valkey.asyncio as valkey
from broadcaster import BroadcastBackend, Event
from valkey.exceptions import ConnectionError as ValkeyConnectionError
from valkey.exceptions import TimeoutError as ValkeyTimeoutError

log = logging.getLogger("trueppm.events")

ReconnectListener = Callable[[], Coroutine[Any, Any, None]]
_CONNECTION_ERRORS = (ValkeyConnectionError, ValkeyTimeoutError, OSError)


class InMemoryBackend(BroadcastBackend):
    """Delivers within the process. Messages for channels nobody listens to are not kept."""

    def __init__(self, url: str = "memory://") -> None:
        self._channels: set[str] = set()
        self._queue: asyncio.Queue[Event] | None = None

    async def connect(self) -> None:
        self._queue = asyncio.Queue()

    async def disconnect(self) -> None:
        self._queue = None

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)

    async def publish(self, channel: str, message: Any) -> None:
        # Like Redis pub/sub: without a subscriber the message is gone, so an unconnected or
        # idle process never accumulates events.
        if self._queue is not None and channel in self._channels:
            self._queue.put_nowait(Event(channel=channel, message=message))

    async def next_published(self) -> Event:
        assert self._queue is not None, "connect() first"
        return await self._queue.get()


class ReconnectingRedisBackend(BroadcastBackend):
    """Valkey/Redis pub/sub that survives server restarts and network drops."""

    def __init__(
        self, url: str, *, min_backoff: float = 0.05, max_backoff: float = 2.0, poll: float = 1.0
    ) -> None:
        self._url = url
        self._min_backoff = min_backoff
        self._max_backoff = max_backoff
        self._poll = poll
        self._channels: set[str] = set()
        self._listeners: list[ReconnectListener] = []
        self._client: valkey.Valkey | None = None
        self._pubsub: Any = None
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._notifications: set[asyncio.Task[None]] = set()
        self._confirmed: dict[str, asyncio.Event] = {}
        self.confirm_timeout = 5.0
        self.reconnects = 0

    def add_reconnect_listener(self, listener: ReconnectListener) -> None:
        """`listener` runs after every successful re-subscription following a connection loss."""
        self._listeners.append(listener)

    async def connect(self) -> None:
        self._client = valkey.Valkey.from_url(self._url)
        self._task = asyncio.create_task(self._run(), name="trueppm-redis-pubsub")

    async def disconnect(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._drop_pubsub()
        if self._client is not None:
            await self._client.aclose()

    async def subscribe(self, channel: str) -> None:
        """Subscribe and wait (bounded) for the server's confirmation, so that a replay read
        right afterwards cannot miss an event published in between."""
        confirmed = self._confirmed.setdefault(channel, asyncio.Event())
        self._channels.add(channel)
        self._wake.set()
        await self._send("subscribe", channel)
        with contextlib.suppress(TimeoutError):
            # Valkey down: go on; the reconnect listeners backfill from the buffer later.
            await asyncio.wait_for(confirmed.wait(), self.confirm_timeout)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        self._confirmed.pop(channel, None)
        await self._send("unsubscribe", channel)

    async def publish(self, channel: str, message: Any) -> None:
        assert self._client is not None, "connect() first"
        await self._client.publish(channel, message)

    async def next_published(self) -> Event:
        return await self._queue.get()

    async def _send(self, command: str, channel: str) -> None:
        async with self._lock:
            if self._pubsub is None:
                return  # the run loop subscribes the current channel set when it connects
            try:
                await getattr(self._pubsub, command)(channel)
            except _CONNECTION_ERRORS:
                log.info("pub/sub %s of %s deferred until reconnection", command, channel)

    async def _drop_pubsub(self) -> None:
        async with self._lock:
            pubsub, self._pubsub = self._pubsub, None
            for confirmed in self._confirmed.values():
                confirmed.clear()
        if pubsub is not None:
            with contextlib.suppress(*_CONNECTION_ERRORS):
                await pubsub.aclose()

    async def _run(self) -> None:
        backoff = self._min_backoff
        lost = False
        while True:
            if not self._channels:
                self._wake.clear()
                await self._wake.wait()
                continue
            try:
                await self._open()
                backoff = self._min_backoff
                if lost:
                    self.reconnects += 1
                    log.warning(
                        "pub/sub reconnected; %d channels resubscribed", len(self._channels)
                    )
                    for listener in list(self._listeners):
                        task = asyncio.create_task(listener())
                        self._notifications.add(task)  # keep a reference until it finishes
                        task.add_done_callback(self._notifications.discard)
                lost = False
                await self._pump()
            except _CONNECTION_ERRORS as exc:
                log.warning("pub/sub connection lost (%s); retrying in %.2fs", exc, backoff)
                lost = True
                await self._drop_pubsub()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)

    async def _open(self) -> None:
        assert self._client is not None
        async with self._lock:
            pubsub = self._client.pubsub()
            try:
                await pubsub.subscribe(*sorted(self._channels))
            except BaseException:
                with contextlib.suppress(*_CONNECTION_ERRORS):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
                raise
            self._pubsub = pubsub

    async def _pump(self) -> None:
        """Move messages to the queue until the connection fails or nothing is subscribed."""
        while self._channels:
            pubsub = self._pubsub
            if pubsub is None:
                return
            message = await pubsub.get_message(timeout=self._poll)
            if message is None:
                continue
            channel = message["channel"].decode()
            if message["type"] == "message":
                self._queue.put_nowait(Event(channel=channel, message=message["data"].decode()))
            elif message["type"] == "subscribe" and channel in self._confirmed:
                self._confirmed[channel].set()
        await self._drop_pubsub()
