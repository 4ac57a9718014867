"""The board costs a constant number of SQL statements whatever the number of cards."""

from __future__ import annotations

from sqlalchemy import text

from app.state import AppState
from tests.conftest import GraphQLClient
from tests.graph.boards.helpers import BOARD
from tests.graph.tasks.factories import make_world
from tests.sqlcount import statements

# Cards spread over the three default columns, each with one label.
_SEED = """
WITH cols AS (
  SELECT id, row_number() OVER (ORDER BY rank) - 1 AS i FROM board_column WHERE project_id = :p
), made AS (
  INSERT INTO task (id, project_id, wbs_path, wbs_rank, name, column_id, board_rank)
  SELECT g.id, :p, ('t' || replace(g.id::text, '-', ''))::ltree, 'a0',
         'Card ' || g.n, (SELECT id FROM cols WHERE i = g.n % 3), 'a' || lpad(g.n::text, 6, '0')
  FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, :n) AS n) AS g
  RETURNING id
)
INSERT INTO task_label (id, project_id, task_id, label_id)
SELECT gen_random_uuid(), :p, made.id, :label FROM made
"""


async def _count(gql: GraphQLClient, db: AppState, cards: int) -> int:
    world = await make_world(db)
    body = await gql(
        'mutation($p: ID!) { createLabel(input: {projectId: $p, name: "L"}) '
        "{ ... on LabelPayload { label { id } } } }",
        {"p": str(world.project.id)},
        user=world.pm,
    )
    label = body["data"]["createLabel"]["label"]["id"]
    async with db.engine.begin() as connection:
        await connection.execute(text(_SEED), {"p": world.project.id, "n": cards, "label": label})
    with statements(db.engine) as seen:
        body = await gql(BOARD, {"p": str(world.project.id), "f": None}, user=world.pm)
    lanes = body["data"]["board"]["lanes"]
    assert sum(len(lane["cards"]) for lane in lanes) == cards
    assert all(
        card["labels"] == [{"id": label, "name": "L", "color": "#6b7280"}]
        for lane in lanes
        for card in lane["cards"]
    )
    ranks = [card["boardRank"] for card in lanes[0]["cards"]]
    assert ranks == sorted(ranks)
    return len(seen)


async def test_board_statement_count_does_not_grow_with_cards(
    gql: GraphQLClient, db: AppState
) -> None:
    small = await _count(gql, db, 30)
    large = await _count(gql, db, 3000)
    assert small == large
    assert large <= 5  # account check, role, columns + counts, cards, labels of all cards
