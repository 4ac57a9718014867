"""The beat: schedules, firing each slot once, leadership in Valkey, the heartbeat endpoint."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import redis
from rq import Queue

from app.asgi import create_app
from app.beat.heartbeat import Heartbeat, MemoryHeartbeat, ValkeyHeartbeat
from app.beat.http import STATE_KEY
from app.beat.loop import QUEUE, Beat, LocalBeatBackend, ValkeyBeatBackend, periodic_job_id
from app.beat.registry import REGISTRY, Daily, Every, PeriodicJob
from app.settings import Settings
from app.state import AppState

UTC = dt.UTC
CALLS: list[str] = []


async def record_call(state: AppState) -> dict[str, Any]:
    CALLS.append("called")
    return {"ok": True}


JOB = PeriodicJob("test.record", f"{__name__}:record_call", Daily(0, 30))


def test_daily_and_every_slots() -> None:
    daily = Daily(0, 30)
    assert daily.last_slot(dt.datetime(2026, 3, 2, 0, 30, tzinfo=UTC)) == dt.datetime(
        2026, 3, 2, 0, 30, tzinfo=UTC
    )
    assert daily.last_slot(dt.datetime(2026, 3, 2, 0, 29, tzinfo=UTC)) == dt.datetime(
        2026, 3, 1, 0, 30, tzinfo=UTC
    )
    every = Every(600)
    assert every.last_slot(dt.datetime(2026, 3, 2, 10, 17, 5, tzinfo=UTC)) == dt.datetime(
        2026, 3, 2, 10, 10, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="invalid time of day"):
        Daily(24)


def test_the_nightly_floor_is_registered_at_00_30() -> None:
    job = REGISTRY["scheduling.capture_daily_forecast_floor"]
    assert job.schedule == Daily(0, 30)
    assert job.resolve().__name__ == "capture_daily_floor"


async def test_each_slot_fires_once_and_a_missed_slot_once(db: AppState) -> None:
    CALLS.clear()
    backend = LocalBeatBackend(db)
    heartbeat = MemoryHeartbeat()
    beat = Beat(backend, heartbeat, interval=1, jobs=[JOB])
    day1 = dt.datetime(2026, 3, 2, 0, 31, tzinfo=UTC)
    assert await beat.tick(day1) == ["test.record"]
    assert await beat.tick(day1 + dt.timedelta(minutes=5)) == []
    # Two days without a beat: the latest slot fires once, not once per missed day.
    assert await beat.tick(day1 + dt.timedelta(days=2)) == ["test.record"]
    await backend.wait_idle()
    assert CALLS == ["called", "called"]
    beat_now = await heartbeat.read()
    assert beat_now is not None
    assert beat_now.at == day1 + dt.timedelta(days=2)


async def test_only_one_valkey_beat_acts(redis_url: str) -> None:
    now = dt.datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    one, two = (ValkeyBeatBackend(redis_url, lock_ttl=30) for _ in range(2))
    heartbeat = ValkeyHeartbeat(redis_url)
    first = Beat(one, heartbeat, interval=1, jobs=[JOB])
    second = Beat(two, heartbeat, interval=1, jobs=[JOB])
    try:
        assert await first.tick(now) == ["test.record"]
        assert await second.tick(now + dt.timedelta(seconds=5)) == []  # standby
        stored = await heartbeat.read()
        assert stored is not None
        assert stored.at == now
        await first.stop()  # resigns: the standby takes over at once
        assert await second.tick(now + dt.timedelta(days=1)) == ["test.record"]
        connection = redis.Redis.from_url(redis_url)
        queued = Queue(QUEUE, connection=connection).get_job_ids()
        assert queued == [
            periodic_job_id("test.record", dt.datetime(2026, 3, 2, 0, 30, tzinfo=UTC)),
            periodic_job_id("test.record", dt.datetime(2026, 3, 3, 0, 30, tzinfo=UTC)),
        ]
        connection.close()
    finally:
        await second.stop()
        await heartbeat.close()
        await one.close()
        await two.close()


@pytest.fixture
async def health(db: AppState, settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    app = create_app(settings, db.database_url, state=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http, getattr(app.state, STATE_KEY)


async def test_heartbeat_endpoint_missing_fresh_and_stale(
    health: tuple[httpx.AsyncClient, MemoryHeartbeat], settings: Settings
) -> None:
    http, store = health
    missing = await http.get("/api/v1/health/beat/")
    assert missing.status_code == 503
    assert missing.json() == {
        "status": "missing",
        "last_beat_at": None,
        "age_seconds": None,
        "max_age_seconds": settings.beat_max_age,
        "instance": None,
        "retention_purge": {"state": "unknown"},  # no purge has run in this database
    }
    assert missing.headers["cache-control"] == "no-store"
    now = dt.datetime.now(UTC)
    await store.write(Heartbeat(at=now - dt.timedelta(seconds=3), instance="host:1"))
    fresh = await http.get("/api/v1/health/beat/")
    assert fresh.status_code == 200
    body = fresh.json()
    assert body["status"] == "ok"
    assert body["instance"] == "host:1"
    assert 3 <= body["age_seconds"] < 60
    old = now - dt.timedelta(seconds=settings.beat_max_age + 30)
    await store.write(Heartbeat(at=old, instance="host:1"))
    stale = await http.get("/api/v1/health/beat/")
    assert stale.status_code == 503
    assert stale.json()["status"] == "stale"
    assert stale.json()["last_beat_at"] == old.isoformat()


async def test_heartbeat_endpoint_reads_valkey(
    db: AppState,
    settings: Settings,
    redis_url: str,
) -> None:
    from dataclasses import replace

    valkey_settings = replace(settings, valkey_url=redis_url)
    app = create_app(valkey_settings, db.database_url, state=db)
    writer = ValkeyHeartbeat(redis_url)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            assert (await http.get("/api/v1/health/beat/")).status_code == 503
            await writer.write(Heartbeat(at=dt.datetime.now(UTC), instance="beat-pod"))
            response = await http.get("/api/v1/health/beat/")
            assert response.status_code == 200
            assert response.json()["instance"] == "beat-pod"
    finally:
        await writer.close()
        await getattr(app.state, STATE_KEY).close()


async def test_openapi_describes_the_beat_endpoint(
    health: tuple[httpx.AsyncClient, MemoryHeartbeat],
) -> None:
    from app.rest.openapi import build_document

    document = build_document()
    route = document["paths"]["/api/v1/health/beat/"]["get"]
    assert set(route["responses"]) == {"200", "503"}
    schema = document["components"]["schemas"]["BeatHealth"]
    body = (await health[0].get("/api/v1/health/beat/")).json()
    assert set(schema["required"]) == set(body)
    assert body["status"] in schema["properties"]["status"]["enum"]
