"""Plan files over REST: upload an import, follow it, and export a project as MSPDI.

- `POST /api/v1/projects/{project_id}/imports` — multipart/form-data with one `file` part;
  202 with the import (and `Location`), or 200 with the earlier import when these exact bytes
  were already imported into the project. An oversized body is refused from its
  Content-Length before it is read.
- `GET /api/v1/projects/{project_id}/imports/{import_id}` — the import and its report.
- `GET /api/v1/projects/{project_id}/export.xml` — the project as MSPDI, streamed.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from app.auth.principal import acting_as
from app.interchange.errors import FileTooLarge
from app.interchange.export import load_export, render_mspdi
from app.interchange.service import load_import, request_import
from app.models import ImportRequest
from app.rest.endpoint import app_state, authenticate, path_uuid, rest_endpoint
from app.rest.problems import Problem
from app.state import unit_of_work

MSPDI_MEDIA_TYPE = "application/xml"
# Room for the multipart framing around the file itself.
_FORM_OVERHEAD = 64 * 1024


def import_json(row: ImportRequest) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "project_id": str(row.project_id),
        "file_name": row.file_name,
        "file_format": row.file_format,
        "file_size": row.file_size,
        "sha256": row.file_sha256,
        "state": row.state,
        "stage": row.stage,
        "attempts": row.attempts,
        "created_at": row.created_at.isoformat(),
        "ended_at": row.ended_at.isoformat() if row.ended_at else None,
        "error": {"code": row.error_code, "message": row.error_message} if row.error_code else None,
        "report": row.report,
    }


async def _upload(request: Request, limit: int) -> tuple[str, bytes]:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + _FORM_OVERHEAD:
        raise FileTooLarge(int(declared), limit)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "multipart/form-data":
        raise Problem("unsupported-media-type", "send the file as multipart/form-data")
    try:
        form = await request.form(max_files=1, max_fields=10)
    except Exception as exc:  # starlette's MultiPartException and friends
        raise Problem("bad-request", f"the multipart body cannot be read: {exc}") from None
    try:
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise Problem(
                "bad-request", "send the plan as a form part named `file`", parameter="file"
            )
        if part.size is not None and part.size > limit:
            raise FileTooLarge(part.size, limit)
        data = await part.read()
    finally:
        await form.close()  # frees the spooled temporary files
    if len(data) > limit:
        raise FileTooLarge(len(data), limit)
    return part.filename or "upload", data


@rest_endpoint
async def create_import(request: Request) -> Response:
    principal = await authenticate(request)
    project_id = path_uuid(request, "project_id")
    state = app_state(request)
    if principal.read_only:
        raise Problem("forbidden", "this API token is read-only")
    name, data = await _upload(request, state.settings.import_max_bytes)
    with acting_as(principal):
        async with unit_of_work(state.sessions, state.uow_context) as uow:
            accepted = await request_import(
                uow.session,
                principal.user_id,
                project_id,
                name,
                data,
                max_bytes=state.settings.import_max_bytes,
            )
            await uow.session.refresh(accepted.request)
            body = {**import_json(accepted.request), "duplicate": accepted.duplicate}
    location = f"/api/v1/projects/{project_id}/imports/{accepted.request.id}"
    status = 200 if accepted.duplicate else 202
    return JSONResponse(body, status_code=status, headers={"Location": location})


@rest_endpoint
async def get_import(request: Request) -> Response:
    principal = await authenticate(request)
    project_id = path_uuid(request, "project_id")
    import_id = path_uuid(request, "import_id")
    with acting_as(principal):
        async with app_state(request).sessions() as session:
            row = await load_import(session, principal.user_id, import_id)
            if row.project_id != project_id:
                raise Problem("not-found", "import not found")
            body = import_json(row)
    return JSONResponse(body)


@rest_endpoint
async def export_xml(request: Request) -> Response:
    principal = await authenticate(request)
    project_id = path_uuid(request, "project_id")
    with acting_as(principal):
        async with app_state(request).sessions() as session:
            data = await load_export(session, principal.user_id, project_id)
    disposition = f'attachment; filename="{data.file_name}"'
    return StreamingResponse(
        (chunk.encode() for chunk in render_mspdi(data)),
        media_type=MSPDI_MEDIA_TYPE,
        headers={"Content-Disposition": disposition},
    )
