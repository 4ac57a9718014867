"""The OpenAPI description of the plan-file routes (`app.rest.interchange`)."""

from __future__ import annotations

from typing import Any

from app.rest.openapi_common import (
    PROJECT_ID,
    PROJECT_NOT_FOUND,
    UNAUTHENTICATED,
    json_response,
    problem_response,
)

IMPORTS = "/api/v1/projects/{project_id}/imports"
IMPORT = "/api/v1/projects/{project_id}/imports/{import_id}"
EXPORT = "/api/v1/projects/{project_id}/export.xml"

_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
_COUNT = {"type": "integer", "minimum": 0}
_COUNTS = (
    "tasks", "summaries", "milestones", "dependencies", "calendars", "calendar_exceptions",
    "baselines", "baseline_tasks", "resources", "assignments",
)  # fmt: skip


def schemas() -> dict[str, Any]:
    """`PlanImport` and its `ImportReport`."""
    warning = {
        "type": "object",
        "required": ["subject", "ref", "message"],
        "properties": {
            "subject": {
                "type": "string",
                "enum": ["task", "link", "calendar", "project", "baseline"],
            },
            "ref": {"type": "string", "description": "The file's UID(s) or calendar name."},
            "message": {"type": "string"},
        },
    }
    report = {
        "type": "object",
        "description": "What the import created, skipped and approximated.",
        "required": ["counts", "skipped", "warnings", "reader", "project_name", "task_ids"],
        "properties": {
            "counts": {
                "type": "object",
                # Reports of imports made before resources were imported lack their counts.
                "required": [c for c in _COUNTS if c not in ("resources", "assignments")],
                "properties": {name: _COUNT for name in _COUNTS},
            },
            "skipped": {"type": "object", "additionalProperties": _COUNT},
            "warnings": {"type": "array", "items": warning},
            "reader": {"type": "string", "enum": ["mspdi", "mpxj"]},
            "project_name": {"type": "string"},
            "task_ids": {
                "type": "object",
                "description": "The file's task UIDs to the ids of the tasks they became.",
                "additionalProperties": {"type": "string", "format": "uuid"},
            },
        },
    }
    plan_import = {
        "type": "object",
        "required": [
            "id", "project_id", "file_name", "file_format", "file_size", "sha256", "state",
            "stage", "attempts", "created_at", "ended_at", "error", "report",
        ],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "project_id": {"type": "string", "format": "uuid"},
            "file_name": {"type": "string"},
            "file_format": {"type": "string", "enum": ["mspdi", "mpxj"]},
            "file_size": _COUNT,
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "state": {"type": "string", "enum": ["PENDING", "DISPATCHED", "DONE", "DEAD"]},
            "stage": {"type": "string", "enum": ["queued", "reading", "done", "failed"]},
            "attempts": _COUNT,
            "created_at": {"type": "string", "format": "date-time"},
            "ended_at": _NULLABLE_TIME,
            "error": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                    },
                ]
            },
            "report": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/ImportReport"}]},
            "duplicate": {
                "type": "boolean",
                "description": "On upload: these bytes were already imported into the project.",
            },
        },
    }  # fmt: skip
    return {"PlanImport": plan_import, "ImportReport": report}


_IMPORT_ID = {
    "name": "import_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "format": "uuid"},
}
_PLAN_IMPORT = {"$ref": "#/components/schemas/PlanImport"}


def paths() -> dict[str, Any]:
    upload = {
        "summary": "Import a plan file into an empty project (Project Manager and up)",
        "description": "Microsoft Project XML (MSPDI), or with the MPXJ extra any format MPXJ "
        "reads (.mpp, .mpx, Primavera XER and PMXML, Planner, GanttProject, ...). The import "
        "runs in the background; poll the `Location` or follow the IMPORT_* board events.",
        "operationId": "createImport",
        "tags": ["interchange"],
        "security": [{"bearer": []}],
        "parameters": [PROJECT_ID],
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            },
        },
        "responses": {
            "202": json_response("Accepted: the import is queued.", _PLAN_IMPORT),
            "200": json_response(
                "These exact bytes were imported before: that import.", _PLAN_IMPORT
            ),
            "400": problem_response("No `file` part, or an unreadable multipart body."),
            "401": UNAUTHENTICATED,
            "403": problem_response("Below Project Manager, or a read-only API token."),
            "404": PROJECT_NOT_FOUND,
            "409": problem_response("The project already has tasks (`project-not-empty`)."),
            "413": problem_response(
                "The file exceeds TRUEPPM_IMPORT_MAX_BYTES; `limit` gives it.",
                {"limit": {"type": "integer"}},
            ),
            "415": problem_response(
                "Not multipart/form-data, or a non-MSPDI file while MPXJ is not installed."
            ),
        },
    }
    status = {
        "summary": "One plan import, with its report once it is DONE",
        "operationId": "getImport",
        "tags": ["interchange"],
        "security": [{"bearer": []}],
        "parameters": [PROJECT_ID, _IMPORT_ID],
        "responses": {
            "200": json_response("The import.", _PLAN_IMPORT),
            "401": UNAUTHENTICATED,
            "404": problem_response("No such import in this project, or not visible."),
        },
    }
    export = {
        "summary": "The project as Microsoft Project XML (MSPDI), streamed",
        "operationId": "exportProjectXml",
        "tags": ["interchange"],
        "security": [{"bearer": []}],
        "parameters": [PROJECT_ID],
        "responses": {
            "200": {
                "description": "The MSPDI document (Content-Disposition names the file).",
                "content": {"application/xml": {"schema": {"type": "string"}}},
            },
            "401": UNAUTHENTICATED,
            "404": PROJECT_NOT_FOUND,
        },
    }
    return {IMPORTS: {"post": upload}, IMPORT: {"get": status}, EXPORT: {"get": export}}
