"""Revocation that bites, across real API processes: revoking an API token, logging out and
removing a membership on one process end the affected WebSocket on the other within 1 s
(4401, 4401, 4403); other logins and other users' sockets stay open. Disabling an account
ends all of its sockets (4401) and refuses its tokens at once on every process."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from app.auth.tokens import issue_access_token
from app.models import ApiToken
from app.models.enums import Role
from app.settings import Settings
from app.state import AppState
from tests.app.events.helpers import redis_url_or_skip
from tests.factories import PASSWORD, make_api_token, make_project, make_user, make_workspace
from tests.graph.events.servers import TRANSPORT_WS, ApiProcess, open_ws, processes, start

BOARD = "subscription($p: ID!) { boardEvents(projectId: $p) { type } }"


@pytest.fixture(scope="module")
def servers(settings: Settings, database_url: str) -> Iterator[list[ApiProcess]]:
    valkey_url = redis_url_or_skip()
    with processes() as started:
        for _ in range(2):
            started.append(ApiProcess(settings, database_url, valkey_url))
        yield [p for p in started if isinstance(p, ApiProcess)]


def _gql(server: ApiProcess, query: str, variables: dict[str, Any], token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = httpx.post(
        f"{server.http}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=30,
    )
    return answer.json()


async def _watching(server: ApiProcess, credential: str, project: uuid.UUID) -> ClientConnection:
    ws, reply = await open_ws(server, TRANSPORT_WS, {"authorization": f"Bearer {credential}"})
    assert reply["type"] == "connection_ack", reply
    await start(ws, TRANSPORT_WS, BOARD, {"p": str(project)})
    await asyncio.sleep(0.3)  # the subscription is running
    return ws


async def _read_until_closed(ws: ClientConnection, seconds: float) -> None:
    while True:
        await asyncio.wait_for(ws.recv(), seconds)


async def _closed_within(ws: ClientConnection, seconds: float) -> tuple[int, float]:
    started = time.monotonic()
    with pytest.raises(ConnectionClosed) as closed:
        await _read_until_closed(ws, seconds)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, time.monotonic() - started


async def _still_open(ws: ClientConnection) -> None:
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(ws.recv(), 0.5)


async def _world(db: AppState) -> tuple[Any, Any, Any]:
    owner = await make_user(db)
    member = await make_user(db)
    workspace = await make_workspace(db, owner)
    project = await make_project(
        db, workspace, members={owner.id: Role.PROJECT_ADMIN, member.id: Role.TEAM_MEMBER}
    )
    return owner, member, project


async def test_a_revoked_api_token_ends_its_socket_at_once(
    db: AppState, settings: Settings, servers: list[ApiProcess]
) -> None:
    _, member, project = await _world(db)
    plaintext = await make_api_token(db, member.id, project_id=project.id)
    other = await _watching(servers[1], issue_access_token(settings, member.id), project.id)
    ws = await _watching(servers[1], plaintext, project.id)
    async with db.sessions() as session:
        token_id = (
            await session.execute(select(ApiToken.id).where(ApiToken.user_id == member.id))
        ).scalar_one()
    revoked = _gql(
        servers[0],
        "mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }",
        {"id": str(token_id)},
        issue_access_token(settings, member.id),
    )
    assert "errors" not in revoked, revoked
    code, waited = await _closed_within(ws, 5)
    assert code == 4401
    assert waited < 1.0
    await _still_open(other)  # the user's JWT socket is not that token
    await other.close()


async def test_logging_out_ends_that_logins_sockets_only(
    db: AppState, servers: list[ApiProcess]
) -> None:
    _, member, project = await _world(db)
    login = """mutation($e: String!, $p: String!) { login(email: $e, password: $p) {
      ... on AuthPayload { accessToken refreshToken } } }"""
    first = _gql(servers[0], login, {"e": member.email, "p": PASSWORD}, None)["data"]["login"]
    second = _gql(servers[0], login, {"e": member.email, "p": PASSWORD}, None)["data"]["login"]
    ws = await _watching(servers[1], first["accessToken"], project.id)
    kept = await _watching(servers[1], second["accessToken"], project.id)
    out = _gql(
        servers[0],
        "mutation($r: String!) { logout(refreshToken: $r) { revoked } }",
        {"r": first["refreshToken"]},
        None,
    )
    assert out == {"data": {"logout": {"revoked": True}}}
    code, waited = await _closed_within(ws, 5)
    assert code == 4401
    assert waited < 1.0
    await _still_open(kept)  # another login of the same user
    await kept.close()


async def test_removing_a_membership_ends_the_subscription(
    db: AppState, settings: Settings, servers: list[ApiProcess]
) -> None:
    owner, member, project = await _world(db)
    ws = await _watching(servers[1], issue_access_token(settings, member.id), project.id)
    owners = await _watching(servers[1], issue_access_token(settings, owner.id), project.id)
    removed = _gql(
        servers[0],
        "mutation($p: ID!, $u: ID!) { removeProjectMember(projectId: $p, userId: $u) "
        "{ __typename } }",
        {"p": str(project.id), "u": str(member.id)},
        issue_access_token(settings, owner.id),
    )
    assert "errors" not in removed, removed
    code, waited = await _closed_within(ws, 5)
    assert code == 4403
    assert waited < 1.0
    await _still_open(owners)
    await owners.close()


async def test_disabling_an_account_ends_its_sockets_and_its_tokens(
    db: AppState, settings: Settings, servers: list[ApiProcess]
) -> None:
    owner, member, project = await _world(db)
    staff = await make_user(db, is_staff=True)
    login = """mutation($e: String!, $p: String!) { login(email: $e, password: $p) {
      ... on AuthPayload { accessToken refreshToken } } }"""
    pair = _gql(servers[0], login, {"e": member.email, "p": PASSWORD}, None)["data"]["login"]
    api_token = await make_api_token(db, member.id, project_id=project.id)
    sockets = [
        await _watching(servers[1], pair["accessToken"], project.id),
        await _watching(servers[1], api_token, project.id),
        await _watching(servers[0], issue_access_token(settings, member.id), project.id),
    ]
    owners = await _watching(servers[1], issue_access_token(settings, owner.id), project.id)
    me = "{ me { id } }"
    # The access token works on both processes (and is cached as active there).
    for server in servers:
        assert _gql(server, me, {}, pair["accessToken"])["data"]["me"]["id"] == str(member.id)
    disable = (
        "mutation($u: ID!, $a: Boolean!) { setUserActive(userId: $u, active: $a) "
        "{ __typename ... on UserPayload { user { id isActive } } ... on Error { message } } }"
    )
    refused = _gql(servers[0], disable, {"u": str(member.id), "a": False},
                   issue_access_token(settings, owner.id))  # fmt: skip
    assert refused["data"]["setUserActive"]["__typename"] == "Forbidden"  # staff only
    done = _gql(servers[0], disable, {"u": str(member.id), "a": False},
                issue_access_token(settings, staff.id))  # fmt: skip
    assert done["data"]["setUserActive"] == {
        "__typename": "UserPayload",
        "user": {"id": str(member.id), "isActive": False},
    }
    for ws in sockets:
        code, waited = await _closed_within(ws, 5)
        assert code == 4401
        assert waited < 1.0
    await _still_open(owners)
    await owners.close()
    # Every credential is refused at once on every process: the JWT (not expired), the API
    # token, the refresh token; and a password login.
    for server in servers:
        answer = _gql(server, me, {}, pair["accessToken"])
        assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "disabled" in answer["errors"][0]["message"]
        assert _gql(server, me, {}, api_token)["errors"][0]["extensions"]["code"] == (
            "UNAUTHENTICATED"
        )
    again = _gql(
        servers[1],
        "mutation($t: String!) { refreshToken(refreshToken: $t) { __typename } }",
        {"t": pair["refreshToken"]},
        None,
    )
    assert again["data"]["refreshToken"]["__typename"] == "AuthenticationFailed"
    relogin = _gql(servers[1], login, {"e": member.email, "p": PASSWORD}, None)
    assert relogin["data"]["login"] == {}
    # Enabled again: a new login works (the old refresh token stays revoked).
    back = _gql(servers[0], disable, {"u": str(member.id), "a": True},
                issue_access_token(settings, staff.id))  # fmt: skip
    assert back["data"]["setUserActive"]["user"]["isActive"] is True
    fresh = _gql(servers[1], login, {"e": member.email, "p": PASSWORD}, None)["data"]["login"]
    assert _gql(servers[1], me, {}, fresh["accessToken"])["data"]["me"]["id"] == str(member.id)
    own = _gql(servers[0], disable, {"u": str(staff.id), "a": False},
               issue_access_token(settings, staff.id))  # fmt: skip
    assert own["data"]["setUserActive"]["__typename"] == "ValidationError"
