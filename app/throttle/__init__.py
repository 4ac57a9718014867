"""Counting attempts in fixed windows, shared by every API process through Valkey (or kept in
this process in the embedded mode): the login guard (app/throttle/login.py) is built on it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

import valkey.asyncio as valkey

KEY = "trueppm:throttle:"


class Counter(Protocol):
    async def add(self, key: str, window: int) -> tuple[int, int]:
        """Count one more in `key`'s window; (count, seconds until the window ends)."""
        ...

    async def peek(self, key: str) -> tuple[int, int]:
        """(count, seconds until the window ends) without counting; (0, 0) when none."""
        ...

    async def clear(self, key: str) -> None: ...

    async def close(self) -> None: ...


@dataclass
class MemoryCounter:
    _windows: dict[str, tuple[float, int]] = field(default_factory=dict)

    def _live(self, key: str, now: float) -> tuple[float, int] | None:
        found = self._windows.get(key)
        if found is None or found[0] <= now:
            self._windows.pop(key, None)
            return None
        return found

    async def add(self, key: str, window: int) -> tuple[int, int]:
        now = time.monotonic()
        if len(self._windows) > 100_000:  # bound memory: forget ended windows
            self._windows = {k: v for k, v in self._windows.items() if v[0] > now}
        found = self._live(key, now)
        end, count = found if found is not None else (now + window, 0)
        self._windows[key] = (end, count + 1)
        return count + 1, max(1, round(end - now))

    async def peek(self, key: str) -> tuple[int, int]:
        now = time.monotonic()
        found = self._live(key, now)
        if found is None:
            return 0, 0
        return found[1], max(1, round(found[0] - now))

    async def clear(self, key: str) -> None:
        self._windows.pop(key, None)

    async def close(self) -> None:
        self._windows.clear()


class ValkeyCounter:
    """INCR with an expiry set by the first hit of a window (one round trip each)."""

    def __init__(self, url: str) -> None:
        self.client = valkey.Valkey.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    async def add(self, key: str, window: int) -> tuple[int, int]:
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incr(KEY + key)
            pipe.expire(KEY + key, window, nx=True)
            pipe.ttl(KEY + key)
            count, _, ttl = await pipe.execute()
        return int(count), max(1, int(ttl))

    async def peek(self, key: str) -> tuple[int, int]:
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.get(KEY + key)
            pipe.ttl(KEY + key)
            raw, ttl = await pipe.execute()
        if raw is None:
            return 0, 0
        return int(raw), max(1, int(ttl))

    async def clear(self, key: str) -> None:
        await self.client.delete(KEY + key)

    async def close(self) -> None:
        await self.client.aclose()


def counter_for(valkey_url: str | None) -> Counter:
    return ValkeyCounter(valkey_url) if valkey_url else MemoryCounter()
