"""`GET /api/v1/projects/{project_id}/forecast-snapshots/`: the drift history of a project's
finish date, read-only (snapshots are server-generated; there is no write surface)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.auth.principal import acting_as
from app.errors import AppError
from app.forecasts.snapshot_pages import BadSnapshotQuery, SnapshotCursor, list_snapshots
from app.models import ProjectForecastSnapshot
from app.rest.endpoint import app_state, authenticate, int_param, path_uuid, rest_endpoint
from app.rest.problems import Problem, from_app_error

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def _date_param(request: Request, name: str) -> dt.date | None:
    raw = request.query_params.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise Problem(
            "bad-request", f"{name} must be a date (YYYY-MM-DD), got {raw!r}", parameter=name
        ) from None


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def snapshot_json(row: ProjectForecastSnapshot) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "captured_at": row.captured_at.isoformat(),
        "kind": row.kind,
        "cpm_finish": _iso(row.cpm_finish),
        "total_float": row.total_float,
        "forecast_run_id": str(row.forecast_run_id) if row.forecast_run_id else None,
        "p50": _iso(row.p50),
        "p80": _iso(row.p80),
        "p95": _iso(row.p95),
        "task_count": row.task_count,
        "completed_count": row.completed_count,
        "critical_count": row.critical_count,
    }


@rest_endpoint
async def list_forecast_snapshots(request: Request) -> Response:
    principal = await authenticate(request)
    project_id = path_uuid(request, "project_id")
    since = _date_param(request, "since")
    until = _date_param(request, "until")
    limit = int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    token = request.query_params.get("cursor", "").strip()
    try:
        cursor = SnapshotCursor.decode(token) if token else None
        with acting_as(principal):  # an API token's project or program limit applies
            async with app_state(request).sessions() as session:
                page = await list_snapshots(
                    session,
                    principal.user_id,
                    project_id,
                    since=since,
                    until=until,
                    limit=limit,
                    cursor=cursor,
                )
    except BadSnapshotQuery as error:
        raise Problem("bad-request", error.message, parameter=error.parameter) from None
    except AppError as error:
        raise from_app_error(error) from None
    return JSONResponse(
        {
            "project_id": str(project_id),
            "snapshots": [snapshot_json(row) for row in page.snapshots],
            "has_more": page.has_more,
            "next_cursor": page.next_cursor,
        }
    )
