"""The OpenAPI 3.1 document of every REST route, and a self-contained page rendering it.

Record schemas are generated from the sync registry (column types from the models), so a
table added to sync appears in the contract without editing this file. The page at
`/api/docs/` is rendered on the server from the same document: no scripts, no CDN.
"""

from __future__ import annotations

import datetime as dt
import decimal
import html
import json
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from app.rest import openapi_forecasts, openapi_interchange, openapi_sso
from app.rest.openapi_common import (
    PROJECT_ID,
    PROJECT_NOT_FOUND,
    UNAUTHENTICATED,
    json_response,
    problem_response,
    query_param,
)
from app.rest.problems import KINDS, TYPE_BASE
from app.sync.pull import SCHEMA_VERSION
from app.sync.registry import SyncedTable, synced_tables
from app.sync.values import python_type

_JSON_TYPES: dict[type, dict[str, Any]] = {
    uuid.UUID: {"type": "string", "format": "uuid"},
    dt.date: {"type": "string", "format": "date"},
    dt.datetime: {"type": "string", "format": "date-time"},
    bool: {"type": "boolean"},
    int: {"type": "integer"},
    float: {"type": "number"},
    decimal.Decimal: {"type": "number"},
    str: {"type": "string"},
}
_VIRTUAL: dict[str, dict[str, Any]] = {
    "parent_id": {"type": ["string", "null"], "format": "uuid"},
    "exceptions": {"type": "array", "items": {"$ref": "#/components/schemas/CalendarException"}},
}


def _column_schema(entry: SyncedTable, name: str) -> dict[str, Any]:
    if name in _VIRTUAL:
        schema = dict(_VIRTUAL[name])
    else:
        column = entry.table.c[name]
        schema = dict(_JSON_TYPES.get(python_type(column), {}))
        if column.nullable and "type" in schema:
            schema["type"] = [schema["type"], "null"]
    if name in entry.computed:
        schema["readOnly"] = True
        schema["description"] = "Computed by the server; ignored when pushed."
    elif name in entry.create_only:
        schema["description"] = "Set on create; cannot change afterwards."
    if name in entry.notes:
        schema["description"] = " ".join(
            filter(None, [schema.get("description"), entry.notes[name]])
        )
    return schema


def record_schema(entry: SyncedTable) -> dict[str, Any]:
    properties: dict[str, Any] = {"id": {"type": "string", "format": "uuid"}}
    properties.update({name: _column_schema(entry, name) for name in entry.columns})
    properties["server_version"] = {"type": "integer", "readOnly": True}
    return {
        "type": "object",
        "required": ["id", *entry.columns, "server_version"],
        "properties": properties,
    }


def _push_record_schema(entry: SyncedTable) -> dict[str, Any]:
    schema = record_schema(entry)
    return {
        "type": "object",
        "required": ["id"],
        "properties": schema["properties"],
        "description": "Unknown columns are rejected (400); `_status`/`_changed` are ignored.",
    }


def _table_changes(ref: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["created", "updated", "deleted"],
        "properties": {
            "created": {"type": "array", "items": {"$ref": ref}},
            "updated": {"type": "array", "items": {"$ref": ref}},
            "deleted": {"type": "array", "items": {"type": "string", "format": "uuid"}},
        },
    }


