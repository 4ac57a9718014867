"""Projects over GraphQL: create, update with optimistic concurrency, trash and restore,
validation paths, pagination and the constant query count of `projects { members }`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from app.models.enums import Role
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_project, make_user, make_workspace
from tests.graph.workspaces.factories import join_workspace

PROJECT_FIELDS = """id workspaceId programId name description status startDate statusDate
    defaultCalendarId serverVersion isDeleted myRole members { role user { email } }"""
CREATE = f"""
mutation($input: CreateProjectInput!) {{
  createProject(input: $input) {{
    __typename
    ... on ProjectPayload {{ project {{ {PROJECT_FIELDS} }} }}
    ... on ValidationError {{ fields {{ path message }} }}
    ... on NotFound {{ message }}
  }}
}}"""
UPDATE = """
mutation($id: ID!, $input: UpdateProjectInput!, $v: Int) {
  updateProject(id: $id, input: $input, serverVersion: $v) {
    __typename
    ... on ProjectPayload { project { name status statusDate serverVersion } }
    ... on Conflict { currentVersion }
    ... on ValidationError { fields { path message } }
  }
}"""
DELETE = """mutation($id: ID!, $v: Int) { deleteProject(id: $id, serverVersion: $v) {
    __typename ... on ProjectPayload { project { isDeleted serverVersion } } } }"""
RESTORE = """mutation($id: ID!) { restoreProject(id: $id) {
    __typename ... on ProjectPayload { project { isDeleted serverVersion programId } } } }"""
PROJECT = "query($id: ID!) { project(id: $id) { name } }"
TRASH = """query($ws: ID!) { trashedProjects(workspaceId: $ws) {
    totalCount nodes { id isDeleted myRole } } }"""
PAGE = """query($ws: ID, $first: Int, $after: String) {
  projects(workspaceId: $ws, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }"""


async def _setup(db: AppState) -> tuple[Any, Any]:
    owner = await make_user(db, "owner@example.com")
    workspace = await make_workspace(db, owner)
    return owner, workspace


async def test_create_project_makes_creator_project_admin(gql: GraphQLClient, db: AppState) -> None:
    owner, workspace = await _setup(db)
    member = await make_user(db, "member@example.com")
    await join_workspace(db, workspace, member)
    body = await gql(
        CREATE,
        {
            "input": {
                "workspaceId": str(workspace.id),
                "name": "  Bridge  ",
                "startDate": "2026-03-02",
                "statusDate": "2026-03-09",
                "status": "ACTIVE",
            }
        },
        user=member.id,
    )
    project = body["data"]["createProject"]["project"]
    assert project["name"] == "Bridge"
    assert project["workspaceId"] == str(workspace.id)
    assert project["programId"] is None
    assert project["description"] == ""
    assert project["status"] == "ACTIVE"
    assert (project["startDate"], project["statusDate"]) == ("2026-03-02", "2026-03-09")
    assert project["defaultCalendarId"] is None
    assert (project["serverVersion"], project["isDeleted"]) == (1, False)
    assert project["myRole"] == "PROJECT_ADMIN"
    assert project["members"] == [
        {"role": "PROJECT_ADMIN", "user": {"email": "member@example.com"}}
    ]
    # The workspace owner sees it too, as Project Admin by virtue of owning the workspace.
    listed = await gql(PAGE, {"ws": str(workspace.id)}, user=owner.id)
    assert [e["node"]["name"] for e in listed["data"]["projects"]["edges"]] == ["Bridge"]


async def test_create_project_validation_names_every_field(
    gql: GraphQLClient, db: AppState
) -> None:
    owner, workspace = await _setup(db)
    body = await gql(
        CREATE,
        {
            "input": {
                "workspaceId": str(workspace.id),
                "name": "   ",
                "description": "x" * 4001,
                "startDate": "2026-03-02",
                "statusDate": "2026-03-01",
            }
        },
        user=owner.id,
    )
    result = body["data"]["createProject"]
    assert result["__typename"] == "ValidationError"
    assert result["fields"] == [
        {"path": ["input", "name"], "message": "must not be blank"},
        {"path": ["input", "description"], "message": "must be at most 4000 characters"},
        {"path": ["input", "statusDate"], "message": "must not be before the start date"},
    ]


async def test_update_project_bumps_version_and_detects_stale_writes(
    gql: GraphQLClient, db: AppState
) -> None:
    owner, workspace = await _setup(db)
    project = await make_project(db, workspace)
    first = await gql(
        UPDATE,
        {"id": str(project.id), "input": {"name": "Renamed", "status": "ON_HOLD"}, "v": 1},
        user=owner.id,
    )
    assert first["data"]["updateProject"] == {
        "__typename": "ProjectPayload",
        "project": {"name": "Renamed", "status": "ON_HOLD", "statusDate": None, "serverVersion": 2},
    }
    stale = await gql(
        UPDATE, {"id": str(project.id), "input": {"name": "Lost"}, "v": 1}, user=owner.id
    )
    assert stale["data"]["updateProject"] == {"__typename": "Conflict", "currentVersion": 2}
    current = await gql(PROJECT, {"id": str(project.id)}, user=owner.id)
    assert current["data"]["project"] == {"name": "Renamed"}


async def test_update_project_validation_paths(gql: GraphQLClient, db: AppState) -> None:
    owner, workspace = await _setup(db)
    project = await make_project(db, workspace)  # starts 2026-01-05
    body = await gql(
        UPDATE,
        {"id": str(project.id), "input": {"statusDate": "2026-01-04", "startDate": None}},
        user=owner.id,
    )
    assert body["data"]["updateProject"]["fields"] == [
        {"path": ["input", "startDate"], "message": "must not be null"},
    ]
    body = await gql(
        UPDATE, {"id": str(project.id), "input": {"statusDate": "2026-01-04"}}, user=owner.id
    )
    assert body["data"]["updateProject"]["fields"] == [
        {"path": ["input", "statusDate"], "message": "must not be before the start date"},
    ]
    body = await gql(
        UPDATE,
        {"id": str(project.id), "input": {"defaultCalendarId": str(project.id)}},
        user=owner.id,
    )
    assert body["data"]["updateProject"]["fields"] == [
        {"path": ["input", "defaultCalendarId"], "message": "no such calendar in this project"},
    ]


async def test_trash_and_restore(gql: GraphQLClient, db: AppState) -> None:
    _owner, workspace = await _setup(db)
    admin = await make_user(db, "admin@example.com")
    manager = await make_user(db, "pm@example.com")
    project = await make_project(
        db, workspace, members={admin.id: Role.PROJECT_ADMIN, manager.id: Role.PROJECT_MANAGER}
    )
    pid = str(project.id)
    stale = await gql(DELETE, {"id": pid, "v": 7}, user=admin.id)
    assert stale["data"]["deleteProject"]["__typename"] == "Conflict"
    deleted = await gql(DELETE, {"id": pid, "v": 1}, user=admin.id)
    assert deleted["data"]["deleteProject"]["project"] == {"isDeleted": True, "serverVersion": 2}

    assert (await gql(PROJECT, {"id": pid}, user=admin.id))["data"]["project"] is None
    listed = await gql(PAGE, {"ws": str(workspace.id)}, user=admin.id)
    assert listed["data"]["projects"]["totalCount"] == 0
    trash = await gql(TRASH, {"ws": str(workspace.id)}, user=admin.id)
    assert trash["data"]["trashedProjects"] == {
        "totalCount": 1,
        "nodes": [{"id": pid, "isDeleted": True, "myRole": "PROJECT_ADMIN"}],
    }
    # A Project Manager neither sees the trash nor restores from it.
    pm_trash = await gql(TRASH, {"ws": str(workspace.id)}, user=manager.id)
    assert pm_trash["data"]["trashedProjects"]["totalCount"] == 0
    pm_restore = await gql(RESTORE, {"id": pid}, user=manager.id)
    assert pm_restore["data"]["restoreProject"]["__typename"] == "Forbidden"
    # Updating a trashed project is "not found": it is not live.
    trashed_update = await gql(UPDATE, {"id": pid, "input": {"name": "x"}}, user=admin.id)
    assert trashed_update["data"]["updateProject"]["__typename"] == "NotFound"

    restored = await gql(RESTORE, {"id": pid}, user=admin.id)
    assert restored["data"]["restoreProject"]["project"] == {
        "isDeleted": False,
        "serverVersion": 3,
        "programId": None,
    }
    assert (await gql(PROJECT, {"id": pid}, user=manager.id))["data"]["project"] == {
        "name": "Project"
    }
    again = await gql(RESTORE, {"id": pid}, user=admin.id)
    assert again["data"]["restoreProject"]["__typename"] == "NotFound"


async def test_pagination_and_page_size_cap(gql: GraphQLClient, db: AppState) -> None:
    owner, workspace = await _setup(db)
    for name in ("A", "B", "C"):
        await gql(
            CREATE,
            {"input": {"workspaceId": str(workspace.id), "name": name, "startDate": "2026-01-05"}},
            user=owner.id,
        )
    page1 = (await gql(PAGE, {"ws": str(workspace.id), "first": 2}, user=owner.id))["data"]
    assert [e["node"]["name"] for e in page1["projects"]["edges"]] == ["A", "B"]
    assert page1["projects"]["totalCount"] == 3
    assert page1["projects"]["pageInfo"]["hasNextPage"] is True
    cursor = page1["projects"]["pageInfo"]["endCursor"]
    page2 = (await gql(PAGE, {"first": 2, "after": cursor}, user=owner.id))["data"]
    assert [e["node"]["name"] for e in page2["projects"]["edges"]] == ["C"]
    assert page2["projects"]["pageInfo"]["hasNextPage"] is False

    too_big = await gql(PAGE, {"first": 51}, user=owner.id)
    assert too_big["data"] is None
    assert too_big["errors"][0]["message"] == "`first` must be between 1 and 50"
    bad_cursor = await gql(PAGE, {"after": "nonsense"}, user=owner.id)
    assert bad_cursor["errors"][0]["message"] == "invalid cursor"


@contextmanager
def _count_statements(db: AppState) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


async def _statements_for_projects(gql: GraphQLClient, db: AppState, count: int) -> int:
    owner = await make_user(db)
    workspace = await make_workspace(db, owner)
    for _ in range(count):
        people = [await make_user(db) for _ in range(3)]
        await make_project(db, workspace, members={p.id: Role.TEAM_MEMBER for p in people})
    query = """query($ws: ID!) { projects(workspaceId: $ws) { edges { node {
        name myRole members { role user { email name } } } } } }"""
    # Signed in once before: the check that the account is still active is cached for a few
    # seconds (app/auth/accounts.py), not part of the query's cost.
    await gql("{ me { id } }", {}, user=owner.id)
    with _count_statements(db) as statements:
        body = await gql(query, {"ws": str(workspace.id)}, user=owner.id)
    nodes = [e["node"] for e in body["data"]["projects"]["edges"]]
    assert len(nodes) == count
    assert all(len(n["members"]) == 3 and n["myRole"] == "PROJECT_ADMIN" for n in nodes)
    return len(statements)


async def test_members_of_a_project_list_cost_a_constant_number_of_statements(
    gql: GraphQLClient, db: AppState
) -> None:
    few = await _statements_for_projects(gql, db, 2)
    many = await _statements_for_projects(gql, db, 7)
    # count + page + one batch for myRole + one batch for members
    assert few == many == 4
