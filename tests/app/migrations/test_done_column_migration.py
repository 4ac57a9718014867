"""The done-column migration (7cf1578b8d94) up and down, on rows written in plain SQL."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg

from app.db import sync_url
from app.migrate import downgrade, upgrade

BEFORE = "c7e2a9d4f1b3"

_SETUP = """
INSERT INTO workspace (id, name) VALUES ('{w}', 'W');
INSERT INTO project (id, workspace_id, name, start_date) VALUES ('{p}', '{w}', 'P', '2026-01-05');
INSERT INTO board_column (id, project_id, name, category, rank)
VALUES ('{todo}', '{p}', 'To Do', 'todo', 'a0'), ('{done}', '{p}', 'Done', 'done', 'a1');
INSERT INTO sprint (id, project_id, name, start_date, end_date, state)
VALUES ('{s}', '{p}', 'S', '2026-01-05', '2026-01-09', 'active');
INSERT INTO task (id, project_id, wbs_path, wbs_rank, name, story_points, sprint_id, column_id)
VALUES ('{t}', '{p}', 't1', 'a0', 'T', 3, '{s}', '{todo}');
"""
_DONE = "SELECT trueppm_task_done(task) FROM task WHERE id = $1"
_LOG = "SELECT done FROM sprint_task_log WHERE task_id = $1 ORDER BY id"


async def _session(url: str, ids: dict[str, uuid.UUID], steps: list[str]) -> list[object]:
    """Run `steps` (SQL; a step starting with "?" is a query whose first value is kept)."""
    connection = await asyncpg.connect(sync_url(url))
    out: list[object] = []
    try:
        for step in steps:
            if step.startswith("?"):
                out.append(await connection.fetchval(step[1:], ids["t"]))
            elif step.startswith("*"):
                out.append([r[0] for r in await connection.fetch(step[1:], ids["t"])])
            else:
                await connection.execute(step.format(**ids))
    finally:
        await connection.close()
    return out


def _move(column: str) -> str:
    return f"UPDATE task SET column_id = '{{{column}}}' WHERE id = '{{t}}'"


def test_done_column_rule_up_and_down(empty_database: str) -> None:
    downgrade(empty_database, "base")  # the database is shared with other migration tests
    upgrade(empty_database, BEFORE)
    ids = {k: uuid.uuid4() for k in ("w", "p", "todo", "done", "s", "t")}

    def run(*steps: str) -> list[object]:
        return asyncio.run(_session(empty_database, ids, list(steps)))

    # Before: the column does not count and a move logs nothing.
    assert run(_SETUP, _move("done"), "?" + _DONE, "*" + _LOG) == [False, [False]]

    upgrade(empty_database)
    assert run("?" + _DONE) == [True]  # the card already in Done counts at once
    assert run(_move("todo"), "?" + _DONE, "*" + _LOG) == [False, [False, False]]
    assert run(_move("done"), "*" + _LOG) == [[False, False, True]]
    # Re-categorizing its column reopens it (the board_column trigger logs the card) ...
    assert run(
        "UPDATE board_column SET category = 'in_progress' WHERE id = '{done}'", "*" + _LOG
    ) == [[False, False, True, False]]
    # ... and a card done by progress is not touched by column changes.
    assert run(
        "UPDATE task SET percent_complete = 100 WHERE id = '{t}'",
        "UPDATE board_column SET category = 'done' WHERE id = '{done}'",
        "UPDATE board_column SET is_deleted = true WHERE id = '{done}'",
        "*" + _LOG,
    ) == [[False, False, True, False, True]]

    downgrade(empty_database, BEFORE)
    assert run(
        "UPDATE task SET percent_complete = 0 WHERE id = '{t}'",
        "UPDATE board_column SET is_deleted = false, category = 'done' WHERE id = '{done}'",
        "?" + _DONE,
        _move("todo"),
        "*" + _LOG,
    ) == [False, [False, False, True, False, True, False]]
    # The progress-only log trigger: percent_complete logged, the column move was not.
    assert run(_move("done"), "*" + _LOG) == [[False, False, True, False, True, False]]
    downgrade(empty_database, "base")
