"""The webhook job run by `trueppm worker` (RQ): send one endpoint's due deliveries, in order.

Safe to run twice at once for one endpoint (the second finds the lease taken and does
nothing); a worker killed mid-send leaves the lease to expire and the message to be sent again
with the same `webhook-id`. It builds its own database engine inside the work process.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from app.settings import Settings
from app.state import AppState
from app.webhooks.delivery import deliver_endpoint, http_client


async def _run(settings: Settings, endpoint_id: uuid.UUID) -> int:
    if settings.database_url is None:
        raise RuntimeError("the worker needs DATABASE_URL (the embedded database is in-process)")
    state = AppState(settings=settings, database_url=settings.database_url)
    try:
        async with http_client(settings) as client:
            return await deliver_endpoint(state.sessions, settings, endpoint_id, client)
    finally:
        await state.close()


def deliver(endpoint_id: str) -> dict[str, Any]:
    """Deliver what is due for one endpoint; returns how many messages went out."""
    delivered = asyncio.run(_run(Settings.from_env(), uuid.UUID(endpoint_id)))
    return {"delivered": delivered}
