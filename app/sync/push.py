"""Push: apply a client's change set in one transaction, or nothing at all.

Order of a push (docs/sync.md): the caller's role (viewers may not push); the batch's
single-flight lock and stored response (idempotent replay); the project lock, so no other
writer commits between the conflict check and the writes; the conflict check (any pushed
record whose `sync_seq` is above `lastPulledAt`, or that is missing, or a created id that
already exists → 409 with every conflicting id, nothing applied); then the same service calls
GraphQL makes, creates parent-first and deletes child-first; finally the stored response.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import require_project_role
from app.errors import AppError, ValidationFailed
from app.models import SyncBatch
from app.models.enums import Role
from app.state import UnitOfWork
from app.sync.changes import TableChanges
from app.sync.pull import ResyncRequired, _record
from app.sync.registry import SyncedTable, synced_tables
from app.sync.sequence import high_water
from app.sync.values import to_wire
from app.tasks.repository import lock_project


@dataclass(frozen=True)
class Conflict:
    table: str
    id: uuid.UUID
    reason: str  # changed | deleted | missing | exists

    def as_json(self) -> dict[str, str]:
        return {"table": self.table, "id": str(self.id), "reason": self.reason}


class SyncConflict(AppError):
    code = "sync_conflict"

    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__(
            f"{len(conflicts)} record(s) changed on the server since lastPulledAt; "
            "pull, resolve and push again"
        )
        self.conflicts = conflicts


class BatchInProgress(AppError):
    code = "batch_in_progress"


class RecordFailed(AppError):
    """A service refused one record; carries which one so the client can show it."""

    def __init__(self, table: str, row_id: uuid.UUID, error: AppError) -> None:
        super().__init__(f"{table} {row_id}: {error.message}")
        self.table = table
        self.row_id = row_id
        self.error = error


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: dict[str, Any]


async def claim_batch(
    session: AsyncSession,
    user_id: uuid.UUID,
    batch_id: str,
    retention_hours: int,
) -> StoredResponse | None:
    """Single-flight per (user, batch): a concurrent duplicate gets BatchInProgress; a batch
    already applied within the retention window returns its stored response."""
    locked = await session.scalar(
        select(func.pg_try_advisory_xact_lock(func.hashtextextended(f"{user_id}:{batch_id}", 6)))
    )
    if not locked:
        raise BatchInProgress("this client_batch_id is being applied by another request")
    since = datetime.now(UTC) - timedelta(hours=retention_hours)
    stored = (
        await session.execute(
            select(SyncBatch).where(
                SyncBatch.user_id == user_id,
                SyncBatch.client_batch_id == batch_id,
                SyncBatch.created_at >= since,
            )
        )
    ).scalar_one_or_none()
    if stored is not None:
        return StoredResponse(stored.status_code, stored.response)
    # An expired row of the same id no longer deduplicates: drop it so the id can be reused.
    old = await session.get(SyncBatch, (user_id, batch_id))
    if old is not None:
        await session.delete(old)
        await session.flush()
    return None


async def apply_push(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    changes: list[TableChanges],
    last_pulled_at: int,
) -> dict[str, dict[str, int]]:
    """Check conflicts and apply everything; raise (and let the caller roll back) on any
    failure. Returns per-table counts of what was applied."""
    session = uow.session
    await lock_project(session, project_id)
    upper = await high_water(session, project_id, [t.table for t in synced_tables()])
    if last_pulled_at > upper:
        # A cursor from a restored database or another server would hide every conflict.
        raise ResyncRequired("lastPulledAt is ahead of the server; pull from scratch first", 0)
    current = await _current_rows(session, project_id, changes)
    conflicts = _conflicts(changes, current, last_pulled_at, project_id)
    if conflicts:
        raise SyncConflict(conflicts)
    applied: dict[str, dict[str, int]] = {}
    for table in changes:
        applied[table.entry.name] = {"created": 0, "updated": 0, "deleted": 0}
        for row_id, values in _parents_first(table):
            await _call(
                table.entry,
                row_id,
                _create(table.entry, uow, user_id, project_id, row_id, values),
            )
            applied[table.entry.name]["created"] += 1
        for row_id, values in table.updated:
            delta = await _delta(session, table.entry, current[row_id], values)
            if delta:
                await _call(table.entry, row_id, _update(table.entry, uow, user_id, row_id, delta))
            applied[table.entry.name]["updated"] += 1
    for table in reversed(changes):
        for row_id in table.deleted:
            if await _already_deleted(session, table.entry, row_id):
                continue  # tombstoned earlier in this push (a subtree or its links)
            await _call(table.entry, row_id, _delete(table.entry, uow, user_id, row_id))
            applied[table.entry.name]["deleted"] += 1
    return applied


async def require_writer(session: AsyncSession, user_id: uuid.UUID, project_id: uuid.UUID) -> None:
    """Viewers may pull but never push (403); non-members get 404."""
    await require_project_role(session, user_id, project_id, Role.TEAM_MEMBER)


async def _call(entry: SyncedTable, row_id: uuid.UUID, work: Any) -> None:
    try:
        await work
    except AppError as error:
        raise RecordFailed(entry.name, row_id, error) from error


async def _create(
    entry: SyncedTable,
    uow: UnitOfWork,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    row_id: uuid.UUID,
    values: dict[str, Any],
) -> None:
    if entry.appliers.create is None:
        raise ValidationFailed.single(entry.name, "records of this table cannot be created")
    await entry.appliers.create(uow, user_id, project_id, row_id, dict(values))


async def _update(
    entry: SyncedTable,
    uow: UnitOfWork,
    user_id: uuid.UUID,
    row_id: uuid.UUID,
    values: dict[str, Any],
) -> None:
    if entry.appliers.update is None:
        raise ValidationFailed.single(entry.name, "records of this table cannot be updated")
    await entry.appliers.update(uow, user_id, row_id, values)


async def _delete(
    entry: SyncedTable, uow: UnitOfWork, user_id: uuid.UUID, row_id: uuid.UUID
) -> None:
    if entry.appliers.delete is None:
        raise ValidationFailed.single(entry.name, "records of this table cannot be deleted")
    await entry.appliers.delete(uow, user_id, row_id)


async def _current_rows(
    session: AsyncSession, project_id: uuid.UUID, changes: list[TableChanges]
) -> dict[uuid.UUID, Any]:
    """Every pushed id's current row (any project), read after the project lock."""
    found: dict[uuid.UUID, Any] = {}
    for table in changes:
        ids = table.ids()
        if not ids:
            continue
        model = table.entry.model
        rows = await session.execute(
            select(model).where(model.id.in_(ids)).execution_options(populate_existing=True)
        )
        for row in rows.scalars():
            found[row.id] = row
    return found


