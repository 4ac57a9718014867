"""The sprint-close job run by `trueppm worker` (RQ): carry a closed sprint's unfinished tasks
over, then publish the sprint events. Safe to run twice for one request (the second run finds
it done). It builds its own database engine inside the work process."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from app.settings import Settings
from app.sprints.closing import CloseOutcome, process_close
from app.state import AppState


async def _run(settings: Settings, request_id: uuid.UUID) -> CloseOutcome:
    if settings.database_url is None:
        raise RuntimeError("the worker needs DATABASE_URL (the embedded database is in-process)")
    state = AppState(settings=settings, database_url=settings.database_url)
    try:
        await state.events.connect()
        return await process_close(state.sessions, request_id, state.events)
    finally:
        await state.close()


def close_sprint(request_id: str) -> dict[str, Any]:
    """Process one `SprintCloseRequest`; returns a small JSON-able summary."""
    outcome = asyncio.run(_run(Settings.from_env(), uuid.UUID(request_id)))
    return {
        "state": outcome.state,
        "sprint_id": str(outcome.sprint_id) if outcome.sprint_id else None,
        "target_sprint_id": str(outcome.target_sprint_id) if outcome.target_sprint_id else None,
        "moved": [str(t) for t in outcome.moved],
    }
