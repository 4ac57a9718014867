"""The bus with both backends: delivery, replay, resync, slow consumers, Redis restarts."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from app.events import BoardEvent, EventBus, EventType, SlowConsumer
from app.settings import Settings
from tests.app.events.helpers import RedisProcess, redis_url_or_skip


def _settings(valkey_url: str | None, **extra: str) -> Settings:
    env = {"SECRET_KEY": "k" * 40, **extra}
    if valkey_url:
        env["VALKEY_URL"] = valkey_url
    return Settings.from_env(env)


@pytest.fixture(params=["memory", "redis"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[EventBus]:
    url = redis_url_or_skip() if request.param == "redis" else None
    event_bus = EventBus(_settings(url, TRUEPPM_EVENT_BUFFER="5", TRUEPPM_SUBSCRIBER_QUEUE="10"))
    await event_bus.connect()
    yield event_bus
    await event_bus.disconnect()


def _event(project: uuid.UUID, kind: EventType = EventType.TASK_UPDATED) -> BoardEvent:
    return BoardEvent.make(project, kind, {"n": 1}, uuid.uuid4())


async def _next(stream: object) -> BoardEvent:
    return await asyncio.wait_for(stream.next(), 5)  # type: ignore[attr-defined]


async def test_live_events_reach_every_subscriber_in_order(bus: EventBus) -> None:
    project = uuid.uuid4()
    async with bus.subscribe(project) as one, bus.subscribe(project) as two:
        published = [await bus.publish(_event(project)) for _ in range(3)]
        assert [e.seq for e in published] == [1, 2, 3]
        assert [(await _next(one)).seq for _ in range(3)] == [1, 2, 3]
        assert [(await _next(two)).seq for _ in range(3)] == [1, 2, 3]


async def test_since_replays_missed_events_then_goes_live(bus: EventBus) -> None:
    project = uuid.uuid4()
    for _ in range(4):
        await bus.publish(_event(project))
    async with bus.subscribe(project, since=2) as stream:
        await bus.publish(_event(project))
        assert [(await _next(stream)).seq for _ in range(3)] == [3, 4, 5]


async def test_since_older_than_the_buffer_sends_one_resync_required(bus: EventBus) -> None:
    project = uuid.uuid4()
    for _ in range(8):  # the buffer keeps 5
        await bus.publish(_event(project))
    async with bus.subscribe(project, since=1) as stream:
        first = await _next(stream)
        assert (first.type, first.seq, first.payload["latestSeq"]) == ("resync_required", 8, 8)
        await bus.publish(_event(project))
        assert (await _next(stream)).seq == 9


async def test_a_slow_consumer_is_dropped_with_bounded_memory(bus: EventBus) -> None:
    project = uuid.uuid4()
    async with bus.subscribe(project) as slow, bus.subscribe(project) as fast:
        for _ in range(15):  # the queue holds 10
            await bus.publish(_event(project))
            await _next(fast)
        await asyncio.sleep(0.05)
        assert slow.overflowed is True
        assert slow.qsize() == 1  # only the close marker is kept
        with pytest.raises(SlowConsumer, match="more than 10 events behind"):
            await _next(slow)


async def test_subscriptions_continue_after_redis_restarts() -> None:
    redis = RedisProcess()
    redis.start()
    bus = EventBus(_settings(redis.url))
    bus.backend._max_backoff = 0.2  # type: ignore[union-attr]
    await bus.connect()
    project = uuid.uuid4()
    try:
        async with bus.subscribe(project) as stream:
            await bus.publish(_event(project))
            assert (await _next(stream)).seq == 1
            redis.stop()
            await asyncio.sleep(0.3)
            redis.start()
            for _ in range(100):
                if bus.backend.reconnects:  # type: ignore[union-attr]
                    break
                await asyncio.sleep(0.05)
            # The restarted server lost the counter: the subscriber is told to resync and
            # then follows the new numbering.
            resync = await _next(stream)
            assert (resync.type, resync.seq) == ("resync_required", 0)
            await bus.publish(_event(project, EventType.TASK_CREATED))
            after = await _next(stream)
            assert (after.type, after.seq) == ("task_created", 1)
    finally:
        await bus.disconnect()
        redis.stop()