def _components() -> dict[str, Any]:
    tables = synced_tables()
    schemas: dict[str, Any] = {
        "Problem": {
            "type": "object",
            "description": "RFC 9457 problem details; `type` identifies the failure.",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": {"type": "string", "enum": [TYPE_BASE + k for k in KINDS]},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
            },
        },
        "CalendarException": {
            "type": "object",
            "required": ["start_date", "end_date"],
            "properties": {
                "name": {"type": "string"},
                "start_date": {"type": "string", "format": "date"},
                "end_date": {"type": "string", "format": "date"},
                "is_working": {"type": "boolean"},
            },
        },
        "Conflict": {
            "type": "object",
            "required": ["table", "id", "reason"],
            "properties": {
                "table": {"type": "string"},
                "id": {"type": "string", "format": "uuid"},
                "reason": {"type": "string", "enum": ["changed", "deleted", "missing", "exists"]},
            },
        },
        "BeatHealth": {
            "type": "object",
            "required": [
                "status",
                "last_beat_at",
                "age_seconds",
                "max_age_seconds",
                "instance",
                "retention_purge",
            ],
            "properties": {
                "status": {"type": "string", "enum": ["ok", "stale", "missing", "unavailable"]},
                "last_beat_at": {"type": ["string", "null"], "format": "date-time"},
                "age_seconds": {"type": ["number", "null"]},
                "max_age_seconds": {"type": "number"},
                "instance": {"type": ["string", "null"]},
                "retention_purge": {"$ref": "#/components/schemas/RetentionPurgeState"},
            },
        },
        "RetentionPurgeState": {
            "type": "object",
            "description": "The latest real retention purge run; informational, it never "
            "changes the status code.",
            "required": ["state"],
            "properties": {
                "state": {
                    "type": "string",
                    "enum": ["ok", "partial", "failed", "running", "unknown", "unavailable"],
                },
                "started_at": {"type": "string", "format": "date-time"},
                "finished_at": {"type": ["string", "null"], "format": "date-time"},
                "duration_ms": {"type": ["integer", "null"]},
                "deleted": {"type": "integer"},
                "failed_tables": {"type": "array", "items": {"type": "string"}},
            },
        },
        "Health": {
            "type": "object",
            "required": ["status"],
            "properties": {"status": {"type": "string"}, "database": {"type": "string"}},
        },
        "Home": {
            "type": "object",
            "required": ["name", "version", "links"],
            "properties": {
                "name": {"type": "string", "const": "TruePPM"},
                "version": {"type": "string"},
                "links": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
    }
    schemas.update(openapi_forecasts.schemas())
    schemas.update(openapi_interchange.schemas())
    schemas.update(openapi_sso.schemas())
    pull_tables, push_tables = {}, {}
    for entry in tables:
        title = entry.name.title().replace("_", "")
        schemas[f"{title}Record"] = record_schema(entry)
        schemas[f"{title}PushRecord"] = _push_record_schema(entry)
        pull_tables[entry.name] = _table_changes(f"#/components/schemas/{title}Record")
        push_tables[entry.name] = _table_changes(f"#/components/schemas/{title}PushRecord")
        push_tables[entry.name]["required"] = []
    schemas["PullResponse"] = {
        "type": "object",
        "required": ["changes", "timestamp", "has_more", "next_cursor", "schema_version"],
        "properties": {
            "changes": {
                "type": "object",
                "properties": pull_tables,
                "required": [t.name for t in tables if t.since_schema == 1],
            },
            "timestamp": {
                "type": "integer",
                "minimum": 0,
                "description": "Opaque monotonic cursor: send it as last_pulled_at next time "
                "(store it only after the last page).",
            },
            "has_more": {"type": "boolean"},
            "next_cursor": {"type": ["string", "null"]},
            "schema_version": {"type": "integer"},
        },
    }
    schemas["PushRequest"] = {
        "type": "object",
        "required": ["changes"],
        "properties": {
            "changes": {"type": "object", "properties": push_tables},
            "lastPulledAt": {"type": ["integer", "null"], "minimum": 0},
            "client_batch_id": {"type": "string", "minLength": 1, "maxLength": 100},
        },
    }
    counts = {
        "type": "object",
        "properties": {k: {"type": "integer"} for k in ("created", "updated", "deleted")},
    }
    schemas["PushResponse"] = {
        "type": "object",
        "required": ["ok", "client_batch_id", "applied"],
        "properties": {
            "ok": {"type": "boolean"},
            "client_batch_id": {"type": ["string", "null"]},
            "applied": {"type": "object", "additionalProperties": counts},
        },
    }
    return {
        "schemas": schemas,
        "securitySchemes": {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT or tppm_ API token",
                "description": "Either a short-lived access token (JWT) from the `login` GraphQL "
                "mutation, or a personal API token `tppm_<prefix>_<secret>` from "
                "`createApiToken`. An API token acts as its owner, limited to its project or "
                "program (others answer 404) and, when read-only, unable to push (403).",
            }
        },
    }


