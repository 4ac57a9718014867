"""The security audit log: what each security-relevant action records, and who may read it."""

from __future__ import annotations

from typing import Any

import httpx

from app.models.enums import Role
from app.state import AppState
from tests.app.webhooks.helpers import create_webhook
from tests.conftest import GraphQLClient
from tests.factories import PASSWORD, make_project, make_user, make_workspace

AUDIT = """query($w: ID!, $events: [String!]) {
  securityAudit(workspaceId: $w, events: $events) {
    id event actorId userId workspaceId address details } }"""
LOGIN = """mutation($e: String!, $p: String!) { login(email: $e, password: $p) { __typename
  ... on AuthPayload { refreshToken } } }"""


async def _audit(
    gql: GraphQLClient, user: Any, workspace: Any, events: list[str] | None = None
) -> list[dict[str, Any]]:
    body = await gql(AUDIT, {"w": str(workspace), "events": events}, user=user)
    assert "errors" not in body, body
    rows: list[dict[str, Any]] = body["data"]["securityAudit"]
    return rows


async def test_sign_ins_tokens_roles_and_webhooks_are_recorded(
    db: AppState, gql: GraphQLClient, client: httpx.AsyncClient
) -> None:
    owner = await make_user(db)
    member = await make_user(db)
    outsider = await make_user(db)
    workspace = await make_workspace(db, owner)
    project = await make_project(db, workspace)

    # Sign-ins: a wrong password, a right one, a logout (the member joins the workspace
    # first, so their sign-ins are the workspace's business).
    added = await gql(
        """mutation($p: ID!, $u: ID!) { addProjectMember(projectId: $p, userId: $u,
        role: TEAM_MEMBER) { __typename } }""",
        {"p": str(project.id), "u": str(member.id)},
        user=owner.id,
    )
    assert added["data"]["addProjectMember"]["__typename"] == "ProjectMemberPayload"
    wrong = await gql(LOGIN, {"e": member.email, "p": "not it"})
    assert wrong["data"]["login"]["__typename"] == "AuthenticationFailed"
    right = await gql(LOGIN, {"e": member.email, "p": PASSWORD})
    refresh = right["data"]["login"]["refreshToken"]
    await gql("mutation($r: String!) { logout(refreshToken: $r) { revoked } }", {"r": refresh})
    await gql(LOGIN, {"e": outsider.email, "p": PASSWORD})  # not a member: not shown

    changed = await gql(
        """mutation($p: ID!, $u: ID!) { changeProjectMemberRole(projectId: $p, userId: $u,
        role: PROJECT_MANAGER) { __typename } }""",
        {"p": str(project.id), "u": str(member.id)},
        user=owner.id,
    )
    assert changed["data"]["changeProjectMemberRole"]["__typename"] == "ProjectMemberPayload"
    minted = await gql(
        'mutation { createApiToken(input: {name: "ci"}) { ... on CreatedApiToken { '
        "apiToken { id } } } }",
        user=member.id,
    )
    token_id = minted["data"]["createApiToken"]["apiToken"]["id"]
    await gql(
        "mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }",
        {"id": token_id},
        user=member.id,
    )
    hook = await create_webhook(
        gql,
        owner.id,
        projectId=str(project.id),
        url="http://127.0.0.1:9/hook",
        events=["task.created"],
    )
    await gql(
        """mutation($p: ID!, $u: ID!) { removeProjectMember(projectId: $p, userId: $u) {
        __typename } }""",
        {"p": str(project.id), "u": str(member.id)},
        user=owner.id,
    )

    rows = await _audit(gql, owner.id, workspace.id)
    assert [r["event"] for r in reversed(rows)] == [
        "member.added",
        "login.failed",
        "login.succeeded",
        "logout",
        "member.role_changed",
        "token.minted",
        "token.revoked",
        "webhook.created",
        "member.removed",
    ]
    by_event = {r["event"]: r for r in rows}
    assert by_event["member.added"]["actorId"] == str(owner.id)
    assert by_event["member.added"]["userId"] == str(member.id)
    assert by_event["member.added"]["workspaceId"] == str(workspace.id)
    assert by_event["member.added"]["details"] == {
        "scope": "project",
        "projectId": str(project.id),
        "role": "TEAM_MEMBER",
    }
    assert by_event["member.role_changed"]["details"]["previousRole"] == "TEAM_MEMBER"
    assert by_event["login.failed"]["actorId"] is None
    assert by_event["login.failed"]["userId"] == str(member.id)
    assert by_event["login.failed"]["details"] == {"reason": "wrong e-mail or password"}
    assert by_event["login.succeeded"]["address"] == "127.0.0.1"
    assert by_event["login.succeeded"]["workspaceId"] is None
    assert by_event["token.minted"]["details"]["tokenId"] == token_id
    assert by_event["webhook.created"]["details"] == {
        "webhookId": hook["webhook"]["id"],
        "projectId": str(project.id),
        "url": "http://127.0.0.1:9/hook",
        "events": ["task.created"],
    }
    assert all(r["userId"] != str(outsider.id) for r in rows)
    # Filtered by kind, and paged back by id.
    logins = await _audit(gql, owner.id, workspace.id, ["login.succeeded", "login.failed"])
    assert [r["event"] for r in logins] == ["login.succeeded", "login.failed"]
    older = await gql(
        """query($w: ID!, $b: Int!) { securityAudit(workspaceId: $w, beforeId: $b, first: 2) {
        event } }""",
        {"w": str(workspace.id), "b": by_event["logout"]["id"]},
        user=owner.id,
    )
    assert [r["event"] for r in older["data"]["securityAudit"]] == [
        "login.succeeded",
        "login.failed",
    ]


async def test_only_workspace_owners_and_admins_read_it(db: AppState, gql: GraphQLClient) -> None:
    owner = await make_user(db)
    manager = await make_user(db)
    workspace = await make_workspace(db, owner)
    await make_project(db, workspace, members={manager.id: Role.PROJECT_ADMIN})
    await gql(LOGIN, {"e": owner.email, "p": PASSWORD})
    assert [r["event"] for r in await _audit(gql, owner.id, workspace.id)] == ["login.succeeded"]
    assert await _audit(gql, manager.id, workspace.id) == []  # a Project Admin is not enough
    names = (await gql("{ auditEvents { name } }", user=owner.id))["data"]["auditEvents"]
    assert {"login.failed", "webhook.secret_rotated"} <= {n["name"] for n in names}
