"""`importPlan` / `importPlanAsNewProject`: upload a plan file (GraphQL multipart request spec)
into an empty project (Project Manager and up) or into a new one (any workspace member)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from app.interchange.errors import FileTooLarge, ImportError_
from app.interchange.service import request_import
from app.projects.service import create_project
from app.state import UnitOfWork
from app.tasks.repository import parse_id
from graph.context import Info
from graph.errors import Forbidden, NotFound, ValidationError, run_mutation
from graph.interchange.types import ImportPlanPayload, ImportRefused, PlanImport

ImportPlanResult = Annotated[
    ImportPlanPayload | ImportRefused | NotFound | Forbidden | ValidationError,
    strawberry.union("ImportPlanResult"),
]


async def _read(info: Info, file: Upload) -> tuple[str, bytes]:
    """The upload's name and bytes; refused by size before it is read into memory."""
    limit = info.context.settings.import_max_bytes
    try:
        size = getattr(file, "size", None)
        if size is not None and size > limit:
            raise FileTooLarge(size, limit)
        data = await file.read(limit + 1)  # type: ignore[attr-defined]
    finally:
        await file.close()  # type: ignore[attr-defined]  # frees the spooled temporary file
    if len(data) > limit:
        raise FileTooLarge(len(data), limit)
    return str(getattr(file, "filename", "") or "upload"), data


async def _accept(
    info: Info, uow: UnitOfWork, project_id: uuid.UUID, name: str, data: bytes
) -> ImportPlanPayload:
    accepted = await request_import(
        uow.session,
        info.context.require_user(),
        project_id,
        name,
        data,
        max_bytes=info.context.settings.import_max_bytes,
    )
    await uow.session.refresh(accepted.request)
    return ImportPlanPayload(
        plan_import=PlanImport.from_model(accepted.request), duplicate=accepted.duplicate
    )


async def _guarded(
    info: Info, work: Callable[[UnitOfWork], Awaitable[ImportPlanPayload]]
) -> ImportPlanResult:
    try:
        return await run_mutation(info, work)  # type: ignore[return-value]
    except ImportError_ as exc:
        return ImportRefused(reason=exc.code, message=exc.message)


@strawberry.type
class InterchangeMutation:
    @strawberry.mutation(
        description="Import a plan file into an empty project (Project Manager and up): "
        "Microsoft Project XML, or — with the MPXJ extra — .mpp, .mpx, Primavera XER/PMXML, "
        "Planner, GanttProject and the other formats MPXJ reads. The file is sent by the "
        "GraphQL multipart request spec. The import runs in the background: follow it with "
        "`planImport(id)` or the IMPORT_PROGRESS / IMPORT_COMPLETE / IMPORT_FAILED events."
    )
    async def import_plan(
        self, info: Info, project_id: strawberry.ID, file: Upload
    ) -> ImportPlanResult:
        info.context.require_user()  # the project role is checked in the service

        async def work(uow: UnitOfWork) -> ImportPlanPayload:
            name, data = await _read(info, file)
            return await _accept(info, uow, parse_id(project_id, "project"), name, data)

        return await _guarded(info, work)

    @strawberry.mutation(
        description="Create a project in a workspace (any member) and import a plan file "
        "into it, as `importPlan` does. `name` defaults to the file's name; the project's "
        "start, status date and default calendar come from the file."
    )
    async def import_plan_as_new_project(
        self,
        info: Info,
        workspace_id: strawberry.ID,
        file: Upload,
        name: str | None = None,
        program_id: strawberry.ID | None = None,
    ) -> ImportPlanResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> ImportPlanPayload:
            file_name, data = await _read(info, file)
            values: dict[str, object] = {
                "name": (name or file_name.rsplit(".", 1)[0] or "Imported plan")[:200],
                "start_date": dt.date.today(),
            }
            if program_id is not None:
                values["program_id"] = parse_id(program_id, "program")
            project = await create_project(
                uow.session, user_id, parse_id(workspace_id, "workspace"), values
            )
            return await _accept(info, uow, project.id, file_name, data)

        return await _guarded(info, work)
