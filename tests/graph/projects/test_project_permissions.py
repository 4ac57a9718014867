"""Role-by-mutation matrix for every project and project-membership mutation.

Each actor is a plain workspace member holding one project role (None: no role on the
project, so it does not exist for them). Two Project Admins exist besides the actors so the
"last Project Admin" rule never interferes with the permission being tested.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from app.models import Project, User
from app.models.enums import Role
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_project, make_user, make_workspace
from tests.graph.matrix import Reseeding
from tests.graph.workspaces.factories import join_workspace, make_trashed_project


@dataclass(frozen=True)
class World:
    project: Project
    trashed: Project
    team_member: User
    other_admin: User
    newcomer: User
    actors: dict[Role | None, User]


@dataclass(frozen=True)
class Case:
    query: str
    variables: Callable[[World], dict[str, Any]]
    minimum: Role
    payload: str


_RESULT = "{ __typename }"
CASES: dict[str, Case] = {
    "updateProject": Case(
        f'mutation($p: ID!) {{ updateProject(id: $p, input: {{name: "N"}}) {_RESULT} }}',
        lambda w: {"p": str(w.project.id)},
        Role.PROJECT_MANAGER,
        "ProjectPayload",
    ),
    "deleteProject": Case(
        f"mutation($p: ID!) {{ deleteProject(id: $p) {_RESULT} }}",
        lambda w: {"p": str(w.project.id)},
        Role.PROJECT_ADMIN,
        "ProjectPayload",
    ),
    "restoreProject": Case(
        f"mutation($p: ID!) {{ restoreProject(id: $p) {_RESULT} }}",
        lambda w: {"p": str(w.trashed.id)},
        Role.PROJECT_ADMIN,
        "ProjectPayload",
    ),
    "addProjectMember": Case(
        "mutation($p: ID!, $e: String!) { addProjectMember(projectId: $p, email: $e, "
        f"role: TEAM_MEMBER) {_RESULT} }}",
        lambda w: {"p": str(w.project.id), "e": w.newcomer.email},
        Role.PROJECT_MANAGER,
        "ProjectMemberPayload",
    ),
    "addProjectMember(PROJECT_ADMIN)": Case(
        "mutation($p: ID!, $u: ID!) { addProjectMember(projectId: $p, userId: $u, "
        f"role: PROJECT_ADMIN) {_RESULT} }}",
        lambda w: {"p": str(w.project.id), "u": str(w.newcomer.id)},
        Role.PROJECT_ADMIN,
        "ProjectMemberPayload",
    ),
    "changeProjectMemberRole": Case(
        "mutation($p: ID!, $u: ID!) { changeProjectMemberRole(projectId: $p, userId: $u, "
        f"role: VIEWER) {_RESULT} }}",
        lambda w: {"p": str(w.project.id), "u": str(w.team_member.id)},
        Role.PROJECT_MANAGER,
        "ProjectMemberPayload",
    ),
    "changeProjectMemberRole(to PROJECT_ADMIN)": Case(
        "mutation($p: ID!, $u: ID!) { changeProjectMemberRole(projectId: $p, userId: $u, "
        f"role: PROJECT_ADMIN) {_RESULT} }}",
        lambda w: {"p": str(w.project.id), "u": str(w.team_member.id)},
        Role.PROJECT_ADMIN,
        "ProjectMemberPayload",
    ),
    "changeProjectMemberRole(of PROJECT_ADMIN)": Case(
        "mutation($p: ID!, $u: ID!) { changeProjectMemberRole(projectId: $p, userId: $u, "
        f"role: PROJECT_MANAGER) {_RESULT} }}",
        lambda w: {"p": str(w.project.id), "u": str(w.other_admin.id)},
        Role.PROJECT_ADMIN,
        "ProjectMemberPayload",
    ),
    "removeProjectMember": Case(
        "mutation($p: ID!, $u: ID!) { removeProjectMember(projectId: $p, userId: $u) "
        f"{_RESULT} }}",
        lambda w: {"p": str(w.project.id), "u": str(w.team_member.id)},
        Role.PROJECT_MANAGER,
        "RemoveMemberPayload",
    ),
    "removeProjectMember(PROJECT_ADMIN)": Case(
        "mutation($p: ID!, $u: ID!) { removeProjectMember(projectId: $p, userId: $u) "
        f"{_RESULT} }}",
        lambda w: {"p": str(w.project.id), "u": str(w.other_admin.id)},
        Role.PROJECT_ADMIN,
        "RemoveMemberPayload",
    ),
}
# Refused actors first (tests/graph/matrix.py): None is in the workspace without a project role.
ROLES: list[Role | None] = [None, *Role]


def label(role: Role | None) -> str:
    return role.name if role else "NON_MEMBER"


def expected(role: Role | None, case: Case) -> str:
    if role is None:
        return "NotFound"
    return case.payload if role >= case.minimum else "Forbidden"


async def _world(db: AppState) -> World:
    """One actor per project role (and one workspace member without any) beside the users
    the mutations act on."""
    owner = await make_user(db)
    workspace = await make_workspace(db, owner)
    actors = {role: await make_user(db) for role in ROLES}
    team_member, admin_a, admin_b, newcomer = [await make_user(db) for _ in range(4)]
    for user in (*actors.values(), team_member, admin_a, admin_b):
        await join_workspace(db, workspace, user)
    members = {
        team_member.id: Role.TEAM_MEMBER,
        admin_a.id: Role.PROJECT_ADMIN,
        admin_b.id: Role.PROJECT_ADMIN,
    }
    members |= {user.id: role for role, user in actors.items() if role is not None}
    project = await make_project(db, workspace, members=members)
    trashed = await make_trashed_project(db, workspace, members)
    return World(project, trashed, team_member, admin_a, newcomer, actors)


def test_matrix_covers_every_project_mutation() -> None:
    names = {name.split("(")[0] for name in CASES}
    assert names == {
        "updateProject",
        "deleteProject",
        "restoreProject",
        "addProjectMember",
        "changeProjectMemberRole",
        "removeProjectMember",
    }


@pytest.mark.parametrize("name", list(CASES))
async def test_project_permission_matrix(gql: GraphQLClient, db: AppState, name: str) -> None:
    case = CASES[name]

    async def attempt(world: World, role: Role | None) -> str:
        body = await gql(case.query, case.variables(world), user=world.actors[role].id)
        field = next(iter(body["data"]))
        outcome: str = body["data"][field]["__typename"]
        return outcome

    seeds = Reseeding(lambda: _world(db))
    outcomes = {}
    for role in ROLES:
        outcomes[label(role)] = await seeds.run(lambda world, role=role: attempt(world, role))
    assert outcomes == {label(role): expected(role, case) for role in ROLES}


async def test_any_workspace_member_may_create_a_project(gql: GraphQLClient, db: AppState) -> None:
    world = await _world(db)
    outcomes = {}
    for role, actor in world.actors.items():
        body = await gql(
            """mutation($w: ID!) { createProject(input: {workspaceId: $w, name: "Mine",
                startDate: "2026-02-02"}) {
                __typename ... on ProjectPayload { project { myRole } } } }""",
            {"w": str(world.project.workspace_id)},
            user=actor.id,
        )
        outcomes[label(role)] = body["data"]["createProject"]
    mine = {"__typename": "ProjectPayload", "project": {"myRole": "PROJECT_ADMIN"}}
    assert outcomes == {label(role): mine for role in ROLES}
