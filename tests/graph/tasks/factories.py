"""Factories and GraphQL helpers for task-domain tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from app.models import Project, User
from app.models.enums import Role
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_project, make_user, make_workspace

CREATE_TASK = """
mutation($input: CreateTaskInput!) {
  createTask(input: $input) {
    __typename
    ... on TaskPayload { task { id name kind parentId depth outlineNumber wbsPath serverVersion } }
    ... on ValidationError { fields { path message } }
    ... on Forbidden { message }
    ... on NotFound { message }
  }
}"""
CREATE_LINK = """
mutation($input: CreateDependencyInput!) {
  createDependency(input: $input) {
    __typename
    ... on DependencyPayload {
      dependency { id projectId predecessorProjectId predecessorId successorId type lag lagUnit }
    }
    ... on DependencyCycle { taskIds message }
    ... on ValidationError { fields { path message } }
    ... on Conflict { message }
    ... on Forbidden { message }
    ... on NotFound { message }
  }
}"""


@dataclass
class World:
    """One workspace owner, one project and one user per role."""

    owner: User
    project: Project
    users: dict[Role, User]

    @property
    def pm(self) -> uuid.UUID:
        return self.users[Role.PROJECT_MANAGER].id


async def make_world(state: AppState) -> World:
    owner = await make_user(state)
    workspace = await make_workspace(state, owner)
    users = {role: await make_user(state) for role in Role}
    project = await make_project(
        state, workspace, members={user.id: role for role, user in users.items()}
    )
    return World(owner=owner, project=project, users=users)


async def create_task(
    gql: GraphQLClient, user: uuid.UUID, project: Project, name: str, **fields: Any
) -> dict[str, Any]:
    """Create a task over GraphQL; returns the task dict (asserts success)."""
    body = await gql(
        CREATE_TASK, {"input": {"projectId": str(project.id), "name": name, **fields}}, user=user
    )
    result: dict[str, Any] = body["data"]["createTask"]
    assert result["__typename"] == "TaskPayload", result
    task: dict[str, Any] = result["task"]
    return task


async def link(
    gql: GraphQLClient, user: uuid.UUID, pred: str, succ: str, **fields: Any
) -> dict[str, Any]:
    """Create a dependency over GraphQL; returns the result union member."""
    body = await gql(
        CREATE_LINK, {"input": {"predecessorId": pred, "successorId": succ, **fields}}, user=user
    )
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["createDependency"]
    return result
