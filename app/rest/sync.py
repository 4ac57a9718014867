"""`GET`/`POST /api/v1/projects/{project_id}/sync/`: the WatermelonDB pull and push."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.auth.principal import acting_as
from app.errors import AppError
from app.models import SyncBatch
from app.rest.endpoint import (
    app_state,
    authenticate,
    int_param,
    json_object,
    path_uuid,
    rest_endpoint,
)
from app.rest.problems import Problem, from_app_error
from app.state import AppState, unit_of_work
from app.sync import pull as pulling
from app.sync.changes import BadChangeSet, TableChanges, parse_changes
from app.sync.push import (
    BatchInProgress,
    RecordFailed,
    StoredResponse,
    SyncConflict,
    apply_push,
    claim_batch,
    require_writer,
)

MAX_PAGE_SIZE = 10_000


def sync_problem(error: AppError) -> Problem:
    """Sync's own failures, then the shared mapping of service errors."""
    if isinstance(error, pulling.ResyncRequired):
        return Problem("resync-required", error.message, floor=error.floor)
    if isinstance(error, pulling.BadCursor | BadChangeSet):
        extra = getattr(error, "details", {})
        return Problem("bad-request", error.message, **extra)
    if isinstance(error, SyncConflict):
        return Problem(
            "sync-conflict", error.message, conflicts=[c.as_json() for c in error.conflicts]
        )
    if isinstance(error, BatchInProgress):
        return Problem("batch-in-progress", error.message)
    if isinstance(error, RecordFailed):
        inner = from_app_error(error.error)
        return Problem(
            inner.kind, error.message, table=error.table, id=str(error.row_id), **inner.extra
        )
    return from_app_error(error)


def _schema_version(request: Request) -> int:
    return int_param(request, "schema_version", pulling.SCHEMA_VERSION, 1, pulling.SCHEMA_VERSION)


@rest_endpoint
async def pull(request: Request) -> Response:
    principal = await authenticate(request)
    user_id = principal.user_id
    project_id = path_uuid(request, "project_id")
    state = app_state(request)
    size = int_param(request, "page_size", state.settings.sync_page_size, 1, MAX_PAGE_SIZE)
    token = request.query_params.get("cursor")
    try:
        with acting_as(principal):
            result = await _pull_page(request, user_id, project_id, size, token)
    except AppError as error:
        raise sync_problem(error) from None
    return JSONResponse(
        {
            "changes": result.changes,
            "timestamp": result.timestamp,
            "has_more": result.has_more,
            "next_cursor": result.next_cursor,
            "schema_version": result.schema_version,
        }
    )


async def _pull_page(
    request: Request, user_id: uuid.UUID, project_id: uuid.UUID, size: int, token: str | None
) -> pulling.PullPage:
    """One page, read in one REPEATABLE READ snapshot."""
    async with app_state(request).sessions() as session:
        await session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )
        if token:
            cursor = pulling.PageCursor.decode(token)
        else:
            last = int_param(request, "last_pulled_at", 0, 0)
            cursor = await pulling.start(
                session, user_id, project_id, last, _schema_version(request)
            )
        return await pulling.page(session, user_id, project_id, cursor, size)


def _push_fields(body: dict[str, Any]) -> tuple[int, str | None]:
    last = body.get("lastPulledAt", body.get("last_pulled_at"))
    if last is None:
        last = 0
    if not isinstance(last, int) or isinstance(last, bool) or last < 0:
        raise Problem("bad-request", "lastPulledAt must be a non-negative integer or null")
    batch = body.get("client_batch_id")
    if batch is not None and (not isinstance(batch, str) or not 1 <= len(batch) <= 100):
        raise Problem("bad-request", "client_batch_id must be a string of 1 to 100 characters")
    if "changes" not in body:
        raise Problem("bad-request", "changes is required")
    return last, batch


@rest_endpoint
async def push(request: Request) -> Response:
    principal = await authenticate(request)
    if principal.read_only:
        raise Problem("forbidden", "this API token is read-only: it may pull but not push")
    project_id = path_uuid(request, "project_id")
    body = await json_object(request)
    last, batch = _push_fields(body)
    try:
        changes = parse_changes(body["changes"], _schema_version(request))
        with acting_as(principal):
            stored, replayed = await _apply(
                app_state(request), principal.user_id, project_id, changes, last, batch
            )
    except AppError as error:
        raise sync_problem(error) from None
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return JSONResponse(stored.body, status_code=stored.status, headers=headers)


async def _apply(
    state: AppState,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    changes: list[TableChanges],
    last: int,
    batch: str | None,
) -> tuple[StoredResponse, bool]:
    """Apply the push in one transaction, or find the stored response of its batch id;
    returns the response and whether it was a replay."""
    async with unit_of_work(state.sessions, state.uow_context, actor_id=user_id) as uow:
        await require_writer(uow.session, user_id, project_id)
        if batch is not None:
            stored = await claim_batch(
                uow.session, user_id, batch, state.settings.sync_batch_retention_hours
            )
            if stored is not None:
                return stored, True
        applied = await apply_push(uow, user_id, project_id, changes, last)
        response = {"ok": True, "client_batch_id": batch, "applied": applied}
        if batch is not None:
            uow.session.add(
                SyncBatch(
                    user_id=user_id,
                    client_batch_id=batch,
                    project_id=project_id,
                    status_code=200,
                    response=response,
                )
            )
    return StoredResponse(200, response), False
