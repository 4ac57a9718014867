"""Retention of sync data: old tombstones and old push batches.

Tombstones (soft-deleted synced rows) are kept `TRUEPPM_SYNC_TOMBSTONE_RETENTION_DAYS`, then
hard-deleted. Before a project's tombstones go, the highest `sync_seq` among them is recorded
as the project's floor: a client whose cursor is below it may have missed a deletion, so its
incremental pull answers 410 resync-required instead of silently omitting it. Push batches
are kept `TRUEPPM_SYNC_BATCH_RETENTION_HOURS` (their dedup window), then deleted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import ProjectSyncFloor, SyncBatch
from app.sync.registry import synced_tables

if TYPE_CHECKING:
    from app.state import AppState


@dataclass
class PurgeResult:
    tombstones: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    floors: dict[uuid.UUID, int] = field(default_factory=dict)
    dry_run: bool = False


async def purge_tombstones(
    session: AsyncSession,
    retention_days: int,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> PurgeResult:
    """Hard-delete tombstones older than the window (children first) and raise the floors.

    The project rows themselves are not purged here: a trashed project is the project
    retention's business (its rows go with it by cascade)."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    result = PurgeResult(dry_run=dry_run)
    tables = [t for t in synced_tables() if t.key == "project_id"]
    for entry in reversed(tables):  # dependencies before tasks, tasks before calendars
        model = entry.model
        old = (model.is_deleted.is_(True), model.updated_at < cutoff)
        if dry_run:
            stmt = select(model.project_id, func.max(model.sync_seq), func.count()).where(*old)  # type: ignore[attr-defined]
            rows = (await session.execute(stmt.group_by(model.project_id))).all()  # type: ignore[attr-defined]
            result.tombstones[entry.name] = sum(int(r[2]) for r in rows)
            for project_id, seq, _ in rows:
                result.floors[project_id] = max(result.floors.get(project_id, 0), int(seq))
            continue
        deleted = await session.execute(
            delete(model).where(*old).returning(model.project_id, model.sync_seq)  # type: ignore[attr-defined]
        )
        count = 0
        for project_id, seq in deleted:
            count += 1
            result.floors[project_id] = max(result.floors.get(project_id, 0), int(seq))
        result.tombstones[entry.name] = count
    if result.floors and not dry_run:
        upsert = insert(ProjectSyncFloor).values(
            [{"project_id": p, "floor_seq": s} for p, s in result.floors.items()]
        )
        await session.execute(
            upsert.on_conflict_do_update(
                index_elements=[ProjectSyncFloor.project_id],
                set_={
                    "floor_seq": func.greatest(
                        ProjectSyncFloor.floor_seq, upsert.excluded.floor_seq
                    ),
                    "purged_at": func.now(),
                },
            )
        )
    return result


async def purge_batches(
    session: AsyncSession,
    retention_hours: int,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> int:
    """Delete push batches past their dedup window; returns how many (would) go."""
    cutoff = (now or datetime.now(UTC)) - timedelta(hours=retention_hours)
    if dry_run:
        count = await session.scalar(
            select(func.count()).select_from(SyncBatch).where(SyncBatch.created_at < cutoff)
        )
        return int(count or 0)
    deleted = await session.execute(
        delete(SyncBatch).where(SyncBatch.created_at < cutoff).returning(SyncBatch.user_id)
    )
    return len(deleted.all())


async def purge_sync(
    session: AsyncSession,
    tombstone_days: int,
    batch_hours: int,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> PurgeResult:
    """Both purges in the caller's transaction (the CLI and the periodic job commit it)."""
    result = await purge_tombstones(session, tombstone_days, now=now, dry_run=dry_run)
    result.batches = await purge_batches(session, batch_hours, now=now, dry_run=dry_run)
    return result


async def purge_sync_job(state: AppState) -> dict[str, Any]:
    """The periodic job (`trueppm beat`): both purges in one transaction, a JSON summary."""
    from app.state import unit_of_work

    async with unit_of_work(state.sessions) as uow:
        result = await purge_sync(
            uow.session,
            state.settings.sync_tombstone_retention_days,
            state.settings.sync_batch_retention_hours,
        )
    return {
        "tombstones": result.tombstones,
        "batches": result.batches,
        "floors_raised": len(result.floors),
    }
