"""GraphQL strings, a runner fixture and helpers for sprint tests."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text

from app.scheduling.runner import InProcessRunner
from app.state import AppState
from tests.conftest import GraphQLClient

SPRINT_FIELDS = (
    "id name goal state order startDate endDate committedPoints completedPoints serverVersion"
)
CREATE = f"""
mutation($input: CreateSprintInput!) {{
  createSprint(input: $input) {{
    __typename
    ... on SprintPayload {{ sprint {{ {SPRINT_FIELDS} }} }}
    ... on ValidationError {{ fields {{ path message }} }}
  }}
}}"""
ADD = """
mutation($s: ID!, $t: [ID!]!) {
  addTasksToSprint(sprintId: $s, taskIds: $t) {
    __typename
    ... on SprintPlanPayload { movedTaskIds sprint { id } }
    ... on ValidationError { fields { path message } }
    ... on InvalidSprintState { state message }
  }
}"""
REMOVE = """
mutation($s: ID!, $t: [ID!]!) {
  removeTasksFromSprint(sprintId: $s, taskIds: $t) {
    __typename ... on SprintPlanPayload { movedTaskIds }
  }
}"""
START = f"""
mutation($id: ID!) {{
  startSprint(id: $id) {{
    __typename
    ... on SprintPayload {{ sprint {{ {SPRINT_FIELDS} }} }}
    ... on ActiveSprintExists {{ activeSprintId message }}
    ... on InvalidSprintState {{ state message }}
  }}
}}"""
CLOSE = f"""
mutation($id: ID!) {{
  closeSprint(id: $id) {{
    __typename
    ... on SprintPayload {{ sprint {{ {SPRINT_FIELDS} }} }}
    ... on InvalidSprintState {{ state message }}
  }}
}}"""
UPDATE_TASK = """
mutation($id: ID!, $input: UpdateTaskInput!) {
  updateTask(id: $id, input: $input) { __typename }
}"""
TASK_SPRINTS = """
query($p: ID!) { tasks(projectId: $p) { nodes { name sprintId } } }"""


async def create_sprint(
    gql: GraphQLClient, user: Any, project: str, name: str, start: str, end: str, **extra: Any
) -> dict[str, Any]:
    body = await gql(
        CREATE,
        {
            "input": {
                "projectId": project,
                "name": name,
                "startDate": start,
                "endDate": end,
                **extra,
            }
        },
        user=user,
    )
    result: dict[str, Any] = body["data"]["createSprint"]
    assert result["__typename"] == "SprintPayload", result
    sprint: dict[str, Any] = result["sprint"]
    return sprint


async def op(gql: GraphQLClient, user: Any, query: str, **variables: Any) -> dict[str, Any]:
    """Run a mutation and return its (single) result object."""
    body = await gql(query, variables, user=user)
    assert "errors" not in body, body
    result: dict[str, Any] = next(iter(body["data"].values()))
    return result


async def sprint_of(gql: GraphQLClient, user: Any, project: str) -> dict[str, str | None]:
    body = await gql(TASK_SPRINTS, {"p": project}, user=user)
    return {n["name"]: n["sprintId"] for n in body["data"]["tasks"]["nodes"]}


@asynccontextmanager
async def runner_for(db: AppState) -> AsyncIterator[InProcessRunner]:
    runner = InProcessRunner(db.sessions, sweep_every=30, bus=db.events)
    runner.start()
    db.uow_context["schedule_poke"] = runner.poke
    try:
        yield runner
    finally:
        db.uow_context.pop("schedule_poke")
        await runner.stop()


async def settle(runner: InProcessRunner) -> None:
    await asyncio.sleep(0.2)  # the poke runs after commit; let the relay claim and queue
    await asyncio.wait_for(runner.idle.wait(), timeout=10)


@asynccontextmanager
async def happened_at(db: AppState, when: dt.datetime) -> AsyncIterator[None]:
    """Re-date what the block records (sprint log rows, sprint start/close times) to `when`:
    burndown tests replay a sprint in the past through the real mutations."""
    async with db.engine.begin() as connection:
        marker = (await connection.execute(text("SELECT clock_timestamp()"))).scalar_one()
    yield
    async with db.engine.begin() as connection:
        params = {"when": when, "marker": marker}
        await connection.execute(
            text("UPDATE sprint_task_log SET at = :when WHERE at >= :marker"), params
        )
        for column in ("started_at", "closed_at"):
            await connection.execute(
                text(f"UPDATE sprint SET {column} = :when WHERE {column} >= :marker"), params
            )
