"""The RQ job the beat enqueues for every periodic job (queue `trueppm-periodic`): it builds an
`AppState` in the work process and awaits the registered target (`app.beat.registry`)."""

from __future__ import annotations

import asyncio
from typing import Any

from app.beat.registry import REGISTRY
from app.settings import Settings
from app.state import AppState


async def _run(settings: Settings, name: str) -> Any:
    if settings.database_url is None:
        raise RuntimeError("the worker needs DATABASE_URL (the embedded database is in-process)")
    job = REGISTRY[name]
    state = AppState(settings=settings, database_url=settings.database_url)
    try:
        await state.events.connect()
        return await job.resolve()(state)
    finally:
        await state.close()


def run_periodic(name: str) -> Any:
    """Run the periodic job registered as `name`; unknown names fail the RQ job (KeyError)."""
    return asyncio.run(_run(Settings.from_env(), name))
