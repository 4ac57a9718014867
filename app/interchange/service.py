"""Import use cases: accept an upload (the outbox row), and process it (the worker's side).

`request_import` runs in the caller's transaction and only records the file; `process_import`
runs later (an RQ job, or the in-process runner) in transactions of its own:

1. claim the row (skipped when it already ended; DEAD after too many lost workers);
2. read the file outside any transaction (MPXJ conversion, hardened XML parse, the plan);
3. write the whole plan in one transaction with the row marked DONE, or nothing at all;
4. publish the completion (or failure) event after the commit.

Failures of the file itself (`ImportError_`) are permanent: the row is DEAD at once with the
error. Anything else leaves the row DISPATCHED, and the relay re-dispatches it after the
reclaim delay, as it does for a worker that died.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import defer

from app.authz import require_project_role
from app.errors import ForbiddenError, NotFoundError
from app.events import (
    BoardEvent,
    EventType,
    ImportCompletePayload,
    ImportFailedPayload,
    ImportProgressPayload,
    publish,
)
from app.events.bus import EventBus
from app.interchange import formats
from app.interchange.errors import FileTooLarge, ImportError_, UnsupportedFormat
from app.interchange.plan import ImportPlan, plan_from_mspdi
from app.interchange.safexml import parse_document
from app.interchange.writer import ensure_empty, write_plan
from app.models import ImportRequest, Project
from app.models.enums import Role, SchedulingRules
from app.scheduling.outbox import REQUESTED
from app.state import UnitOfWork, unit_of_work
from app.sync.locks import lock_pool
from app.tasks.repository import lock_project
from app.webhooks.outbox import record_board_event

log = logging.getLogger(__name__)

IMPORT_ROLE = Role.PROJECT_MANAGER
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Accepted:
    request: ImportRequest
    duplicate: bool  # the same bytes were already imported (or are being) into this project


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def request_import(
    session: AsyncSession,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    file_name: str,
    data: bytes,
    *,
    max_bytes: int,
) -> Accepted:
    """Record an upload for a project the caller manages; the same bytes twice give the
    first request back (`duplicate`), unless that one is DEAD."""
    await require_project_role(session, user_id, project_id, IMPORT_ROLE)
    if len(data) > max_bytes:
        raise FileTooLarge(len(data), max_bytes)
    digest = sha256(data)
    earlier = (
        await session.execute(
            select(ImportRequest)
            .where(
                ImportRequest.project_id == project_id,
                ImportRequest.file_sha256 == digest,
                ImportRequest.state != "DEAD",
            )
            .order_by(ImportRequest.created_at)
            .limit(1)
        )
    ).scalar_one_or_none()
    if earlier is not None:
        return Accepted(earlier, duplicate=True)
    await ensure_empty(session, project_id)
    file_format = formats.MSPDI if _is_mspdi(data) else formats.MPXJ
    missing = formats.mpxj_missing() if file_format == formats.MPXJ else None
    if missing is not None:  # say so now rather than after a trip through the queue
        raise UnsupportedFormat(
            "this file is not Microsoft Project XML, and reading other formats needs MPXJ: "
            f"{missing}; {formats.INSTALL_HINT}"
        )
    request = ImportRequest(
        project_id=project_id,
        requested_by=user_id,
        file_name=(file_name or "upload").strip()[:255] or "upload",
        file_format=file_format,
        file_size=len(data),
        file_sha256=digest,
        content=data,
    )
    session.add(request)
    await session.flush()
    session.info[REQUESTED] = True  # wakes this process's relay right after the commit
    return Accepted(request, duplicate=False)


def _is_mspdi(data: bytes) -> bool:
    """A cheap look at the root element name (the real parse happens in the worker)."""
    if not formats.looks_like_xml(data):
        return False
    head = data[:4096].decode("utf-8", errors="replace")
    return ("<Project" in head and formats.MSPDI_NAMESPACE in head) or "<Project>" in head


async def load_import(
    session: AsyncSession, user_id: uuid.UUID, import_id: uuid.UUID
) -> ImportRequest:
    """An import the caller may see (any role on its project); else NotFound."""
    request = (
        await session.execute(
            select(ImportRequest)
            .options(defer(ImportRequest.content))  # up to the size limit; never needed here
            .where(ImportRequest.id == import_id)
        )
    ).scalar_one_or_none()
    if request is None:
        raise NotFoundError("import not found")
    try:
        await require_project_role(session, user_id, request.project_id, Role.VIEWER)
    except (NotFoundError, ForbiddenError):  # not a member: it does not exist for them
        raise NotFoundError("import not found") from None
    return request


def read_plan(data: bytes, file_name: str) -> tuple[ImportPlan, str]:
    """The plan in `data` and the reader used; `ImportError_` for a file we cannot use.

    A plan from Microsoft Project (MSPDI, or .mpp/.mpx through MPXJ) keeps Project's date
    rules; one from any other application (Primavera, ...) gets TruePPM's, whose project-start
    floor is theirs too (docs/interchange.md)."""
    root = parse_document(data) if formats.looks_like_xml(data) else None
    if root is not None and formats.is_mspdi_root(root):
        reader, application = formats.MSPDI, "Microsoft"
    else:
        converted = formats.convert_with_mpxj(data)
        reader, application = formats.MPXJ, converted.application
        root = parse_document(converted.document)
    rules = SchedulingRules.MS_PROJECT if application == "Microsoft" else SchedulingRules.TRUEPPM
    stem = file_name.rsplit(".", 1)[0] or "Imported plan"
    return plan_from_mspdi(root, stem, rules), reader


@dataclass(frozen=True)
class ImportOutcome:
    """`state` is DONE, DEAD, RETRY (left for the relay) or `skipped` (already ended)."""

    import_id: uuid.UUID
    state: str
    report: dict[str, Any] | None = None
    error: tuple[str, str] | None = None
    events: list[BoardEvent] = field(default_factory=list)


def _event(request: ImportRequest, kind: EventType, payload: Any) -> BoardEvent:
    return BoardEvent.make(request.project_id, kind, payload, request.requested_by)


async def _claim(session: AsyncSession, import_id: uuid.UUID) -> ImportRequest | None:
    request = (
        await session.execute(
            select(ImportRequest).where(ImportRequest.id == import_id).with_for_update()
        )
    ).scalar_one_or_none()
    return None if request is None or request.ended_at is not None else request


def _end(request: ImportRequest, state: str, *, code: str = "", message: str = "") -> None:
    request.state = state
    request.stage = "done" if state == "DONE" else "failed"
    request.ended_at = func.now()
    request.content = None  # the file has served its purpose; the hash stays
    if state == "DEAD":
        request.error_code, request.error_message = code, message


async def _fail(
    sessions: async_sessionmaker[AsyncSession], import_id: uuid.UUID, code: str, message: str
) -> ImportOutcome:
    async with unit_of_work(sessions) as uow:
        request = await _claim(uow.session, import_id)
        if request is None:
            return ImportOutcome(import_id, "skipped")
        _end(request, "DEAD", code=code, message=message)
        payload = ImportFailedPayload(import_id, code, message)
        event = _event(request, EventType.IMPORT_FAILED, payload)
    return ImportOutcome(import_id, "DEAD", error=(code, message), events=[event])


async def _write(
    uow: UnitOfWork, import_id: uuid.UUID, plan: ImportPlan, reader: str
) -> ImportOutcome:
    session = uow.session
    request = await _claim(session, import_id)
    if request is None:
        return ImportOutcome(import_id, "skipped")
    project = await session.get(Project, request.project_id)
    if project is None or project.is_deleted:
        raise NotFoundError("the project of this import was deleted")
    await uow.set_actor(request.requested_by)
    if plan.resources:
        # The pool's locks before the project's: the order every pool writer takes them in.
        await lock_pool(session, project.workspace_id)
    await lock_project(session, project.id)
    await ensure_empty(session, project.id)
    written = await write_plan(session, project, plan, request.requested_by)
    report = {
        **plan.report(),
        "reader": reader,
        "project_name": plan.name,
        # The file's task UIDs (which the warnings cite) to the tasks they became.
        "task_ids": {uid: str(task_id) for uid, task_id in written.tasks.items()},
    }
    request.report = report
    _end(request, "DONE")
    payload = ImportCompletePayload(
        import_id, report["counts"], len(report["warnings"]), written.baselines
    )
    event = _event(request, EventType.IMPORT_COMPLETE, payload)
    record_board_event(session, event)  # import.completed, committed with the plan
    return ImportOutcome(import_id, "DONE", report=report, events=[event])


async def process_import(
    sessions: async_sessionmaker[AsyncSession],
    import_id: uuid.UUID,
    bus: EventBus | None = None,
    context: dict[str, Any] | None = None,
) -> ImportOutcome:
    """Process one import request (safe to run twice: the second run finds it ended)."""
    async with unit_of_work(sessions) as uow:
        request = await _claim(uow.session, import_id)
        if request is None:
            return ImportOutcome(import_id, "skipped")
        if request.attempts > MAX_ATTEMPTS:
            data = None
        else:
            data, name = request.content or b"", request.file_name
            request.stage = "reading"
            payload = ImportProgressPayload(import_id, "reading")
            progress = _event(request, EventType.IMPORT_PROGRESS, payload)
    if data is None:
        outcome = await _fail(
            sessions, import_id, "worker_lost", f"no worker finished it in {MAX_ATTEMPTS} tries"
        )
        return await _announce(outcome, bus)
    await _publish(progress, bus)
    try:
        plan, reader = await asyncio.to_thread(read_plan, data, name)
        async with unit_of_work(sessions, context) as uow:
            outcome = await _write(uow, import_id, plan, reader)
    except ImportError_ as exc:
        outcome = await _fail(sessions, import_id, exc.code, exc.message)
    except NotFoundError as exc:
        outcome = await _fail(sessions, import_id, exc.code, exc.message)
    return await _announce(outcome, bus)


async def _publish(event: BoardEvent, bus: EventBus | None) -> None:
    try:
        await publish(event, bus)
    except Exception:  # committed; a missed push is healed by polling the import
        log.warning("could not publish %s", event.type, exc_info=True)


async def _announce(outcome: ImportOutcome, bus: EventBus | None) -> ImportOutcome:
    for event in outcome.events:
        await _publish(event, bus)
    return outcome
