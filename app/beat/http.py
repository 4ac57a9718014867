"""`GET /api/v1/health/beat/`: is a beat alive? For monitors (Prometheus blackbox, a
Kubernetes probe): 200 when the last heartbeat is at most `TRUEPPM_BEAT_MAX_AGE_SECONDS` old,
503 when it is older (`stale`), absent (`missing`) or unreadable (`unavailable`).

The body also reports the latest retention purge run (`retention_purge`: its state `ok`,
`partial`, `failed` or `running`, `unknown` before the first run, `unavailable` when the
database does not answer within two seconds). It is information for the System health view
and alerts; it never changes the status code, which answers only "is a beat alive"."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from app.beat.heartbeat import HeartbeatStore
from app.retention.log import latest_state

log = logging.getLogger(__name__)

STATE_KEY = "beat_heartbeat"
PURGE_READ_TIMEOUT = 2.0  # seconds; a probe must not hang on a slow database


async def _purge_state(request: Request) -> dict[str, Any]:
    try:
        return await asyncio.wait_for(
            latest_state(request.app.state.trueppm.sessions), PURGE_READ_TIMEOUT
        )
    except Exception:  # the database is down or slow: say so, the beat may still be fine
        log.warning("could not read the retention purge log", exc_info=True)
        return {"state": "unavailable"}


def _response(body: dict[str, Any], healthy: bool) -> JSONResponse:
    return JSONResponse(
        body, status_code=200 if healthy else 503, headers={"Cache-Control": "no-store"}
    )


async def beat_health(request: Request) -> JSONResponse:
    store: HeartbeatStore = getattr(request.app.state, STATE_KEY)
    max_age = request.app.state.trueppm.settings.beat_max_age
    body: dict[str, Any] = {
        "status": "missing",
        "last_beat_at": None,
        "age_seconds": None,
        "max_age_seconds": max_age,
        "instance": None,
        "retention_purge": await _purge_state(request),
    }
    try:
        beat = await store.read()
    except Exception:  # Valkey unreachable: we cannot vouch for the beat
        log.warning("could not read the beat heartbeat", exc_info=True)
        return _response({**body, "status": "unavailable"}, False)
    if beat is None:
        return _response(body, False)
    age = max(0.0, (dt.datetime.now(dt.UTC) - beat.at).total_seconds())
    healthy = age <= max_age
    body.update(
        status="ok" if healthy else "stale",
        last_beat_at=beat.at.isoformat(),
        age_seconds=round(age, 3),
        instance=beat.instance,
    )
    return _response(body, healthy)
