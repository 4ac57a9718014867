"""The plan-import job run by `trueppm worker` (RQ): read an uploaded file and write the plan
in one transaction, then publish the outcome. Safe to run twice for one import (the second
run finds it ended). It builds its own database engine inside the work process."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from app.interchange.service import ImportOutcome, process_import
from app.settings import Settings
from app.state import AppState


async def _run(settings: Settings, import_id: uuid.UUID) -> ImportOutcome:
    if settings.database_url is None:
        raise RuntimeError("the worker needs DATABASE_URL (the embedded database is in-process)")
    state = AppState(settings=settings, database_url=settings.database_url)
    try:
        await state.events.connect()
        return await process_import(state.sessions, import_id, state.events)
    finally:
        await state.close()


def import_plan(import_id: str) -> dict[str, Any]:
    """Process one `ImportRequest`; returns a small JSON-able summary."""
    outcome = asyncio.run(_run(Settings.from_env(), uuid.UUID(import_id)))
    return {"state": outcome.state, "error": list(outcome.error) if outcome.error else None}
