"""The two throttle counters behave alike: counts in a fixed window, its remaining seconds,
the window's end, clearing; the Valkey one against the real server (shared by processes)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from app.throttle import Counter, MemoryCounter, ValkeyCounter
from tests.app.events.helpers import redis_url_or_skip


@pytest.fixture(params=["memory", "valkey"])
async def counter(request: pytest.FixtureRequest) -> AsyncIterator[Counter]:
    # Keys are unique per test: no flush needed.
    made = MemoryCounter() if request.param == "memory" else ValkeyCounter(redis_url_or_skip())
    yield made
    await made.close()


async def test_a_fixed_window(counter: Counter) -> None:
    key = f"test:{uuid.uuid4().hex}"
    assert await counter.peek(key) == (0, 0)
    assert (await counter.add(key, 2))[0] == 1
    count, left = await counter.add(key, 2)
    assert count == 2
    assert 1 <= left <= 2
    assert (await counter.peek(key))[0] == 2
    await asyncio.sleep(2.2)
    assert await counter.peek(key) == (0, 0)  # the window ended
    assert (await counter.add(key, 2))[0] == 1
    await counter.clear(key)
    assert await counter.peek(key) == (0, 0)
