"""Large WBS trees written with two INSERT statements (for query-count tests).

Ranks `e00001`, `e00002`, ... are app/ranks.py keys (head `e`: five integer digits)."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from app.state import AppState

_TOPS = """
INSERT INTO task (id, project_id, wbs_path, wbs_rank, name, kind)
SELECT g.id, :project, ('t' || replace(g.id::text, '-', ''))::ltree,
       'e' || lpad(g.n::text, 5, '0'), 'Phase ' || g.n, 'summary'
FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, :tops) AS n) AS g
"""
_CHILDREN = """
INSERT INTO task (id, project_id, wbs_path, wbs_rank, name, kind, duration)
SELECT x.id, :project, x.parent || ('t' || replace(x.id::text, '-', ''))::ltree,
       'e' || lpad(x.n::text, 5, '0'), 'Work ' || x.n, 'task', 1 + x.n % 5
FROM (
  SELECT gen_random_uuid() AS id, p.wbs_path AS parent, n
  FROM task AS p CROSS JOIN generate_series(1, :per) AS n
  WHERE p.project_id = :project
) AS x
"""


async def two_level_tree(state: AppState, project_id: uuid.UUID, tops: int, per: int) -> int:
    """`tops` summary tasks with `per` children each; returns the number of tasks."""
    async with state.engine.begin() as connection:
        await connection.execute(text(_TOPS), {"project": project_id, "tops": tops})
        await connection.execute(text(_CHILDREN), {"project": project_id, "per": per})
    return tops * (per + 1)
