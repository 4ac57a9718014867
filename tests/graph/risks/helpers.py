"""GraphQL helpers for risk tests."""

from __future__ import annotations

import uuid
from typing import Any

from app.models import Project
from tests.conftest import GraphQLClient

RISK_FIELDS = """id projectId title description probability impactDays impactCost status ownerId
response trigger serverVersion isDeleted exposureDays exposureCost taskIds"""
CREATE_RISK = f"""
mutation($input: CreateRiskInput!) {{
  createRisk(input: $input) {{
    __typename
    ... on RiskPayload {{ risk {{ {RISK_FIELDS} }} }}
    ... on ValidationError {{ fields {{ path message }} }}
    ... on Forbidden {{ message }}
    ... on NotFound {{ message }}
  }}
}}"""
UPDATE_RISK = f"""
mutation($id: ID!, $input: UpdateRiskInput!, $v: Int) {{
  updateRisk(id: $id, input: $input, serverVersion: $v) {{
    __typename
    ... on RiskPayload {{ risk {{ {RISK_FIELDS} }} }}
    ... on ValidationError {{ fields {{ path message }} }}
    ... on Conflict {{ message currentVersion }}
    ... on Forbidden {{ message }}
    ... on NotFound {{ message }}
  }}
}}"""
LINK = f"""
mutation($r: ID!, $t: ID!) {{
  linkRiskTask(riskId: $r, taskId: $t) {{
    __typename
    ... on RiskPayload {{ risk {{ {RISK_FIELDS} }} }}
    ... on ValidationError {{ fields {{ path message }} }}
    ... on Conflict {{ message }}
    ... on NotFound {{ message }}
  }}
}}"""
UNLINK = f"""
mutation($r: ID!, $t: ID!) {{
  unlinkRiskTask(riskId: $r, taskId: $t) {{
    __typename
    ... on RiskPayload {{ risk {{ {RISK_FIELDS} }} }}
    ... on NotFound {{ message }}
  }}
}}"""


async def create_risk(
    gql: GraphQLClient,
    user: uuid.UUID,
    project: Project,
    title: str = "Supplier late",
    **fields: Any,
) -> dict[str, Any]:
    body = await gql(
        CREATE_RISK, {"input": {"projectId": str(project.id), "title": title, **fields}}, user=user
    )
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["createRisk"]
    assert result["__typename"] == "RiskPayload", result
    risk: dict[str, Any] = result["risk"]
    return risk


async def link_risk(
    gql: GraphQLClient, user: uuid.UUID, risk_id: str, task_id: str
) -> dict[str, Any]:
    body = await gql(LINK, {"r": risk_id, "t": task_id}, user=user)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["linkRiskTask"]
    return result
