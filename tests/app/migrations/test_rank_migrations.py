"""Data migrations of boards and WBS keys: existing rows keep their order."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg

from app import ranks
from app.db import sync_url
from app.migrate import downgrade, upgrade

_SETUP = """
INSERT INTO workspace (id, name) VALUES ($1, 'W');
INSERT INTO project (id, workspace_id, name, start_date) VALUES ($2, $1, 'P', '2026-01-05');
"""


async def _run(url: str, sql: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(sync_url(url))
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


async def _seed(
    url: str, workspace: uuid.UUID, project: uuid.UUID, rows: list[tuple[object, ...]]
) -> None:
    connection = await asyncpg.connect(sync_url(url))
    try:
        await connection.execute(
            _SETUP.replace("$1", f"'{workspace}'").replace("$2", f"'{project}'")
        )
        await connection.executemany(
            "INSERT INTO task (id, project_id, wbs_path, wbs_rank, name) "
            "VALUES ($1, $2, $3::text::ltree, $4, 'T')",
            rows,
        )
    finally:
        await connection.close()


def test_old_wbs_ranks_are_rekeyed_in_order_and_tasks_join_the_board(
    empty_database: str,
) -> None:
    downgrade(empty_database, "base")  # the database is shared with other migration tests
    upgrade(empty_database, "2776450e4bcd")  # before boards and the new keys
    workspace, project = uuid.uuid4(), uuid.uuid4()
    # 400 siblings with former-style ranks (0-9a-z, byte order), inserted out of order.
    old = [f"{n:03d}i" for n in range(400)]
    ids = [uuid.uuid4() for _ in old]
    rows = [(i, project, "t" + i.hex, r) for i, r in zip(ids, old, strict=True)]
    asyncio.run(_seed(empty_database, workspace, project, list(reversed(rows))))
    upgrade(empty_database)
    rows = asyncio.run(
        _run(
            empty_database,
            'SELECT id, wbs_rank FROM task ORDER BY wbs_rank COLLATE "C"',
        )
    )
    assert [r["id"] for r in rows] == ids
    assert [r["wbs_rank"] for r in rows] == ranks.keys_after(None, 400)
    columns = asyncio.run(
        _run(empty_database, 'SELECT name, id FROM board_column ORDER BY rank COLLATE "C"')
    )
    assert [c["name"] for c in columns] == ["To Do", "In Progress", "Done"]
    cards = asyncio.run(
        _run(empty_database, "SELECT DISTINCT column_id FROM task WHERE board_rank IS NOT NULL")
    )
    assert [c["column_id"] for c in cards] == [columns[0]["id"]]
    downgrade(empty_database, "b0a4d51ab3e1")
    back = asyncio.run(_run(empty_database, 'SELECT id FROM task ORDER BY wbs_rank COLLATE "C"'))
    assert [r["id"] for r in back] == ids
    downgrade(empty_database, "base")
