"""GraphQL helpers for board and label tests."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import GraphQLClient

CARD = "id name columnId boardRank serverVersion isCritical earlyStart earlyFinish totalFloat"
BOARD = f"""
query($p: ID!, $f: BoardFilterInput) {{
  board(projectId: $p, filter: $f) {{
    projectId
    lanes {{
      column {{ id name category wipLimit rank serverVersion }}
      cardCount wipExceeded
      cards {{ {CARD} labels {{ id name color }} }}
    }}
  }}
}}"""
MOVE = """
mutation($t: ID!, $c: ID!, $before: ID, $after: ID, $v: Int) {
  moveTask(taskId: $t, columnId: $c, beforeId: $before, afterId: $after, serverVersion: $v) {
    __typename
    ... on TaskPayload { task { id columnId boardRank serverVersion } }
    ... on ValidationError { fields { path message } }
    ... on Conflict { currentVersion }
    ... on Forbidden { message }
    ... on NotFound { message }
  }
}"""


async def board(
    gql: GraphQLClient, user: uuid.UUID, project: uuid.UUID, **filters: Any
) -> dict[str, Any]:
    body = await gql(BOARD, {"p": str(project), "f": filters or None}, user=user)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["board"]
    return result


def names(result: dict[str, Any]) -> dict[str, list[str]]:
    """Column name -> card names in order."""
    return {
        lane["column"]["name"]: [card["name"] for card in lane["cards"]] for lane in result["lanes"]
    }


def column_ids(result: dict[str, Any]) -> dict[str, str]:
    return {lane["column"]["name"]: lane["column"]["id"] for lane in result["lanes"]}


async def move(
    gql: GraphQLClient, user: uuid.UUID, task: str, column: str, **where: Any
) -> dict[str, Any]:
    body = await gql(MOVE, {"t": task, "c": column, **where}, user=user)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["moveTask"]
    return result