def _sync_paths() -> dict[str, Any]:
    schema_version = {
        "name": "schema_version",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": SCHEMA_VERSION},
        "description": "The client's local schema version (tables newer than it are left out).",
    }

    pull = {
        "summary": "Pull the project's changes since a cursor (WatermelonDB pullChanges)",
        "operationId": "syncPull",
        "tags": ["sync"],
        "security": [{"bearer": []}],
        "parameters": [
            PROJECT_ID,
            query_param(
                "last_pulled_at",
                {"type": ["integer", "null"], "minimum": 0},
                "`timestamp` of the last complete pull; null or 0 for a full sync.",
            ),
            schema_version,
            query_param(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": 10000},
                "Records per page.",
            ),
            query_param("cursor", {"type": "string"}, "`next_cursor` of the previous page."),
        ],
        "responses": {
            "200": json_response(
                "One page of changes.", {"$ref": "#/components/schemas/PullResponse"}
            ),
            "400": problem_response("A malformed parameter or cursor."),
            "401": UNAUTHENTICATED,
            "404": PROJECT_NOT_FOUND,
            "410": problem_response(
                "The cursor predates purged tombstones (or is ahead of the server): "
                "pull again without last_pulled_at and replace the local copy.",
                {"floor": {"type": "integer"}},
            ),
        },
    }
    push = {
        "summary": "Push local changes in one transaction (WatermelonDB pushChanges)",
        "operationId": "syncPush",
        "tags": ["sync"],
        "security": [{"bearer": []}],
        "parameters": [PROJECT_ID, schema_version],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/PushRequest"}}
            },
        },
        "responses": {
            "200": json_response(
                "Applied (or the stored response of an already applied client_batch_id, "
                "with `Idempotent-Replayed: true`).",
                {"$ref": "#/components/schemas/PushResponse"},
            ),
            "400": problem_response(
                "Malformed body, unknown tables or columns (named in the body).",
                {
                    "unknown_tables": {"type": "array", "items": {"type": "string"}},
                    "unknown_columns": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    },
                },
            ),
            "401": UNAUTHENTICATED,
            "403": problem_response(
                "The caller's role may not make one of these changes (viewers never), or the "
                "API token is read-only."
            ),
            "404": PROJECT_NOT_FOUND,
            "409": problem_response(
                "Records changed on the server after lastPulledAt (nothing was applied), "
                "or the same client_batch_id is being applied concurrently.",
                {
                    "conflicts": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Conflict"},
                    }
                },
            ),
            "410": problem_response(
                "lastPulledAt is ahead of the server (restored database or another server): "
                "pull from scratch, then push.",
                {"floor": {"type": "integer"}},
            ),
            "415": problem_response("The body is not application/json."),
            "422": problem_response(
                "A record failed validation (nothing was applied); `table` and `id` name it.",
                {
                    "table": {"type": "string"},
                    "id": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object"}},
                },
            ),
        },
    }
    return {"/api/v1/projects/{project_id}/sync/": {"get": pull, "post": push}}


