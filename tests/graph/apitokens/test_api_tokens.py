"""API tokens over GraphQL: create/list/revoke, and what a token may reach once used."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import update

from app.models import ApiToken, Project
from app.models.enums import Role
from app.state import AppState, unit_of_work
from tests.conftest import GraphQLClient
from tests.factories import make_api_token, make_project, make_user, make_workspace
from tests.graph.workspaces.factories import make_program

CREATE = """
mutation($input: CreateApiTokenInput!) {
  createApiToken(input: $input) {
    __typename
    ... on CreatedApiToken {
      token
      apiToken { id name prefix projectId programId readOnly createdAt expiresAt lastUsedAt
                 revokedAt isActive }
    }
    ... on NotFound { message }
    ... on Forbidden { message }
    ... on ValidationError { fields { path message } }
  }
}"""
LIST = """
query($all: Boolean! = false) {
  apiTokens(includeInactive: $all) { id name prefix revokedAt isActive lastUsedAt }
}"""
REVOKE = """
mutation($id: ID!) {
  revokeApiToken(id: $id) {
    __typename
    ... on ApiTokenPayload { apiToken { id revokedAt isActive } }
    ... on NotFound { message }
    ... on Forbidden { message }
  }
}"""
ME = "{ me { email } }"
PROJECTS = "{ projects { edges { node { id } } } }"
PROJECT = "query($id: ID!) { project(id: $id) { id myRole } }"
CREATE_TASK = """
mutation($p: ID!) {
  createTask(input: {projectId: $p, name: "From a token"}) {
    __typename ... on TaskPayload { task { id } } ... on NotFound { message }
  }
}"""


def _code(body: dict[str, Any]) -> str:
    code: str = body["errors"][0]["extensions"]["code"]
    return code


async def _world(db: AppState) -> dict[str, Any]:
    """A user who is Project Manager on two projects of a workspace they own."""
    user = await make_user(db)
    workspace = await make_workspace(db, user)
    members = {user.id: Role.PROJECT_MANAGER}
    first = await make_project(db, workspace, members=members)
    second = await make_project(db, workspace, members=members)
    return {"user": user, "workspace": workspace, "a": first.id, "b": second.id}


async def test_create_list_revoke_and_the_secret_is_shown_once(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await _world(db)
    user = world["user"].id
    body = await gql(
        CREATE,
        {"input": {"name": " Phone ", "projectId": str(world["a"]), "expiresInDays": 7}},
        user=user,
    )
    created = body["data"]["createApiToken"]
    assert created["__typename"] == "CreatedApiToken"
    token, meta = created["token"], created["apiToken"]
    assert token.startswith(meta["prefix"] + "_")
    assert (meta["name"], meta["projectId"], meta["readOnly"]) == ("Phone", str(world["a"]), False)
    assert (meta["isActive"], meta["lastUsedAt"], meta["revokedAt"]) == (True, None, None)
    lifetime = dt.datetime.fromisoformat(meta["expiresAt"]) - dt.datetime.fromisoformat(
        meta["createdAt"]
    )
    assert abs(lifetime - dt.timedelta(days=7)) < dt.timedelta(minutes=1)

    assert (await gql(ME, token=token))["data"]["me"]["email"] == world["user"].email
    listed = (await gql(LIST, user=user))["data"]["apiTokens"]
    assert [t["id"] for t in listed] == [meta["id"]]
    assert token not in str(listed)
    assert listed[0]["lastUsedAt"] is not None  # the `me` call above

    revoked = (await gql(REVOKE, {"id": meta["id"]}, user=user))["data"]["revokeApiToken"]
    assert revoked["__typename"] == "ApiTokenPayload"
    assert revoked["apiToken"]["isActive"] is False
    assert (await gql(LIST, user=user))["data"]["apiTokens"] == []
    everything = (await gql(LIST, {"all": True}, user=user))["data"]["apiTokens"]
    assert [t["revokedAt"] is not None for t in everything] == [True]
    refused = await gql(ME, token=token)
    assert _code(refused) == "UNAUTHENTICATED"
    assert refused["errors"][0]["message"] == "API token revoked"


async def test_errors_are_union_members(gql: GraphQLClient, db: AppState) -> None:
    world = await _world(db)
    outsider = await make_user(db)
    foreign = {"input": {"name": "x", "projectId": str(world["a"])}}
    body = await gql(CREATE, foreign, user=outsider.id)
    assert body["data"]["createApiToken"] == {
        "__typename": "NotFound",
        "message": "project not found",
    }
    invalid = {"input": {"name": "", "expiresInDays": 0}}
    body = await gql(CREATE, invalid, user=world["user"].id)
    fields = body["data"]["createApiToken"]["fields"]
    assert sorted(f["path"][0] for f in fields) == ["expiresInDays", "name"]
    other = await make_api_token(db, outsider.id)
    owned = (await gql(LIST, user=world["user"].id))["data"]["apiTokens"]
    assert owned == []
    mine = await make_api_token(db, world["user"].id)
    my_id = (await gql(LIST, user=world["user"].id))["data"]["apiTokens"][0]["id"]
    stolen = await gql(REVOKE, {"id": my_id}, user=outsider.id)
    assert stolen["data"]["revokeApiToken"]["__typename"] == "NotFound"
    # Tokens are managed from a login session only, never with an API token.
    again = await gql(CREATE, {"input": {"name": "child"}}, token=mine)
    assert again["data"]["createApiToken"]["__typename"] == "Forbidden"
    assert _code(await gql(LIST, token=other)) == "FORBIDDEN"


async def test_project_scoped_token_sees_only_its_project(gql: GraphQLClient, db: AppState) -> None:
    world = await _world(db)
    token = await make_api_token(db, world["user"].id, project_id=world["a"])
    listed = (await gql(PROJECTS, token=token))["data"]["projects"]["edges"]
    assert [e["node"]["id"] for e in listed] == [str(world["a"])]
    seen = (await gql(PROJECT, {"id": str(world["a"])}, token=token))["data"]["project"]
    assert seen == {"id": str(world["a"]), "myRole": "PROJECT_MANAGER"}  # the owner's role
    assert (await gql(PROJECT, {"id": str(world["b"])}, token=token))["data"]["project"] is None
    assert (await gql("{ workspaces { edges { node { id } } } }", token=token))["data"][
        "workspaces"
    ]["edges"] == []
    inside = await gql(CREATE_TASK, {"p": str(world["a"])}, token=token)
    assert inside["data"]["createTask"]["__typename"] == "TaskPayload"
    outside = await gql(CREATE_TASK, {"p": str(world["b"])}, token=token)
    assert outside["data"]["createTask"]["__typename"] == "NotFound"
    workspace = await gql(
        'mutation { createWorkspace(name: "W") { __typename ... on Forbidden { message } } }',
        token=token,
    )
    assert workspace["data"]["createWorkspace"]["__typename"] == "Forbidden"
    # The same user with a login session still sees both projects.
    full = (await gql(PROJECTS, user=world["user"].id))["data"]["projects"]["edges"]
    assert len(full) == 2


async def test_program_scoped_token_sees_the_program_and_its_projects(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await _world(db)
    program = await make_program(db, world["workspace"], members={world["user"].id: Role.VIEWER})
    await make_program(db, world["workspace"], members={world["user"].id: Role.VIEWER})
    async with unit_of_work(db.sessions) as uow:
        await uow.session.execute(
            update(Project).where(Project.id == world["a"]).values(program_id=program.id)
        )
    token = await make_api_token(db, world["user"].id, program_id=program.id)
    listed = (await gql(PROJECTS, token=token))["data"]["projects"]["edges"]
    assert [e["node"]["id"] for e in listed] == [str(world["a"])]
    programs = await gql(
        "query($w: ID!) { programs(workspaceId: $w) { edges { node { id } } } }",
        {"w": str(world["workspace"].id)},
        token=token,
    )
    assert [e["node"]["id"] for e in programs["data"]["programs"]["edges"]] == [str(program.id)]


async def test_read_only_token_reads_but_cannot_mutate(gql: GraphQLClient, db: AppState) -> None:
    world = await _world(db)
    token = await make_api_token(db, world["user"].id, read_only=True)
    listed = (await gql(PROJECTS, token=token))["data"]["projects"]["edges"]
    assert len(listed) == 2
    for mutation, variables in [
        (CREATE_TASK, {"p": str(world["a"])}),
        ("mutation { createSubscriptionTicket { ticket } }", {}),
    ]:
        refused = await gql(mutation, variables, token=token)
        assert refused["data"] is None
        assert _code(refused) == "FORBIDDEN"
        assert refused["errors"][0]["message"] == "this API token is read-only"
    tasks = await gql(
        "query($p: ID!) { tasks(projectId: $p) { edges { node { id } } } }",
        {"p": str(world["a"])},
        token=token,
    )
    assert tasks["data"]["tasks"]["edges"] == []  # nothing was written


async def test_expired_and_malformed_tokens_are_unauthenticated(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await _world(db)
    token = await make_api_token(db, world["user"].id)
    async with unit_of_work(db.sessions) as uow:
        await uow.session.execute(
            update(ApiToken).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    expired = await gql(ME, token=token)
    assert (_code(expired), expired["errors"][0]["message"]) == (
        "UNAUTHENTICATED",
        "API token expired",
    )
    garbage = await gql(ME, token=f"tppm_{uuid.uuid4().hex[:12]}_{'x' * 43}")
    assert garbage["errors"][0]["message"] == "invalid API token"
