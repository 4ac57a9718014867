"""The HISTORY_RETENTION_DAYS purge and its `trueppm purge-history` command."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid

from sqlalchemy import func, select, text

from app.history.purge import purge_history
from app.models import HistoryEntry
from app.state import AppState
from tests.conftest import ROOT

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


async def _seed(state: AppState, ages_in_days: list[float]) -> None:
    async with state.sessions() as session, session.begin():
        for age in ages_in_days:
            session.add(
                HistoryEntry(
                    table_name="task",
                    object_id=uuid.uuid4(),
                    action="update",
                    at=NOW - dt.timedelta(days=age),
                    changes={"name": {"old": "a", "new": "b"}},
                )
            )


async def _ages(state: AppState) -> list[int]:
    async with state.sessions() as session:
        rows = await session.execute(select(HistoryEntry.at).order_by(HistoryEntry.at))
        return sorted(round((NOW - at).total_seconds() / 86400) for (at,) in rows)


async def test_purge_deletes_only_entries_older_than_the_window(db: AppState) -> None:
    await _seed(db, [1, 30, 89.9, 90.1, 120, 400])
    dry = await purge_history(db.sessions, 90, now=NOW, dry_run=True)
    assert (dry.deleted, dry.dry_run, dry.cutoff) == (3, True, NOW - dt.timedelta(days=90))
    assert len(await _ages(db)) == 6
    done = await purge_history(db.sessions, 90, now=NOW, batch_size=2)
    assert (done.deleted, done.dry_run) == (3, False)
    assert await _ages(db) == [1, 30, 90]
    assert (await purge_history(db.sessions, 90, now=NOW)).deleted == 0


async def test_purge_history_command(db: AppState) -> None:
    now = dt.datetime.now(dt.UTC)
    async with db.sessions() as session, session.begin():
        for age in (5, 50):
            session.add(
                HistoryEntry(
                    table_name="risk",
                    object_id=uuid.uuid4(),
                    action="create",
                    at=now - dt.timedelta(days=age),
                )
            )
    env = {**os.environ, "DATABASE_URL": db.database_url, "HISTORY_RETENTION_DAYS": "30"}
    command = [sys.executable, "-m", "app", "purge-history"]
    dry = subprocess.run([*command, "--dry-run"], env=env, cwd=ROOT, capture_output=True,
                         text=True, check=True)  # fmt: skip
    assert dry.stdout.startswith("would delete 1 history entries recorded before ")
    real = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert real.stdout.startswith("deleted 1 history entries recorded before ")
    override = subprocess.run([*command, "--days", "1"], env=env, cwd=ROOT, capture_output=True,
                              text=True, check=True)  # fmt: skip
    assert override.stdout.startswith("deleted 1 history entries")
    async with db.sessions() as session:
        left = (await session.execute(select(func.count()).select_from(HistoryEntry))).scalar_one()
    assert left == 0
    bad = subprocess.run(command, env={**env, "HISTORY_RETENTION_DAYS": "0"}, cwd=ROOT,
                         capture_output=True, text=True)  # fmt: skip
    assert bad.returncode == 2
    assert "HISTORY_RETENTION_DAYS must be >= 1, got 0" in bad.stderr
    async with db.engine.connect() as connection:
        assert (await connection.execute(text("SELECT 1"))).scalar_one() == 1