def _meta_paths() -> dict[str, Any]:
    health = {"$ref": "#/components/schemas/Health"}
    beat = {"$ref": "#/components/schemas/BeatHealth"}
    home = json_response(
        "Links to GraphQL, GraphiQL, these docs, the probes, and the version (a small HTML "
        "page instead when the Accept header names text/html).",
        {"$ref": "#/components/schemas/Home"},
    )
    home["content"]["text/html"] = {"schema": {"type": "string"}}
    return {
        "/": {
            "get": {
                "summary": "Where everything is",
                "operationId": "home",
                "tags": ["health"],
                "responses": {"200": home},
            }
        },
        "/healthz": {
            "get": {
                "summary": "Liveness: the process answers",
                "operationId": "healthz",
                "tags": ["health"],
                "responses": {"200": json_response("Alive.", health)},
            }
        },
        "/readyz": {
            "get": {
                "summary": "Readiness: the database answers",
                "operationId": "readyz",
                "tags": ["health"],
                "responses": {
                    "200": json_response("Ready.", health),
                    "503": json_response("The database is unreachable.", health),
                },
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics (docs/operations.md, Metrics)",
                "description": "With TRUEPPM_METRICS_TOKEN set, send it as a Bearer token; "
                "unset, only clients on the server's machine are answered.",
                "operationId": "metrics",
                "tags": ["health"],
                "responses": {
                    "200": {
                        "description": "The Prometheus text exposition format.",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                    "401": {"description": "A metrics token is configured: missing or wrong."},
                    "404": {"description": "No metrics token configured and not a local client."},
                },
            }
        },
        "/api/v1/health/beat/": {
            "get": {
                "summary": "Is a beat (periodic-job scheduler) alive? For monitors and probes",
                "operationId": "beatHealth",
                "tags": ["health"],
                "responses": {
                    "200": json_response("The last heartbeat is recent.", beat),
                    "503": json_response("The heartbeat is stale, missing or unreadable.", beat),
                },
            }
        },
        "/api/schema/": {
            "get": {
                "summary": "This OpenAPI document",
                "operationId": "openapiSchema",
                "tags": ["meta"],
                "responses": {"200": json_response("OpenAPI 3.1 document.", {"type": "object"})},
            }
        },
        "/api/docs/": {
            "get": {
                "summary": "Human-readable API reference rendered from this document",
                "operationId": "apiDocs",
                "tags": ["meta"],
                "responses": {
                    "200": {
                        "description": "HTML page.",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
    }


def build_document(mounted: set[str] | None = None) -> dict[str, Any]:
    """The document; with `mounted`, only the documented paths the app really serves (a
    route that exists only with an optional component is described when it is there)."""
    paths = {
        **_sync_paths(),
        **openapi_forecasts.paths(),
        **openapi_interchange.paths(),
        **openapi_sso.paths(),
        **_meta_paths(),
    }
    if mounted is not None:
        paths = {path: spec for path, spec in paths.items() if path in mounted}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "TruePPM REST API",
            "version": "1.0.0",
            "description": "Offline sync (WatermelonDB protocol), forecast snapshot history, "
            "single sign-on, "
            "plan import and export (MSPDI), and operational endpoints. "
            "The rest of the API is GraphQL at /graphql. Errors are RFC 9457 problem+json.",
        },
        "paths": paths,
        "components": _components(),
    }


def _mounted(request: Request) -> set[str]:
    return {route.path for route in request.app.routes if isinstance(route, Route)}


async def schema_endpoint(request: Request) -> Response:
    return JSONResponse(build_document(_mounted(request)))


async def docs_endpoint(request: Request) -> Response:
    return HTMLResponse(render_html(build_document(_mounted(request))))


def render_html(document: dict[str, Any]) -> str:
    """A plain page: each operation with its parameters, body and responses; schemas below."""
    esc = html.escape
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{esc(document['info']['title'])}</title>",
        "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem}code,pre{background:#f4f4f4;padding:.1rem .3rem}pre{padding:.6rem;"
        "overflow:auto}h3{border-top:1px solid #ddd;padding-top:1rem}.m{font-weight:700;"
        "text-transform:uppercase}</style></head><body>",
        f"<h1>{esc(document['info']['title'])}</h1><p>{esc(document['info']['description'])}</p>",
        '<p>Machine-readable: <a href="/api/schema/">/api/schema/</a> (OpenAPI 3.1).</p>',
    ]
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            parts.append(
                f"<h3 id={esc(op['operationId'])}><span class=m>{esc(method)}</span> "
                f"<code>{esc(path)}</code></h3><p>{esc(op['summary'])}</p>"
            )
            if op.get("parameters"):
                parts.append("<p>Parameters:</p><ul>")
                for p in op["parameters"]:
                    text = esc(p.get("description", ""))
                    parts.append(f"<li><code>{esc(p['name'])}</code> ({esc(p['in'])}) {text}</li>")
                parts.append("</ul>")
            if op.get("requestBody"):
                body = json.dumps(op["requestBody"]["content"], indent=1)
                parts.append(f"<p>Body:</p><pre>{esc(body)}</pre>")
            parts.append("<p>Responses:</p><ul>")
            for status, response in op["responses"].items():
                parts.append(f"<li><b>{esc(status)}</b> {esc(response['description'])}</li>")
            parts.append("</ul>")
    parts.append("<h2>Schemas</h2>")
    for name, schema in document["components"]["schemas"].items():
        parts.append(f"<h3 id=schema-{esc(name)}>{esc(name)}</h3>")
        parts.append(f"<pre>{esc(json.dumps(schema, indent=1))}</pre>")
    parts.append("</body></html>")
    return "".join(parts)
