"""Cross-workspace isolation: every query and mutation of the workspace, program and project
domains treats another workspace's objects as not found (null, empty, or NotFound), even for
the owner of a different workspace."""

from __future__ import annotations

from typing import Any

from app.models.enums import Role
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_project, make_user, make_workspace
from tests.graph.matrix import Reseeding
from tests.graph.workspaces.factories import join_workspace, make_program, make_trashed_project

R = "{ __typename }"
MUTATIONS: dict[str, str] = {
    "updateWorkspace": f'mutation($w: ID!) {{ updateWorkspace(id: $w, name: "x") {R} }}',
    "addWorkspaceMember": (
        f'mutation($w: ID!) {{ addWorkspaceMember(workspaceId: $w, email: "a@x.org") {R} }}'
    ),
    "removeWorkspaceMember": (
        f"mutation($w: ID!, $m: ID!) {{ removeWorkspaceMember(workspaceId: $w, userId: $m) {R} }}"
    ),
    "createProgram": f'mutation($w: ID!) {{ createProgram(workspaceId: $w, name: "x") {R} }}',
    "updateProgram": f'mutation($g: ID!) {{ updateProgram(id: $g, name: "x") {R} }}',
    "deleteProgram": f"mutation($g: ID!) {{ deleteProgram(id: $g) {R} }}",
    "addProgramMember": (
        f"mutation($g: ID!, $a: ID!) {{ addProgramMember(programId: $g, userId: $a, "
        f"role: VIEWER) {R} }}"
    ),
    "changeProgramMemberRole": (
        f"mutation($g: ID!, $m: ID!) {{ changeProgramMemberRole(programId: $g, userId: $m, "
        f"role: VIEWER) {R} }}"
    ),
    "removeProgramMember": (
        f"mutation($g: ID!, $m: ID!) {{ removeProgramMember(programId: $g, userId: $m) {R} }}"
    ),
    "createProject": (
        f'mutation($w: ID!) {{ createProject(input: {{workspaceId: $w, name: "x", '
        f'startDate: "2026-01-05"}}) {R} }}'
    ),
    "updateProject": f'mutation($p: ID!) {{ updateProject(id: $p, input: {{name: "x"}}) {R} }}',
    "deleteProject": f"mutation($p: ID!) {{ deleteProject(id: $p) {R} }}",
    "restoreProject": f"mutation($t: ID!) {{ restoreProject(id: $t) {R} }}",
    "addProjectMember": (
        f"mutation($p: ID!, $a: ID!) {{ addProjectMember(projectId: $p, userId: $a, "
        f"role: VIEWER) {R} }}"
    ),
    "changeProjectMemberRole": (
        f"mutation($p: ID!, $m: ID!) {{ changeProjectMemberRole(projectId: $p, userId: $m, "
        f"role: VIEWER) {R} }}"
    ),
    "removeProjectMember": (
        f"mutation($p: ID!, $m: ID!) {{ removeProjectMember(projectId: $p, userId: $m) {R} }}"
    ),
}


async def _two_workspaces(db: AppState) -> tuple[Any, dict[str, str]]:
    """`intruder` owns workspace A; the ids returned all belong to workspace B."""
    intruder = await make_user(db, "a@x.org")
    await make_project(db, await make_workspace(db, intruder))
    owner = await make_user(db)
    member = await make_user(db)
    workspace = await make_workspace(db, owner)
    await join_workspace(db, workspace, member)
    program = await make_program(db, workspace, members={member.id: Role.TEAM_MEMBER})
    project = await make_project(db, workspace, members={member.id: Role.TEAM_MEMBER})
    trashed = await make_trashed_project(db, workspace, {member.id: Role.PROJECT_ADMIN})
    ids = {
        "w": workspace.id,
        "g": program.id,
        "p": project.id,
        "t": trashed.id,
        "m": member.id,
        "a": intruder.id,
    }
    return intruder, {k: str(v) for k, v in ids.items()}


def _used(query: str, ids: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in ids.items() if f"${k}:" in query}


async def test_mutations_on_another_workspace_are_not_found(
    gql: GraphQLClient, db: AppState
) -> None:
    async def attempt(world: tuple[Any, dict[str, str]], name: str) -> str:
        intruder, ids = world
        body = await gql(MUTATIONS[name], _used(MUTATIONS[name], ids), user=intruder.id)
        outcome: str = body["data"][name]["__typename"]
        return outcome

    seeds = Reseeding(lambda: _two_workspaces(db))
    outcomes = {}
    for name in MUTATIONS:
        outcomes[name] = await seeds.run(lambda world, name=name: attempt(world, name))
    assert outcomes == dict.fromkeys(MUTATIONS, "NotFound")


async def test_queries_never_show_another_workspace(gql: GraphQLClient, db: AppState) -> None:
    intruder, ids = await _two_workspaces(db)
    body = await gql(
        """query($w: ID!, $g: ID!, $p: ID!) {
          workspace(id: $w) { id }
          program(id: $g) { id }
          project(id: $p) { id }
          programs(workspaceId: $w) { totalCount }
          inWorkspace: projects(workspaceId: $w) { totalCount }
          inProgram: projects(programId: $g) { totalCount }
          trashedProjects(workspaceId: $w) { totalCount }
          workspaces { nodes { id } }
          mine: projects { nodes { workspaceId } }
        }""",
        {"w": ids["w"], "g": ids["g"], "p": ids["p"]},
        user=intruder.id,
    )
    data = body["data"]
    assert (data["workspace"], data["program"], data["project"]) == (None, None, None)
    assert data["programs"]["totalCount"] == 0
    assert data["inWorkspace"]["totalCount"] == 0
    assert data["inProgram"]["totalCount"] == 0
    assert data["trashedProjects"]["totalCount"] == 0
    assert ids["w"] not in {n["id"] for n in data["workspaces"]["nodes"]}
    assert len(data["workspaces"]["nodes"]) == 1
    assert ids["w"] not in {n["workspaceId"] for n in data["mine"]["nodes"]}
    assert len(data["mine"]["nodes"]) == 1


async def test_another_workspaces_program_cannot_be_attached(
    gql: GraphQLClient, db: AppState
) -> None:
    intruder, ids = await _two_workspaces(db)
    own = await gql("query { workspaces { nodes { id } } }", user=intruder.id)
    own_id = own["data"]["workspaces"]["nodes"][0]["id"]
    body = await gql(
        """mutation($w: ID!, $g: ID!) { createProject(input: {workspaceId: $w, programId: $g,
            name: "x", startDate: "2026-01-05"}) {
            __typename ... on ValidationError { fields { path message } } } }""",
        {"w": own_id, "g": ids["g"]},
        user=intruder.id,
    )
    assert body["data"]["createProject"] == {
        "__typename": "ValidationError",
        "fields": [{"path": ["input", "programId"], "message": "no such program here"}],
    }


async def test_malformed_ids_are_not_found(gql: GraphQLClient, db: AppState) -> None:
    user = await make_user(db)
    body = await gql(
        """query { project(id: "nope") { id } program(id: "1") { id }
            workspace(id: "x") { id } }""",
        user=user.id,
    )
    assert body["data"] == {"project": None, "program": None, "workspace": None}
    mutation = await gql('mutation { deleteProject(id: "nope") { __typename } }', user=user.id)
    assert mutation["data"]["deleteProject"]["__typename"] == "NotFound"
