"""The OpenAPI description of the forecast-snapshot history route (`app.rest.forecasts`)."""

from __future__ import annotations

from typing import Any

from app.rest.forecasts import MAX_LIMIT
from app.rest.openapi_common import (
    PROJECT_ID,
    PROJECT_NOT_FOUND,
    UNAUTHENTICATED,
    json_response,
    problem_response,
    query_param,
)

PATH = "/api/v1/projects/{project_id}/forecast-snapshots/"

_DATE = {"type": "string", "format": "date"}
_NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}


def schemas() -> dict[str, Any]:
    """`ForecastSnapshot` and the page that carries a list of them."""
    count = {"type": "integer", "minimum": 0}
    snapshot = {
        "type": "object",
        "description": "The project's forecast at one moment: after a recompute or the "
        "nightly floor.",
        "required": [
            "id",
            "captured_at",
            "kind",
            "cpm_finish",
            "total_float",
            "forecast_run_id",
            "p50",
            "p80",
            "p95",
            "task_count",
            "completed_count",
            "critical_count",
        ],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "captured_at": {"type": "string", "format": "date-time"},
            "kind": {"type": "string", "enum": ["recompute", "floor"]},
            "cpm_finish": {**_NULLABLE_DATE, "description": "Latest early finish (CPM)."},
            "total_float": {
                "type": ["integer", "null"],
                "description": "Smallest total float of the non-summary tasks, in working "
                "days; negative when a deadline or constraint is missed.",
            },
            "forecast_run_id": {
                "type": ["string", "null"],
                "format": "uuid",
                "description": "The latest finished Monte Carlo run the percentiles come from.",
            },
            "p50": _NULLABLE_DATE,
            "p80": _NULLABLE_DATE,
            "p95": _NULLABLE_DATE,
            "task_count": count,
            "completed_count": count,
            "critical_count": count,
        },
    }
    page = {
        "type": "object",
        "required": ["project_id", "snapshots", "has_more", "next_cursor"],
        "properties": {
            "project_id": {"type": "string", "format": "uuid"},
            "snapshots": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/ForecastSnapshot"},
            },
            "has_more": {"type": "boolean"},
            "next_cursor": {
                "type": ["string", "null"],
                "description": "Send as `cursor` for the next page; null on the last page.",
            },
        },
    }
    return {"ForecastSnapshot": snapshot, "ForecastSnapshotPage": page}


def paths() -> dict[str, Any]:
    operation = {
        "summary": "The project's forecast snapshots (finish-date drift history), oldest first",
        "operationId": "listForecastSnapshots",
        "tags": ["forecasts"],
        "security": [{"bearer": []}],
        "parameters": [
            PROJECT_ID,
            query_param("since", _DATE, "First UTC day to include (inclusive)."),
            query_param("until", _DATE, "Last UTC day to include (inclusive)."),
            query_param(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                "Snapshots per page (default 100).",
            ),
            query_param("cursor", {"type": "string"}, "`next_cursor` of the previous page."),
        ],
        "responses": {
            "200": json_response(
                "One page of snapshots.", {"$ref": "#/components/schemas/ForecastSnapshotPage"}
            ),
            "400": problem_response(
                "A malformed date, limit or cursor, or `since` after `until`; `parameter` "
                "names it.",
                {"parameter": {"type": "string"}},
            ),
            "401": UNAUTHENTICATED,
            "404": PROJECT_NOT_FOUND,
        },
    }
    return {PATH: {"get": operation}}
