"""`trueppm demo` against a fresh database: migrates, loads through the services, computes
every schedule (across the cross-project links), and is idempotent."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from app.cli import main
from app.db import sync_url

COUNTS = """SELECT (SELECT count(*) FROM project) AS projects, (SELECT count(*) FROM task) AS tasks,
  (SELECT count(*) FROM task WHERE early_start IS NULL) AS uncomputed,
  (SELECT count(*) FROM dependency) AS links,
  (SELECT count(*) FROM dependency WHERE predecessor_project_id IS NOT NULL) AS cross_links,
  (SELECT count(*) FROM calendar_exception) AS holidays,
  (SELECT count(*) FROM schedule_request WHERE done_at IS NULL) AS pending,
  (SELECT count(*) FROM task_run WHERE state <> 'succeeded') AS failed_runs,
  (SELECT count(*) FROM sprint) AS sprints,
  (SELECT count(*) FROM sprint WHERE state = 'active' AND committed_points = 21) AS active,
  (SELECT count(*) FROM task WHERE sprint_id IS NOT NULL) AS planned,
  (SELECT count(*) FROM baseline WHERE is_active) AS baselines,
  (SELECT count(*) FROM risk WHERE status <> 'closed') AS open_risks,
  (SELECT count(*) FROM risk_task) AS risk_links,
  (SELECT count(*) FROM label) AS labels,
  (SELECT count(*) FROM task_label) AS card_labels,
  (SELECT count(*) FROM comment) AS comments,
  (SELECT count(*) FROM comment WHERE body_html LIKE '%<strong>clay</strong>%') AS rendered"""
# Each project's current finish against its active baseline's.
SLIPPED = """SELECT p.name, b.project_finish AS baseline, max(t.early_finish) AS current
  FROM project p JOIN baseline b ON b.project_id = p.id AND b.is_active
  JOIN task t ON t.project_id = p.id GROUP BY p.name, b.project_finish ORDER BY p.name"""
DATES = "SELECT name, early_start, early_finish, is_critical FROM task WHERE name = ANY($1)"


async def _sql(url: str, query: str, *args: Any) -> list[Any]:
    connection = await asyncpg.connect(sync_url(url))
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


@pytest.fixture
def fresh_database(pg_server: str) -> Iterator[str]:
    name = f"trueppm_demo_{secrets.token_hex(4)}"
    asyncio.run(_sql(pg_server, f"CREATE DATABASE {name}"))
    yield make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_sql(pg_server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def test_demo_loads_a_computed_program_once(
    fresh_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", fresh_database)
    monkeypatch.setenv("TRUEPPM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("VALKEY_URL", raising=False)
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    password = (tmp_path / "demo_password").read_text().strip()
    assert (tmp_path / "demo_password").stat().st_mode & 0o777 == 0o600
    assert "as demo@example.com" in out
    assert password in out
    assert "programSchedule(programId:" in out

    counts = dict(asyncio.run(_sql(fresh_database, COUNTS))[0])
    assert counts["projects"] == 2
    assert 180 <= counts["tasks"] <= 220
    assert counts["uncomputed"] == 0  # every task has computed dates
    assert counts["cross_links"] == 9
    assert counts["holidays"] > 0
    assert (counts["pending"], counts["failed_runs"]) == (0, 0)
    # Sprints of the IT project: Sprint 1 started with its 8 + 13 points, six tasks planned.
    assert (counts["sprints"], counts["active"], counts["planned"]) == (3, 1, 6)
    # Baselined, then Piling slipped by 7 working days: the building and, through the
    # cross-project links, the IT project finish later than their baselines.
    assert counts["baselines"] == 2
    # The register: three open or mitigating risks (one closed) on four task links, four
    # labels on five cards, two markdown comments rendered to HTML.
    assert (counts["open_risks"], counts["risk_links"]) == (3, 4)
    assert (counts["labels"], counts["card_labels"]) == (4, 5)
    assert (counts["comments"], counts["rendered"]) == (2, 1)
    assert "risks(projectId:" in out
    slipped = asyncio.run(_sql(fresh_database, SLIPPED))
    assert [r["name"] for r in slipped] == ["Campus Building", "Campus IT and Move-in"]
    for row in slipped:
        assert row["current"] > row["baseline"], dict(row)

    rows = asyncio.run(
        _sql(
            fresh_database,
            DATES,
            ["Level 1 partitions", "Floor 1 structured cabling", "Building handover",
             "Move wave 1", "Roof and plant deck", "Server room fit-out"],
        )
    )  # fmt: skip
    d = {r["name"]: r for r in rows}
    # Each cross-project successor starts after its predecessor in the other project finished.
    for pred, succ in (
        ("Level 1 partitions", "Floor 1 structured cabling"),
        ("Building handover", "Move wave 1"),
        ("Roof and plant deck", "Server room fit-out"),
    ):
        assert d[succ]["early_start"] > d[pred]["early_finish"], (pred, succ)

    # The summary printed comes from the computed dates.
    assert "Campus IT and Move-in: finishes 20" in out

    # Loading again adds nothing and does not show a new password.
    assert main(["demo"]) == 0
    again = capsys.readouterr().out
    assert password not in again
    assert "demo_password" in again
    assert dict(asyncio.run(_sql(fresh_database, COUNTS))[0]) == counts
