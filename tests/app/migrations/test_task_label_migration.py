"""The task_label migration keeps existing links both ways: upgraded links become synced rows
of their task's project (numbered for the next pull), a downgrade restores the plain pairs."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy import make_url

from app.db import sync_url
from app.migrate import downgrade, upgrade
from tests.conftest import _admin

BEFORE = "d55146bad2e7"
REVISION = "24f0d52d2568"

_SEED = """
WITH w AS (INSERT INTO workspace (id, name) VALUES (gen_random_uuid(), 'W') RETURNING id),
p AS (
  INSERT INTO project (id, workspace_id, name, start_date)
  SELECT gen_random_uuid(), w.id, 'P', DATE '2026-01-05' FROM w RETURNING id
),
t AS (
  INSERT INTO task (id, project_id, wbs_path, wbs_rank, name)
  SELECT x.id, p.id, ('t' || replace(x.id::text, '-', ''))::ltree, 'a' || x.n, 'T' || x.n
  FROM p, (SELECT gen_random_uuid() AS id, n FROM generate_series(0, 1) AS n) AS x
  RETURNING id, project_id
),
l AS (
  INSERT INTO label (id, project_id, name, color)
  SELECT gen_random_uuid(), p.id, 'L', '#000000' FROM p RETURNING id
)
INSERT INTO task_label (task_id, label_id) SELECT t.id, l.id FROM t, l
"""


@pytest.fixture
def database(pg_server: str) -> Iterator[str]:
    name = f"trueppm_test_{secrets.token_hex(4)}"
    asyncio.run(_admin(pg_server, f"CREATE DATABASE {name}"))
    yield make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_admin(pg_server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def _sql(url: str, query: str) -> list[Any]:
    async def run() -> list[Any]:
        connection = await asyncpg.connect(sync_url(url))
        try:
            return list(await connection.fetch(query))
        finally:
            await connection.close()

    return asyncio.run(run())


def test_links_survive_upgrade_and_downgrade(database: str) -> None:
    upgrade(database, BEFORE)
    _sql(database, _SEED)
    pairs = {tuple(r) for r in _sql(database, "SELECT task_id, label_id FROM task_label")}
    assert len(pairs) == 2
    high_before = _sql(database, "SELECT max(sync_seq) FROM task")[0][0]

    upgrade(database, REVISION)
    rows = _sql(
        database,
        "SELECT tl.id, tl.task_id, tl.label_id, tl.project_id = t.project_id AS same, "
        "tl.server_version, tl.is_deleted, tl.sync_seq "
        "FROM task_label tl JOIN task t ON t.id = tl.task_id",
    )
    assert {(r["task_id"], r["label_id"]) for r in rows} == pairs
    assert len({r["id"] for r in rows}) == 2
    assert all(r["same"] and r["server_version"] == 1 and not r["is_deleted"] for r in rows)
    assert min(r["sync_seq"] for r in rows) > high_before  # above every earlier cursor
    # A tombstone (what detaching now leaves) is dropped by the downgrade.
    task, label = sorted(pairs)[0]
    _sql(
        database,
        "UPDATE task_label SET is_deleted = true "
        f"WHERE task_id = '{task}' AND label_id = '{label}'",
    )
    triggers = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'task_label'::regclass"
    assert {r[0] for r in _sql(database, triggers)} >= {"trg_sync_seq", "trueppm_history"}

    downgrade(database, BEFORE)
    assert {tuple(r) for r in _sql(database, "SELECT task_id, label_id FROM task_label")} == (
        pairs - {(task, label)}
    )
    primary = _sql(
        database,
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
        "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'task_label'::regclass AND i.indisprimary",
    )
    assert {r[0] for r in primary} == {"task_id", "label_id"}
    assert [r[0] for r in _sql(database, triggers) if not r[0].startswith("RI_")] == []
    upgrade(database)
