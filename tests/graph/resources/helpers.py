"""GraphQL helpers of the resource tests."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import GraphQLClient

RESOURCE_FIELDS = """
id workspaceId name kind maxUnits availability { start units } calendarId
daysOff { start end } standardRate overtimeRate costPerUse userId labels serverVersion
"""
CREATE_RESOURCE = f"""
mutation($input: CreateResourceInput!) {{
  createResource(input: $input) {{
    __typename
    ... on ResourcePayload {{ resource {{ {RESOURCE_FIELDS} }} }}
    ... on ValidationError {{ fields {{ path message }} }}
    ... on Forbidden {{ message }}
    ... on NotFound {{ message }}
  }}
}}"""
ERRORS = """
    ... on ValidationError { message fields { path message } }
    ... on Forbidden { message }
    ... on NotFound { message }
    ... on Conflict { message currentVersion }
"""
ASSIGN = f"""
mutation($input: AssignInput!) {{
  assignResource(input: $input) {{
    __typename
    ... on AssignmentPayload {{ assignment {{ id taskId resourceId units work workIsGiven }} }}
    {ERRORS}
  }}
}}"""
LEVEL = """
mutation($scope: ScopeInput!, $apply: Boolean!, $options: LevelingOptionsInput) {
  levelResources(scope: $scope, apply: $apply, options: $options) {
    __typename
    ... on LevelingPayload {
      applied stoppedBy
      tasks { taskId delay startBefore startAfter finishAfter }
      projects { projectId finishBefore finishAfter }
      overallocations { resourceId first last taskIds used available reason }
    }
    ... on ValidationError { message fields { path message } }
    ... on Forbidden { message }
    ... on NotFound { message }
  }
}"""
CLEAR = """
mutation($scope: ScopeInput!) {
  clearLeveling(scope: $scope) {
    __typename
    ... on ClearLevelingPayload { projectIds }
    ... on Forbidden { message }
    ... on NotFound { message }
  }
}"""
USAGE = """
query($scope: ScopeInput!, $from: Date!, $to: Date!, $period: UsagePeriod!) {
  resourceUsage(scope: $scope, from: $from, to: $to, period: $period) {
    __typename
    ... on ResourceUsageList {
      resources { resourceId periods { start end allocated available peak overallocated taskIds } }
    }
    ... on ValidationError { fields { path message } }
    ... on Forbidden { message }
    ... on NotFound { message }
  }
}"""
OVER = """
query($scope: ScopeInput!, $from: Date!, $to: Date!) {
  overallocations(scope: $scope, from: $from, to: $to) {
    __typename
    ... on OverallocationList { overallocations { resourceId first last taskIds used available } }
    ... on Forbidden { message }
    ... on NotFound { message }
  }
}"""
TASK_DATES = """
query($id: ID!) {
  task(id: $id) {
    earlyStart earlyFinish leveledStart levelingDelay
    assignments { resourceId units work }
  }
}"""


async def create_resource(
    gql: GraphQLClient, user: uuid.UUID, workspace: uuid.UUID, name: str, **fields: Any
) -> dict[str, Any]:
    body = await gql(
        CREATE_RESOURCE,
        {"input": {"workspaceId": str(workspace), "name": name, **fields}},
        user=user,
    )
    result: dict[str, Any] = body["data"]["createResource"]
    assert result["__typename"] == "ResourcePayload", result
    resource: dict[str, Any] = result["resource"]
    return resource


async def assign(
    gql: GraphQLClient, user: uuid.UUID, task: str, resource: str, **fields: Any
) -> dict[str, Any]:
    body = await gql(
        ASSIGN, {"input": {"taskId": task, "resourceId": resource, **fields}}, user=user
    )
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["assignResource"]
    return result


def scope(kind: str, target: uuid.UUID | str) -> dict[str, str]:
    return {"kind": kind, "id": str(target)}
