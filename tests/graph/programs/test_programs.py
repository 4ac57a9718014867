"""Programs over GraphQL: the role matrix, inheritance by projects, deletion and conflicts.

In a program, a workspace member without a program role still sees the program (so is
Forbidden, not NotFound); only people outside the workspace get NotFound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import update

from app.models import Program, Project, User
from app.models.enums import Role
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_project, make_user, make_workspace
from tests.graph.matrix import Reseeding
from tests.graph.workspaces.factories import join_workspace, make_program


@dataclass(frozen=True)
class World:
    program: Program
    team_member: User
    other_admin: User
    newcomer: User
    actors: dict[Role | str | None, User]


@dataclass(frozen=True)
class Case:
    query: str
    variables: Callable[[World], dict[str, Any]]
    minimum: Role
    payload: str


_R = "{ __typename }"
_PU = "mutation($p: ID!, $u: ID!)"
CASES: dict[str, Case] = {
    "updateProgram": Case(
        f'mutation($p: ID!) {{ updateProgram(id: $p, name: "N") {_R} }}',
        lambda w: {"p": str(w.program.id)},
        Role.PROJECT_MANAGER,
        "ProgramPayload",
    ),
    "deleteProgram": Case(
        f"mutation($p: ID!) {{ deleteProgram(id: $p) {_R} }}",
        lambda w: {"p": str(w.program.id)},
        Role.PROJECT_ADMIN,
        "ProgramPayload",
    ),
    "addProgramMember": Case(
        f"{_PU} {{ addProgramMember(programId: $p, userId: $u, role: VIEWER) {_R} }}",
        lambda w: {"p": str(w.program.id), "u": str(w.newcomer.id)},
        Role.PROJECT_MANAGER,
        "ProgramMemberPayload",
    ),
    "addProgramMember(PROJECT_ADMIN)": Case(
        f"{_PU} {{ addProgramMember(programId: $p, userId: $u, role: PROJECT_ADMIN) {_R} }}",
        lambda w: {"p": str(w.program.id), "u": str(w.newcomer.id)},
        Role.PROJECT_ADMIN,
        "ProgramMemberPayload",
    ),
    "changeProgramMemberRole": Case(
        f"{_PU} {{ changeProgramMemberRole(programId: $p, userId: $u, role: VIEWER) {_R} }}",
        lambda w: {"p": str(w.program.id), "u": str(w.team_member.id)},
        Role.PROJECT_MANAGER,
        "ProgramMemberPayload",
    ),
    "changeProgramMemberRole(of PROJECT_ADMIN)": Case(
        f"{_PU} {{ changeProgramMemberRole(programId: $p, userId: $u, role: VIEWER) {_R} }}",
        lambda w: {"p": str(w.program.id), "u": str(w.other_admin.id)},
        Role.PROJECT_ADMIN,
        "ProgramMemberPayload",
    ),
    "removeProgramMember": Case(
        f"{_PU} {{ removeProgramMember(programId: $p, userId: $u) {_R} }}",
        lambda w: {"p": str(w.program.id), "u": str(w.team_member.id)},
        Role.PROJECT_MANAGER,
        "RemoveMemberPayload",
    ),
    "removeProgramMember(PROJECT_ADMIN)": Case(
        f"{_PU} {{ removeProgramMember(programId: $p, userId: $u) {_R} }}",
        lambda w: {"p": str(w.program.id), "u": str(w.other_admin.id)},
        Role.PROJECT_ADMIN,
        "RemoveMemberPayload",
    ),
}
# None: in the workspace, no program role. "OUTSIDER": not even in the workspace. Refused
# actors first (tests/graph/matrix.py).
ACTORS: list[Role | str | None] = ["OUTSIDER", None, *Role]


def label(actor: Role | str | None) -> str:
    return actor.name if isinstance(actor, Role) else str(actor)


def expected(actor: Role | str | None, case: Case) -> str:
    if actor == "OUTSIDER":
        return "NotFound"
    if isinstance(actor, Role) and actor >= case.minimum:
        return case.payload
    return "Forbidden"


async def _world(db: AppState) -> World:
    """One actor of each kind beside the users the mutations act on."""
    owner = await make_user(db)
    workspace = await make_workspace(db, owner)
    actors = {actor: await make_user(db) for actor in ACTORS}
    team_member, admin_a, admin_b, newcomer = [await make_user(db) for _ in range(4)]
    insiders = [user for actor, user in actors.items() if actor != "OUTSIDER"]
    for user in (*insiders, team_member, admin_a, admin_b):
        await join_workspace(db, workspace, user)
    members = {
        team_member.id: Role.TEAM_MEMBER,
        admin_a.id: Role.PROJECT_ADMIN,
        admin_b.id: Role.PROJECT_ADMIN,
    }
    members |= {user.id: actor for actor, user in actors.items() if isinstance(actor, Role)}
    program = await make_program(db, workspace, members=members)
    return World(program, team_member, admin_a, newcomer, actors)


@pytest.mark.parametrize("name", list(CASES))
async def test_program_permission_matrix(gql: GraphQLClient, db: AppState, name: str) -> None:
    case = CASES[name]

    async def attempt(world: World, actor: Role | str | None) -> str:
        body = await gql(case.query, case.variables(world), user=world.actors[actor].id)
        field = next(iter(body["data"]))
        outcome: str = body["data"][field]["__typename"]
        return outcome

    seeds = Reseeding(lambda: _world(db))
    outcomes = {}
    for actor in ACTORS:
        outcomes[label(actor)] = await seeds.run(lambda world, actor=actor: attempt(world, actor))
    assert outcomes == {label(actor): expected(actor, case) for actor in ACTORS}


async def test_create_program_and_read_it(gql: GraphQLClient, db: AppState) -> None:
    owner = await make_user(db)
    workspace = await make_workspace(db, owner)
    member = await make_user(db, "m@example.com")
    await join_workspace(db, workspace, member)
    created = await gql(
        """mutation($w: ID!) { createProgram(workspaceId: $w, name: " Ops ", description: "d") {
            __typename ... on ProgramPayload { program { id name description serverVersion
            myRole members { role user { email } } } } } }""",
        {"w": str(workspace.id)},
        user=member.id,
    )
    program = created["data"]["createProgram"]["program"]
    assert program["name"] == "Ops"
    assert program["description"] == "d"
    assert program["serverVersion"] == 1
    assert program["myRole"] == "PROJECT_ADMIN"
    assert program["members"] == [{"role": "PROJECT_ADMIN", "user": {"email": "m@example.com"}}]
    # Another workspace member sees it, with no program role.
    other = await make_user(db)
    await join_workspace(db, workspace, other)
    listed = await gql(
        "query($w: ID!) { programs(workspaceId: $w) { totalCount nodes { name myRole } } }",
        {"w": str(workspace.id)},
        user=other.id,
    )
    assert listed["data"]["programs"] == {
        "totalCount": 1,
        "nodes": [{"name": "Ops", "myRole": None}],
    }
    blank = await gql(
        """mutation($w: ID!) { createProgram(workspaceId: $w, name: "") {
            __typename ... on ValidationError { fields { path message } } } }""",
        {"w": str(workspace.id)},
        user=member.id,
    )
    assert blank["data"]["createProgram"]["fields"] == [
        {"path": ["name"], "message": "must not be blank"}
    ]


async def test_update_program_conflict(gql: GraphQLClient, db: AppState) -> None:
    owner = await make_user(db)
    workspace = await make_workspace(db, owner)
    program = await make_program(db, workspace)
    query = """mutation($p: ID!, $v: Int) { updateProgram(id: $p, name: "X", serverVersion: $v) {
        __typename ... on ProgramPayload { program { serverVersion } }
        ... on Conflict { currentVersion } } }"""
    ok = await gql(query, {"p": str(program.id), "v": 1}, user=owner.id)
    assert ok["data"]["updateProgram"]["program"] == {"serverVersion": 2}
    stale = await gql(query, {"p": str(program.id), "v": 1}, user=owner.id)
    assert stale["data"]["updateProgram"] == {"__typename": "Conflict", "currentVersion": 2}


async def test_program_role_is_inherited_and_overridden_by_project_role(
    gql: GraphQLClient, db: AppState
) -> None:
    owner = await make_user(db)
    workspace = await make_workspace(db, owner)
    pm = await make_user(db)
    await join_workspace(db, workspace, pm)
    program = await make_program(db, workspace, members={pm.id: Role.PROJECT_MANAGER})
    inherited = await make_project(db, workspace)
    overridden = await make_project(db, workspace, members={pm.id: Role.VIEWER})
    outside = await make_project(db, workspace)
    async with db.sessions() as session, session.begin():
        await session.execute(
            update(Project)
            .where(Project.id.in_([inherited.id, overridden.id]))
            .values(program_id=program.id)
        )
    listed = await gql(
        """query($p: ID) { projects(programId: $p) { nodes { id myRole } } }""",
        {"p": str(program.id)},
        user=pm.id,
    )
    roles = {n["id"]: n["myRole"] for n in listed["data"]["projects"]["nodes"]}
    assert roles == {str(inherited.id): "PROJECT_MANAGER", str(overridden.id): "VIEWER"}
    update_q = """mutation($p: ID!) { updateProject(id: $p, input: {name: "R"}) { __typename } }"""
    results = {}
    for project in (inherited, overridden, outside):
        body = await gql(update_q, {"p": str(project.id)}, user=pm.id)
        results[project.id] = body["data"]["updateProject"]["__typename"]
    assert results == {
        inherited.id: "ProjectPayload",
        overridden.id: "Forbidden",
        outside.id: "NotFound",
    }


async def test_delete_program_requires_no_live_projects(gql: GraphQLClient, db: AppState) -> None:
    owner = await make_user(db)
    workspace = await make_workspace(db, owner)
    program = await make_program(db, workspace)
    create = await gql(
        """mutation($w: ID!, $p: ID!) { createProject(input: {workspaceId: $w, programId: $p,
            name: "In program", startDate: "2026-01-05"}) {
            ... on ProjectPayload { project { id programId } } } }""",
        {"w": str(workspace.id), "p": str(program.id)},
        user=owner.id,
    )
    project = create["data"]["createProject"]["project"]
    assert project["programId"] == str(program.id)
    delete = """mutation($p: ID!) { deleteProgram(id: $p) { __typename
        ... on ValidationError { fields { path message } }
        ... on ProgramPayload { program { isDeleted serverVersion } } } }"""
    refused = await gql(delete, {"p": str(program.id)}, user=owner.id)
    assert refused["data"]["deleteProgram"]["fields"] == [
        {"path": ["id"], "message": "the program still has 1 project(s); move or delete them first"}
    ]
    await gql(
        "mutation($p: ID!) { deleteProject(id: $p) { __typename } }",
        {"p": project["id"]},
        user=owner.id,
    )
    done = await gql(delete, {"p": str(program.id)}, user=owner.id)
    assert done["data"]["deleteProgram"]["program"] == {"isDeleted": True, "serverVersion": 2}
    gone = await gql(
        "query($p: ID!) { program(id: $p) { id } }", {"p": str(program.id)}, user=owner.id
    )
    assert gone["data"]["program"] is None
    # Restoring the project does not resurrect access through the deleted program.
    restored = await gql(
        "mutation($p: ID!) { restoreProject(id: $p) { "
        "... on ProjectPayload { project { programId } } } }",
        {"p": project["id"]},
        user=owner.id,
    )
    assert restored["data"]["restoreProject"]["project"] == {"programId": None}
