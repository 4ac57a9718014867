"""Workspaces over GraphQL: create, list, rename, membership and its effects on projects."""

from __future__ import annotations

import pytest

from app.models.enums import Role, WorkspaceRole
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_project, make_user, make_workspace
from tests.graph.workspaces.factories import join_workspace

ADD = """mutation($w: ID!, $e: String!, $r: WorkspaceRole!) {
  addWorkspaceMember(workspaceId: $w, email: $e, role: $r) {
    __typename ... on WorkspaceMemberPayload { member { role user { email } } }
    ... on ValidationError { fields { path message } } } }"""
REMOVE = """mutation($w: ID!, $u: ID!) { removeWorkspaceMember(workspaceId: $w, userId: $u) {
    __typename ... on RemoveMemberPayload { removedUserId }
    ... on ValidationError { fields { path message } } } }"""


async def test_create_list_and_rename(gql: GraphQLClient, db: AppState) -> None:
    user = await make_user(db, "ann@example.com")
    created = await gql(
        """mutation { createWorkspace(name: "Acme") { __typename
            ... on WorkspacePayload { workspace { id name serverVersion myRole
            members { role user { email } } } } } }""",
        user=user.id,
    )
    workspace = created["data"]["createWorkspace"]["workspace"]
    assert (workspace["name"], workspace["serverVersion"], workspace["myRole"]) == (
        "Acme",
        1,
        "OWNER",
    )
    assert workspace["members"] == [{"role": "OWNER", "user": {"email": "ann@example.com"}}]
    await gql('mutation { createWorkspace(name: "Beta") { __typename } }', user=user.id)
    page = await gql(
        "query { workspaces(first: 1) { totalCount pageInfo { hasNextPage endCursor } "
        "nodes { name } } }",
        user=user.id,
    )
    assert page["data"]["workspaces"]["totalCount"] == 2
    assert page["data"]["workspaces"]["nodes"] == [{"name": "Acme"}]
    cursor = page["data"]["workspaces"]["pageInfo"]["endCursor"]
    rest = await gql(
        "query($a: String) { workspaces(first: 1, after: $a) { nodes { name } } }",
        {"a": cursor},
        user=user.id,
    )
    assert rest["data"]["workspaces"]["nodes"] == [{"name": "Beta"}]

    rename = """mutation($id: ID!, $v: Int) { updateWorkspace(id: $id, name: "Acme 2",
        serverVersion: $v) { __typename ... on WorkspacePayload { workspace { name serverVersion } }
        ... on Conflict { currentVersion } } }"""
    ok = await gql(rename, {"id": workspace["id"], "v": 1}, user=user.id)
    assert ok["data"]["updateWorkspace"]["workspace"] == {"name": "Acme 2", "serverVersion": 2}
    stale = await gql(rename, {"id": workspace["id"], "v": 1}, user=user.id)
    assert stale["data"]["updateWorkspace"] == {"__typename": "Conflict", "currentVersion": 2}


@pytest.mark.parametrize(
    ("actor_role", "granted", "expected"),
    [
        (WorkspaceRole.OWNER, WorkspaceRole.OWNER, "WorkspaceMemberPayload"),
        (WorkspaceRole.ADMIN, WorkspaceRole.ADMIN, "WorkspaceMemberPayload"),
        (WorkspaceRole.ADMIN, WorkspaceRole.OWNER, "Forbidden"),
        (WorkspaceRole.MEMBER, WorkspaceRole.MEMBER, "Forbidden"),
    ],
)
async def test_add_workspace_member_permissions(
    gql: GraphQLClient,
    db: AppState,
    actor_role: WorkspaceRole,
    granted: WorkspaceRole,
    expected: str,
) -> None:
    owner = await make_user(db)
    workspace = await make_workspace(db, owner)
    actor = await make_user(db)
    await join_workspace(db, workspace, actor, actor_role)
    newcomer = await make_user(db, "new@example.com")
    body = await gql(
        ADD, {"w": str(workspace.id), "e": "NEW@example.com", "r": granted.name}, user=actor.id
    )
    assert body["data"]["addWorkspaceMember"]["__typename"] == expected
    if expected == "WorkspaceMemberPayload":
        assert body["data"]["addWorkspaceMember"]["member"] == {
            "role": granted.name,
            "user": {"email": newcomer.email},
        }


