"""Per-project sequence numbers and the replay buffer.

With Valkey, one Lua script allocates the sequence number (`INCR trueppm:seq:<project>`),
appends the event to a capped list (`trueppm:buffer:<project>`, the last N events) and
PUBLISHes it. Doing the three in one atomic step means the buffer and the live stream are always
in sequence order, even with many API processes and workers publishing at once. Without Valkey
the same happens in process memory.

Why Valkey and not a PostgreSQL counter row: events are published after commit, so a database
counter would cost a second transaction per event and serialise every publisher of a project on
one row lock, for a number whose only job is ordering a transient stream. When Valkey loses its
data (a restart without persistence) the counter starts again at 1; `replay` reports that as a
gap (`since` ahead of the latest number) and subscribers get `resync_required`.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import valkey.asyncio as valkey

from app.events.types import BoardEvent

BUFFER_TTL_SECONDS = 7 * 24 * 3600  # an idle project's buffer expires; its counter does not

_APPEND = """
local seq = redis.call('INCR', KEYS[1])
local body = '{"seq":' .. seq .. ',' .. string.sub(ARGV[1], 2)
redis.call('RPUSH', KEYS[2], body)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[4]))
redis.call('PUBLISH', ARGV[3], body)
return body
"""


def channel_name(project_id: uuid.UUID) -> str:
    return f"trueppm:events:{project_id}"


def seq_key(project_id: uuid.UUID) -> str:
    return f"trueppm:seq:{project_id}"


def buffer_key(project_id: uuid.UUID) -> str:
    return f"trueppm:buffer:{project_id}"


@dataclass(frozen=True)
class Replay:
    """Events after `since`, oldest first; `complete` is False when some were already evicted
    (or the counter restarted), in which case the subscriber must be told to resync."""

    events: list[BoardEvent]
    latest_seq: int
    complete: bool


def plan_replay(buffered: list[BoardEvent], latest: int, since: int) -> Replay:
    """Decide what a subscriber that has seen everything up to `since` still needs."""
    if since > latest:
        return Replay([], latest, complete=False)  # the counter went backwards: data was lost
    if since == latest:
        return Replay([], latest, complete=True)
    missed = [event for event in buffered if event.seq > since]
    complete = bool(missed) and missed[0].seq == since + 1
    return Replay(missed if complete else [], latest, complete)


Publish = Callable[[str, str], Awaitable[None]]


@dataclass
class MemoryEventStore:
    """The embedded default: counters and buffers in this process."""

    buffer_size: int
    publish: Publish
    _seq: dict[uuid.UUID, int] = field(default_factory=dict)
    _buffers: dict[uuid.UUID, deque[BoardEvent]] = field(default_factory=dict)

    async def append(self, event: BoardEvent) -> BoardEvent:
        """Number the event, keep it for replay and fan it out."""
        # No await between numbering and buffering, so the buffer is in order.
        seq = self._seq.get(event.project_id, 0) + 1
        self._seq[event.project_id] = seq
        numbered = event.with_seq(seq)
        buffer = self._buffers.setdefault(event.project_id, deque(maxlen=self.buffer_size))
        buffer.append(numbered)
        await self.publish(channel_name(event.project_id), numbered.to_json())
        return numbered

    async def replay(self, project_id: uuid.UUID, since: int) -> Replay:
        buffered = list(self._buffers.get(project_id, ()))
        return plan_replay(buffered, self._seq.get(project_id, 0), since)

    async def latest_seq(self, project_id: uuid.UUID) -> int:
        return self._seq.get(project_id, 0)

    async def close(self) -> None:
        """Nothing to release in memory."""


class RedisEventStore:
    """Counters and buffers in Valkey/Redis, shared by every API process and worker."""

    def __init__(self, url: str, buffer_size: int) -> None:
        self.buffer_size = buffer_size
        self.client: valkey.Valkey = valkey.Valkey.from_url(url)
        self._append: Any = self.client.register_script(_APPEND)

    async def append(self, event: BoardEvent) -> BoardEvent:
        """Number, buffer and PUBLISH in one atomic script."""
        keys = [seq_key(event.project_id), buffer_key(event.project_id)]
        args = [
            event.to_json(with_seq=False),
            self.buffer_size,
            channel_name(event.project_id),
            BUFFER_TTL_SECONDS,
        ]
        body = await self._append(keys=keys, args=args)
        return BoardEvent.from_json(body)

    async def replay(self, project_id: uuid.UUID, since: int) -> Replay:
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.get(seq_key(project_id))
            pipe.lrange(buffer_key(project_id), 0, -1)
            latest_raw, rows = await pipe.execute()
        buffered = [BoardEvent.from_json(row) for row in rows]
        return plan_replay(buffered, int(latest_raw or 0), since)

    async def latest_seq(self, project_id: uuid.UUID) -> int:
        return int(await self.client.get(seq_key(project_id)) or 0)

    async def close(self) -> None:
        await self.client.aclose()
