"""Event wire form, sequence numbers and replay planning."""

from __future__ import annotations

import datetime as dt
import uuid

from app.events import BoardEvent, ChangedTask, CpmCompletePayload, EventType
from app.events.store import MemoryEventStore


async def _sink(channel: str, message: str) -> None:
    """Nobody listens in these tests."""


def test_cpm_complete_round_trips_through_json_with_camel_case_keys() -> None:
    project, task = uuid.uuid4(), uuid.uuid4()
    payload = CpmCompletePayload(
        project_finish=dt.date(2026, 3, 2),
        critical_path=[task],
        changed_tasks=[
            ChangedTask(task, dt.date(2026, 1, 5), dt.date(2026, 1, 9), None, None, 0.0, 1.5)
        ],
        engine_ms=12.5,
    )
    event = BoardEvent.make(project, EventType.CPM_COMPLETE, payload, None).with_seq(7)
    back = BoardEvent.from_json(event.to_json())
    assert back == event
    assert back.payload == {
        "projectFinish": "2026-03-02",
        "criticalPath": [str(task)],
        "changedTasks": [
            {
                "taskId": str(task),
                "earlyStart": "2026-01-05",
                "earlyFinish": "2026-01-09",
                "lateStart": None,
                "lateFinish": None,
                "totalFloat": 0.0,
                "freeFloat": 1.5,
            }
        ],
        "engineMs": 12.5,
    }


async def test_sequence_is_per_project_and_replay_detects_gaps() -> None:
    store = MemoryEventStore(buffer_size=3, publish=_sink)
    a, b = uuid.uuid4(), uuid.uuid4()
    seqs = [
        (await store.append(BoardEvent.make(p, EventType.TASK_UPDATED, {}, None))).seq
        for p in (a, a, b, a, a, a)
    ]
    assert seqs == [1, 2, 1, 3, 4, 5]
    replay = await store.replay(a, 3)
    assert ([e.seq for e in replay.events], replay.latest_seq, replay.complete) == ([4, 5], 5, True)
    assert (await store.replay(a, 5)).events == []
    assert (await store.replay(a, 1)).complete is False  # 2 was evicted (buffer of 3)
    assert (await store.replay(a, 9)).complete is False  # ahead of the counter: data was lost
    assert (await store.replay(b, 0)).complete is True