def _project_of(entry: SyncedTable, row: Any) -> uuid.UUID:
    return row.id if entry.key == "id" else row.project_id  # type: ignore[no-any-return]


def _conflicts(
    changes: list[TableChanges],
    current: dict[uuid.UUID, Any],
    last_pulled_at: int,
    project_id: uuid.UUID,
) -> list[Conflict]:
    conflicts = []
    for table in changes:
        name = table.entry.name
        for row_id, _ in table.created:
            if row_id in current:
                conflicts.append(Conflict(name, row_id, "exists"))
        for row_id in [i for i, _ in table.updated] + table.deleted:
            row = current.get(row_id)
            if row is None or _project_of(table.entry, row) != project_id:
                conflicts.append(Conflict(name, row_id, "missing"))
            elif row.sync_seq > last_pulled_at:
                conflicts.append(Conflict(name, row_id, "deleted" if row.is_deleted else "changed"))
            elif row.is_deleted:
                conflicts.append(Conflict(name, row_id, "deleted"))
    return conflicts


def _parents_first(table: TableChanges) -> list[tuple[uuid.UUID, dict[str, Any]]]:
    """Created records ordered so that a parent created in the same push comes first."""
    pending = {row_id: values for row_id, values in table.created}
    ordered: list[tuple[uuid.UUID, dict[str, Any]]] = []
    placed: set[uuid.UUID] = set()

    def place(row_id: uuid.UUID, trail: frozenset[uuid.UUID]) -> None:
        if row_id in placed or row_id in trail:
            return
        parent = pending[row_id].get("parent_id")
        if parent in pending:
            place(parent, trail | {row_id})
        placed.add(row_id)
        ordered.append((row_id, pending[row_id]))

    for row_id, _ in table.created:
        place(row_id, frozenset())
    return ordered


async def _delta(
    session: AsyncSession, entry: SyncedTable, row: Any, values: dict[str, Any]
) -> dict[str, Any]:
    """Only the columns whose pushed value differs from the stored one (clients send whole
    records; unchanged schedule fields must not demand the Project Manager role)."""
    extras = (await entry.virtual(session, [row])).get(row.id, {}) if entry.virtual else {}
    stored = _record(entry, row, extras)

    delta = {}
    for name, value in values.items():
        if to_wire(value) != stored.get(name):
            if name in entry.create_only:
                raise ValidationFailed.single(name, "cannot be changed; delete and create instead")
            delta[name] = value
    for group in entry.together:
        if group & delta.keys():
            delta.update({name: values[name] for name in group if name in values})
    return delta


async def _already_deleted(session: AsyncSession, entry: SyncedTable, row_id: uuid.UUID) -> bool:
    model = entry.model
    flag = await session.scalar(
        select(model.is_deleted).where(model.id == row_id).execution_options(populate_existing=True)
    )
    return bool(flag)
