"""Reading the purge run log: the recent runs (`trueppm purge --log`) and the state of the
latest real run, which the beat health endpoint reports (`unknown` before any run)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import RetentionPurgeRun as Run


async def recent_runs(sessions: async_sessionmaker[AsyncSession], limit: int = 10) -> list[Run]:
    """The latest runs, dry runs included, newest first."""
    async with sessions() as session:
        stmt = select(Run).order_by(Run.started_at.desc(), Run.id.desc()).limit(limit)
        return list((await session.execute(stmt)).scalars())


async def latest_state(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    """The latest real (not dry) run, for health: its state, times, rows deleted and the
    tables that failed; `{"state": "unknown"}` before the first run."""
    async with sessions() as session:
        stmt = (
            select(Run)
            .where(Run.dry_run.is_(False))
            .order_by(Run.started_at.desc(), Run.id.desc())
            .limit(1)
        )
        run = (await session.execute(stmt)).scalar_one_or_none()
    if run is None:
        return {"state": "unknown"}
    return {
        "state": run.state,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "duration_ms": run.duration_ms,
        "deleted": run.deleted,
        "failed_tables": sorted(name for name, t in run.tables.items() if not t.get("ok")),
    }
