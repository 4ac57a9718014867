"""API requests per token and per user (429 with Retry-After; GraphQL: TOO_MANY_REQUESTS),
and WebSocket connections capped per user (close 4429)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from app.asgi import create_app
from app.auth.tokens import issue_access_token
from app.settings import Settings
from app.state import AppState
from tests.factories import make_api_token, make_project, make_user, make_workspace
from tests.graph.events.servers import TRANSPORT_WS, ApiProcess, open_ws

ME = "{ me { id } }"


@asynccontextmanager
async def _client(settings: Settings, db: AppState, **env: str) -> AsyncIterator[httpx.AsyncClient]:
    """An app of its own (its own counters) with the given settings."""
    configured = Settings.from_env(
        {"SECRET_KEY": settings.signing_key(), "TRUEPPM_DATA_DIR": str(settings.data_dir), **env}
    )
    app = create_app(configured, db.database_url)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client
    finally:
        await app.state.trueppm.close()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_each_token_and_user_has_a_budget_per_minute(
    db: AppState, settings: Settings
) -> None:
    user = await make_user(db)
    other = await make_user(db)
    project = await make_project(db, await make_workspace(db, user))
    jwt = _bearer(issue_access_token(settings, user.id))
    second_login = _bearer(issue_access_token(settings, user.id))
    api_token = _bearer(await make_api_token(db, user.id))
    async with _client(settings, db, TRUEPPM_API_REQUESTS_PER_MINUTE="5") as client:
        codes = [
            (await client.post("/graphql", json={"query": ME}, headers=jwt)).status_code
            for _ in range(5)
        ]
        assert codes == [200] * 5
        refused = await client.post("/graphql", json={"query": ME}, headers=jwt)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        error = refused.json()["errors"][0]
        assert error["extensions"]["code"] == "TOO_MANY_REQUESTS"
        assert error["extensions"]["retryAfter"] == int(refused.headers["retry-after"])
        assert "5 requests per minute" in error["message"]
        # The user's logins share the budget; the REST API counts against it too.
        again = await client.post("/graphql", json={"query": ME}, headers=second_login)
        assert again.status_code == 429
        rest = await client.get(f"/api/v1/projects/{project.id}/sync/", headers=jwt)
        assert rest.status_code == 429
        assert rest.headers["content-type"] == "application/problem+json"
        assert rest.json()["type"].endswith("/too-many-requests")
        assert "retry-after" in rest.headers
        # An API token has a budget of its own; another user is unaffected.
        mine = await client.post("/graphql", json={"query": ME}, headers=api_token)
        assert mine.status_code == 200
        assert mine.json()["data"]["me"]["id"] == str(user.id)
        theirs = _bearer(issue_access_token(settings, other.id))
        unaffected = await client.post("/graphql", json={"query": ME}, headers=theirs)
        assert unaffected.status_code == 200
        # A forged credential is refused before it is counted: it spends nobody's budget.
        forged = _bearer("tppm_abcdefgh_" + "x" * 40)
        for _ in range(10):
            answer = await client.post("/graphql", json={"query": ME}, headers=forged)
            assert answer.status_code == 200  # an UNAUTHENTICATED error, not a 429
            assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_zero_turns_the_limit_off(db: AppState, settings: Settings) -> None:
    user = await make_user(db)
    jwt = _bearer(issue_access_token(settings, user.id))
    async with _client(settings, db, TRUEPPM_API_REQUESTS_PER_MINUTE="0") as client:
        for _ in range(30):
            answer = await client.post("/graphql", json={"query": ME}, headers=jwt)
            assert answer.status_code == 200


async def test_websockets_per_user_are_capped(
    db: AppState, settings: Settings, database_url: str
) -> None:
    from tests.app.events.helpers import redis_url_or_skip

    server = ApiProcess(
        settings, database_url, redis_url_or_skip(), extra_env={"TRUEPPM_WS_PER_USER": "2"}
    )
    try:
        user = await make_user(db)
        other = await make_user(db)
        init = {"authorization": f"Bearer {issue_access_token(settings, user.id)}"}
        first, reply1 = await open_ws(server, TRANSPORT_WS, init)
        second, reply2 = await open_ws(server, TRANSPORT_WS, init)
        assert (reply1["type"], reply2["type"]) == ("connection_ack", "connection_ack")
        third, reply3 = await open_ws(server, TRANSPORT_WS, init)
        assert reply3 == {"type": "closed"}
        assert third.close_code == 4429
        assert third.close_reason == "too many open connections for this user (at most 2)"
        other_init = {"authorization": f"Bearer {issue_access_token(settings, other.id)}"}
        theirs, reply = await open_ws(server, TRANSPORT_WS, other_init)
        assert reply["type"] == "connection_ack"
        # Closing one frees its slot.
        await first.close()
        await first.wait_closed()
        await asyncio.sleep(0.3)  # the server sees the close
        fourth, reply4 = await open_ws(server, TRANSPORT_WS, init)
        assert reply4["type"] == "connection_ack"
        for ws in (second, theirs, fourth):
            await ws.close()
        with pytest.raises(ConnectionClosed):
            await third.recv()
    finally:
        server.stop()
