"""The sync REST endpoint with API tokens: scope, read-only, expiry and revocation."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
from sqlalchemy import select, update

from app.apitokens.service import revoke_token
from app.models import ApiToken, Task
from app.models.enums import Role
from app.state import AppState, unit_of_work
from tests.factories import make_api_token, make_project, make_user, make_workspace

PROBLEM = "application/problem+json"


async def _world(db: AppState) -> dict[str, Any]:
    user = await make_user(db)
    workspace = await make_workspace(db, user)
    members = {user.id: Role.TEAM_MEMBER}
    mine = await make_project(db, workspace, members=members)
    other = await make_project(db, workspace, members=members)
    return {"user": user.id, "mine": mine.id, "other": other.id}


def _url(project_id: uuid.UUID) -> str:
    return f"/api/v1/projects/{project_id}/sync/"


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _push(task_id: uuid.UUID) -> dict[str, Any]:
    record = {"id": str(task_id), "name": "Pushed with a token"}
    return {"changes": {"tasks": {"created": [record], "updated": [], "deleted": []}}}


async def _task_names(db: AppState) -> list[str]:
    async with db.sessions() as session:
        return list((await session.execute(select(Task.name))).scalars())


async def test_token_pulls_and_pushes_within_its_project(
    client: httpx.AsyncClient, db: AppState
) -> None:
    world = await _world(db)
    token = await make_api_token(db, world["user"], project_id=world["mine"])
    pulled = await client.get(_url(world["mine"]), headers=_auth(token))
    assert pulled.status_code == 200, pulled.text
    assert pulled.json()["changes"]["projects"]["created"][0]["id"] == str(world["mine"])
    pushed = await client.post(_url(world["mine"]), json=_push(uuid.uuid4()), headers=_auth(token))
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["applied"]["tasks"]["created"] == 1
    assert await _task_names(db) == ["Pushed with a token"]
    async with db.sessions() as session:
        used = await session.scalar(select(ApiToken.last_used_at))
    assert used is not None


async def test_project_scoped_token_gets_404_elsewhere(
    client: httpx.AsyncClient, db: AppState
) -> None:
    world = await _world(db)
    token = await make_api_token(db, world["user"], project_id=world["mine"])
    for response in (
        await client.get(_url(world["other"]), headers=_auth(token)),
        await client.post(_url(world["other"]), json=_push(uuid.uuid4()), headers=_auth(token)),
    ):
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["type"].endswith("/not-found")
    assert await _task_names(db) == []
    unscoped = await make_api_token(db, world["user"])
    assert (await client.get(_url(world["other"]), headers=_auth(unscoped))).status_code == 200


async def test_read_only_token_pulls_but_push_is_403(
    client: httpx.AsyncClient, db: AppState
) -> None:
    world = await _world(db)
    token = await make_api_token(db, world["user"], read_only=True)
    assert (await client.get(_url(world["mine"]), headers=_auth(token))).status_code == 200
    refused = await client.post(_url(world["mine"]), json=_push(uuid.uuid4()), headers=_auth(token))
    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["detail"] == "this API token is read-only: it may pull but not push"
    assert await _task_names(db) == []


async def test_expired_revoked_and_unknown_tokens_are_401(
    client: httpx.AsyncClient, db: AppState
) -> None:
    world = await _world(db)
    expired = await make_api_token(db, world["user"], name="expired")
    revoked = await make_api_token(db, world["user"], name="revoked")
    async with unit_of_work(db.sessions) as uow:
        await uow.session.execute(
            update(ApiToken)
            .where(ApiToken.name == "expired")
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        )
        revoked_id = await uow.session.scalar(select(ApiToken.id).where(ApiToken.name == "revoked"))
        assert revoked_id is not None
        await revoke_token(uow.session, world["user"], revoked_id)
    unknown = "tppm_0123456789ab_" + "A" * 43
    for token, detail in [
        (expired, "API token expired"),
        (revoked, "API token revoked"),
        (unknown, "invalid API token"),
        (revoked[:-1] + ("B" if revoked[-1] != "B" else "C"), "invalid API token"),
    ]:
        for response in (
            await client.get(_url(world["mine"]), headers=_auth(token)),
            await client.post(_url(world["mine"]), json=_push(uuid.uuid4()), headers=_auth(token)),
        ):
            assert response.status_code == 401
            assert response.headers["content-type"] == PROBLEM
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert response.json()["detail"] == detail
    assert await _task_names(db) == []


async def test_scoped_token_on_forecast_snapshots(client: httpx.AsyncClient, db: AppState) -> None:
    world = await _world(db)
    token = await make_api_token(db, world["user"], project_id=world["mine"], read_only=True)
    path = "/api/v1/projects/{}/forecast-snapshots/"
    own = await client.get(path.format(world["mine"]), headers=_auth(token))
    assert own.status_code == 200, own.text
    assert own.json()["project_id"] == str(world["mine"])
    elsewhere = await client.get(path.format(world["other"]), headers=_auth(token))
    assert elsewhere.status_code == 404
    assert elsewhere.headers["content-type"] == PROBLEM
