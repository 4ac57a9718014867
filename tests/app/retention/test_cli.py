"""`trueppm purge` as a real process: dry run, real run, the log, JSON, the busy exit."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from app.retention.coordinator import begin_run
from app.state import AppState
from tests.app.retention.seed import seed_everything

ROOT = Path(__file__).resolve().parents[3]


def _purge(db: AppState, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": db.database_url, "TRUEPPM_LOG_LEVEL": "WARNING"}
    env.pop("VALKEY_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "app", "purge", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_purge_command_dry_run_then_real_run_then_log(db: AppState) -> None:
    await seed_everything(db, dt.datetime.now(dt.UTC))

    dry = _purge(db, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    assert lines[0].startswith("dry run ")
    assert lines[0].endswith(" ms")
    assert ": ok in " in lines[0]
    assert [line.split()[0] for line in lines[1:12]] == [
        "history",
        "task_runs",
        "schedule_requests",
        "sprint_close_requests",
        "sync_batches",
        "sync_tombstones",
        "forecast_snapshots",
        "plan_imports",
        "webhook_deliveries",
        "security_audit",
        "sso_attempts",
    ]
    assert "90 days" in lines[1]
    assert "would delete 2 (" in lines[1]
    assert "24 hours" in lines[5]
    assert "would delete 1 (" in lines[5]
    assert lines[-1] == "would delete 13 rows in all"

    real = _purge(db, "--json")
    assert real.returncode == 0, real.stderr
    body = json.loads(real.stdout)
    assert (body["state"], body["dry_run"], body["trigger"], body["deleted"]) == (
        "ok",
        False,
        "cli",
        13,
    )
    assert body["tables"]["task_runs"]["deleted"] == 2

    log = _purge(db, "--log")
    assert log.returncode == 0, log.stderr
    header, newest, oldest = log.stdout.splitlines()
    assert header.split() == ["started", "state", "dry", "trigger", "ms", "deleted"]
    assert newest.split()[1:4] == ["ok", "no", "cli"]
    assert newest.split()[-1] == "13"
    assert oldest.split()[1:4] == ["ok", "yes", "cli"]
    as_json = json.loads(_purge(db, "--log", "--json", "--limit", "1").stdout)
    assert [run["id"] for run in as_json] == [body["id"]]


async def test_purge_command_while_another_runs_exits_3(db: AppState) -> None:
    holder = await begin_run(db.sessions, dry_run=False, trigger="beat", inflight_seconds=600)
    busy = _purge(db)
    assert busy.returncode == 3
    assert busy.stdout == ""
    assert f"a purge is already running (run {holder}" in busy.stderr
    assert _purge(db, "--dry-run").returncode == 0  # a dry run is not blocked
    assert _purge(db, "--log", "--limit", "0").returncode == 2
    assert _purge(db, "--log", "--dry-run").returncode == 2  # argparse: not together
