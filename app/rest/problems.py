"""RFC 9457 problem details: the one error shape of the REST API.

Handlers raise `Problem` (or let an `AppError` escape); `problem_response` renders either as
`application/problem+json` with `type`, `title`, `status`, `detail` and, where useful, extension
members (`errors`, `conflicts`, `unknown`, `table`, `id`...). `type` is a stable URI per kind
of failure, documented in docs/api.md, so clients branch on it rather than on the text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse

from app.errors import (
    AppError,
    AuthenticationError,
    ConflictError,
    CycleError,
    ForbiddenError,
    NotFoundError,
    ValidationFailed,
)

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://trueppm.dev/problems/"

# kind -> (status, title)
KINDS: dict[str, tuple[int, str]] = {
    "bad-request": (400, "Bad request"),
    "unauthenticated": (401, "Authentication required"),
    "forbidden": (403, "Forbidden"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "conflict": (409, "Conflict"),
    "sync-conflict": (409, "Records changed on the server since lastPulledAt"),
    "batch-in-progress": (409, "This batch is being applied by another request"),
    "resync-required": (410, "Full resync required"),
    "payload-too-large": (413, "Payload too large"),
    "too-many-requests": (429, "Too many requests"),
    "unsupported-media-type": (415, "Unsupported media type"),
    "unsupported-format": (415, "Unsupported plan format"),
    "project-not-empty": (409, "The project already has tasks"),
    "validation": (422, "Invalid input"),
    "dependency-cycle": (422, "Dependency cycle"),
    "sso-refused": (403, "Single sign-on refused"),
    "internal": (500, "Internal server error"),
    "bad-gateway": (502, "The identity provider failed"),
}


class Problem(Exception):
    """An expected REST failure; `extra` becomes extension members of the body."""

    def __init__(self, kind: str, detail: str, **extra: Any) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown problem kind {kind!r}")
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.extra = extra

    @property
    def status(self) -> int:
        return KINDS[self.kind][0]


def problem_body(kind: str, detail: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    status, title = KINDS[kind]
    body: dict[str, Any] = {
        "type": TYPE_BASE + kind,
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update(extra or {})
    return body


def from_app_error(error: AppError) -> Problem:
    """The problem an expected service error maps to (the same meanings as GraphQL's)."""
    if isinstance(error, ValidationFailed):
        errors = [{"path": list(p.path), "message": p.message} for p in error.problems]
        return Problem("validation", error.message, errors=errors)
    if isinstance(error, CycleError):
        return Problem("dependency-cycle", error.message, cycle=list(error.task_ids))
    if isinstance(error, ConflictError):
        extra = {} if error.current_version is None else {"current_version": error.current_version}
        return Problem("conflict", error.message, **extra)
    if isinstance(error, NotFoundError):
        return Problem("not-found", error.message)
    if isinstance(error, ForbiddenError):
        return Problem("forbidden", error.message)
    if isinstance(error, AuthenticationError):
        return Problem("unauthenticated", error.message)
    return _import_problem(error) or Problem("bad-request", error.message)


def _import_problem(error: AppError) -> Problem | None:
    # Imported here: the interchange package loads the models, this module must not.
    from app.interchange.errors import FileTooLarge, ProjectNotEmpty, UnsupportedFormat

    if isinstance(error, FileTooLarge):
        return Problem("payload-too-large", error.message, limit=error.limit)
    if isinstance(error, UnsupportedFormat):
        return Problem("unsupported-format", error.message)
    if isinstance(error, ProjectNotEmpty):
        return Problem("project-not-empty", error.message)
    return None


def problem_response(problem: Problem) -> JSONResponse:
    headers = {}
    if problem.kind == "unauthenticated":
        headers["WWW-Authenticate"] = 'Bearer realm="trueppm"'
    if "retryAfter" in problem.extra:
        headers["Retry-After"] = str(problem.extra["retryAfter"])
    return JSONResponse(
        problem_body(problem.kind, problem.detail, problem.extra),
        status_code=problem.status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )
