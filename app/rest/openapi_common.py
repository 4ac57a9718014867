"""Building blocks shared by the OpenAPI fragments of each REST route (`app.rest.openapi`
assembles them): response objects, problem bodies and common parameters."""

from __future__ import annotations

from typing import Any

from app.rest.problems import MEDIA_TYPE

__all__ = [
    "PROJECT_ID",
    "PROJECT_NOT_FOUND",
    "UNAUTHENTICATED",
    "json_response",
    "problem_response",
    "query_param",
]


def problem_response(description: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A problem+json response; `extra` declares its extension members."""
    schema: dict[str, Any] = {"$ref": "#/components/schemas/Problem"}
    if extra:
        schema = {"allOf": [schema, {"type": "object", "properties": extra}]}
    return {"description": description, "content": {MEDIA_TYPE: {"schema": schema}}}


def json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def query_param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description}


UNAUTHENTICATED = problem_response(
    "Missing, invalid or expired access token; an invalid, expired or revoked API token; "
    "or a disabled account."
)
PROJECT_NOT_FOUND = problem_response(
    "No such project, the caller is not a member of it, or the API token is limited to "
    "another project or program."
)
PROJECT_ID = {
    "name": "project_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "format": "uuid"},
}