async def test_add_workspace_member_validation(gql: GraphQLClient, db: AppState) -> None:
    owner = await make_user(db, "o@example.com")
    workspace = await make_workspace(db, owner)
    unknown = await gql(
        ADD, {"w": str(workspace.id), "e": "nobody@x.org", "r": "MEMBER"}, user=owner.id
    )
    assert unknown["data"]["addWorkspaceMember"]["fields"] == [
        {"path": ["email"], "message": "no active account matches"}
    ]
    again = await gql(
        ADD, {"w": str(workspace.id), "e": "o@example.com", "r": "MEMBER"}, user=owner.id
    )
    assert again["data"]["addWorkspaceMember"]["fields"] == [
        {"path": ["email"], "message": "is already a member of this workspace"}
    ]


async def test_removing_a_member_removes_their_project_roles(
    gql: GraphQLClient, db: AppState
) -> None:
    owner = await make_user(db)
    workspace = await make_workspace(db, owner)
    leaver = await make_user(db)
    await join_workspace(db, workspace, leaver)
    project = await make_project(db, workspace, members={leaver.id: Role.PROJECT_MANAGER})
    seen = "query($p: ID!) { project(id: $p) { id } }"
    assert (await gql(seen, {"p": str(project.id)}, user=leaver.id))["data"]["project"] is not None
    body = await gql(REMOVE, {"w": str(workspace.id), "u": str(leaver.id)}, user=owner.id)
    assert body["data"]["removeWorkspaceMember"] == {
        "__typename": "RemoveMemberPayload",
        "removedUserId": str(leaver.id),
    }
    assert (await gql(seen, {"p": str(project.id)}, user=leaver.id))["data"]["project"] is None
    ws = await gql(
        "query($w: ID!) { workspace(id: $w) { id } }", {"w": str(workspace.id)}, user=leaver.id
    )
    assert ws["data"]["workspace"] is None


async def test_last_owner_cannot_be_removed(gql: GraphQLClient, db: AppState) -> None:
    owner = await make_user(db)
    workspace = await make_workspace(db, owner)
    body = await gql(REMOVE, {"w": str(workspace.id), "u": str(owner.id)}, user=owner.id)
    assert body["data"]["removeWorkspaceMember"] == {
        "__typename": "ValidationError",
        "fields": [{"path": ["userId"], "message": "the last owner cannot be removed"}],
    }


async def test_adding_a_project_member_joins_them_to_the_workspace(
    gql: GraphQLClient, db: AppState
) -> None:
    owner = await make_user(db)
    workspace = await make_workspace(db, owner)
    project = await make_project(db, workspace)
    colleague = await make_user(db, "colleague@example.com")
    body = await gql(
        """mutation($p: ID!) { addProjectMember(projectId: $p, email: "Colleague@example.com",
            role: TEAM_MEMBER) { __typename ... on ProjectMemberPayload { projectId
            member { role user { email } } } } }""",
        {"p": str(project.id)},
        user=owner.id,
    )
    assert body["data"]["addProjectMember"] == {
        "__typename": "ProjectMemberPayload",
        "projectId": str(project.id),
        "member": {"role": "TEAM_MEMBER", "user": {"email": "colleague@example.com"}},
    }
    ws = await gql(
        "query($w: ID!) { workspace(id: $w) { myRole } }",
        {"w": str(workspace.id)},
        user=colleague.id,
    )
    assert ws["data"]["workspace"] == {"myRole": "MEMBER"}


async def test_last_project_admin_stays(gql: GraphQLClient, db: AppState) -> None:
    owner = await make_user(db)
    workspace = await make_workspace(db, owner)
    admin = await make_user(db)
    project = await make_project(db, workspace, members={admin.id: Role.PROJECT_ADMIN})
    variables = {"p": str(project.id), "u": str(admin.id)}
    demote = await gql(
        """mutation($p: ID!, $u: ID!) { changeProjectMemberRole(projectId: $p, userId: $u,
            role: VIEWER) { __typename ... on ValidationError { fields { path message } } } }""",
        variables,
        user=admin.id,
    )
    message = "the last Project Admin of the project cannot be demoted or removed"
    assert demote["data"]["changeProjectMemberRole"]["fields"] == [
        {"path": ["role"], "message": message}
    ]
    remove = await gql(
        """mutation($p: ID!, $u: ID!) { removeProjectMember(projectId: $p, userId: $u) {
            __typename ... on ValidationError { fields { path message } } } }""",
        variables,
        user=admin.id,
    )
    assert remove["data"]["removeProjectMember"]["fields"] == [
        {"path": ["userId"], "message": message}
    ]
