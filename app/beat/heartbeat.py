"""The beat's heartbeat: written by the acting beat on every tick, read by
`GET /api/v1/health/beat/`. In Valkey with `VALKEY_URL` (any API replica can read it), in
memory in the embedded default (where the beat runs inside the API process)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as aioredis

KEY = "trueppm:beat:heartbeat"


@dataclass(frozen=True)
class Heartbeat:
    at: dt.datetime
    instance: str


class HeartbeatStore(Protocol):
    async def write(self, beat: Heartbeat) -> None: ...
    async def read(self) -> Heartbeat | None: ...
    async def close(self) -> None: ...


class MemoryHeartbeat:
    def __init__(self) -> None:
        self._beat: Heartbeat | None = None

    async def write(self, beat: Heartbeat) -> None:
        self._beat = beat

    async def read(self) -> Heartbeat | None:
        return self._beat

    async def close(self) -> None:
        return None


class ValkeyHeartbeat:
    """The key holds `{"at": ISO timestamp, "instance": "host:pid"}`; it expires after a day
    so a long-dead beat reads as missing rather than as a stale value forever."""

    TTL = 86400

    def __init__(self, url: str) -> None:
        self.client = aioredis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)

    async def write(self, beat: Heartbeat) -> None:
        body = json.dumps({"at": beat.at.isoformat(), "instance": beat.instance})
        await self.client.set(KEY, body, ex=self.TTL)

    async def read(self) -> Heartbeat | None:
        raw = await self.client.get(KEY)
        if raw is None:
            return None
        data = json.loads(raw)
        return Heartbeat(at=dt.datetime.fromisoformat(data["at"]), instance=str(data["instance"]))

    async def close(self) -> None:
        await self.client.aclose()


def heartbeat_store(valkey_url: str | None) -> HeartbeatStore:
    return ValkeyHeartbeat(valkey_url) if valkey_url else MemoryHeartbeat()
