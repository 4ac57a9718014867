"""boardEvents / scheduleEvents over real WebSockets against real API processes sharing Redis."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import redis.asyncio
from websockets.exceptions import ConnectionClosed, InvalidStatus

from app.auth.tokens import issue_access_token
from app.events import BoardEvent, EventType, publish_after_commit
from app.events.store import channel_name
from app.models.enums import Role
from app.settings import Settings
from app.state import AppState, unit_of_work
from graph.persisted import sha256
from tests.app.events.helpers import redis_url_or_skip
from tests.factories import make_api_token, make_project, make_user, make_workspace
from tests.graph.events.servers import (
    LEGACY_WS,
    TRANSPORT_WS,
    ApiProcess,
    next_data,
    open_ws,
    processes,
    start,
)

BOARD = (
    "subscription($p: ID!, $s: Int) "
    "{ boardEvents(projectId: $p, since: $s) { type seq payload actorId } }"
)
SCHEDULE = "subscription($p: ID!) { scheduleEvents(projectId: $p) { type seq payload } }"
PROTOCOLS = [TRANSPORT_WS, LEGACY_WS]
ACK = "connection_ack"


@pytest.fixture(scope="module")
def valkey_url() -> str:
    return redis_url_or_skip()


@pytest.fixture(scope="module")
def servers(settings: Settings, database_url: str, valkey_url: str) -> Iterator[list[ApiProcess]]:
    with processes() as started:
        for _ in range(2):
            started.append(ApiProcess(settings, database_url, valkey_url))
        yield [p for p in started if isinstance(p, ApiProcess)]


@pytest.fixture
async def publisher(
    settings: Settings, database_url: str, valkey_url: str, db: AppState
) -> AsyncIterator[AppState]:
    """Another process's state (a job, a third replica) publishing through Redis."""
    shared = Settings(**{**settings.__dict__, "valkey_url": valkey_url})
    state = AppState(settings=shared, database_url=database_url)
    yield state
    await state.close()


async def _member_project(db: AppState) -> tuple[uuid.UUID, uuid.UUID]:
    owner = await make_user(db)
    member = await make_user(db)
    workspace = await make_workspace(db, owner)
    project = await make_project(db, workspace, members={member.id: Role.VIEWER})
    return member.id, project.id


def _bearer(settings: Settings, user: uuid.UUID) -> dict[str, str]:
    return {"authorization": f"Bearer {issue_access_token(settings, user)}"}


async def _subscribed(valkey_url: str, project: uuid.UUID, count: int) -> None:
    """Wait until `count` processes subscribe to the project's channel in Valkey (a fixed
    sleep is too short on a loaded machine: the first subscription also opens the pub/sub
    connection)."""
    connection = redis.asyncio.Redis.from_url(valkey_url)
    try:
        for _ in range(200):
            numsub = dict(await connection.pubsub_numsub(channel_name(project)))
            if numsub.get(channel_name(project).encode(), 0) >= count:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the servers did not subscribe within 10 s")
    finally:
        await connection.aclose()


async def _commit_event(state: AppState, project: uuid.UUID, kind: EventType) -> None:
    async with unit_of_work(state.sessions) as uow:
        publish_after_commit(uow, BoardEvent.make(project, kind, {"taskId": "t"}, None))


async def _drain(ws: object) -> None:
    while True:
        await asyncio.wait_for(ws.recv(), 5)  # type: ignore[attr-defined]


async def _closed_code(ws: object) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        await _drain(ws)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def _rolled_back(state: AppState, project: uuid.UUID) -> None:
    async with unit_of_work(state.sessions) as uow:
        publish_after_commit(uow, BoardEvent.make(project, EventType.TASK_DELETED, {}, None))
        raise RuntimeError("the mutation failed")


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_committed_event_reaches_subscribers_on_both_processes(
    db: AppState,
    settings: Settings,
    servers: list[ApiProcess],
    publisher: AppState,
    protocol: str,
    valkey_url: str,
) -> None:
    user, project = await _member_project(db)
    sockets = []
    for server in servers:
        ws, reply = await open_ws(server, protocol, _bearer(settings, user))
        assert reply["type"] == ACK
        await start(ws, protocol, BOARD, {"p": str(project)})
        sockets.append(ws)
    await _subscribed(valkey_url, project, 2)  # both servers listen before the commit
    await _commit_event(publisher, project, EventType.TASK_CREATED)
    for ws in sockets:
        data = await asyncio.wait_for(next_data(ws), 5)
        assert data["boardEvents"]["type"] == "TASK_CREATED"
        assert data["boardEvents"]["payload"] == {"taskId": "t"}
        await ws.close()


async def test_rolled_back_write_publishes_nothing(
    db: AppState, settings: Settings, servers: list[ApiProcess], publisher: AppState
) -> None:
    user, project = await _member_project(db)
    ws, _ = await open_ws(servers[0], TRANSPORT_WS, _bearer(settings, user))
    await start(ws, TRANSPORT_WS, BOARD, {"p": str(project)})
    await asyncio.sleep(0.3)
    with pytest.raises(RuntimeError, match="the mutation failed"):
        await _rolled_back(publisher, project)
    await _commit_event(publisher, project, EventType.TASK_UPDATED)
    data = await asyncio.wait_for(next_data(ws), 5)
    assert data["boardEvents"]["type"] == "TASK_UPDATED"  # the deleted event never went out
    await ws.close()


async def test_schedule_events_and_since_replay(
    db: AppState, settings: Settings, servers: list[ApiProcess], publisher: AppState
) -> None:
    user, project = await _member_project(db)
    await _commit_event(publisher, project, EventType.TASK_UPDATED)
    ws, _ = await open_ws(servers[1], TRANSPORT_WS, _bearer(settings, user))
    await start(ws, TRANSPORT_WS, SCHEDULE, {"p": str(project)})
    await asyncio.sleep(0.3)
    await _commit_event(publisher, project, EventType.TASK_UPDATED)
    await _commit_event(publisher, project, EventType.CPM_COMPLETE)
    data = await asyncio.wait_for(next_data(ws), 5)
    assert (data["scheduleEvents"]["type"], data["scheduleEvents"]["seq"]) == ("CPM_COMPLETE", 3)
    await ws.close()
    replay, _ = await open_ws(servers[0], LEGACY_WS, _bearer(settings, user))
    await start(replay, LEGACY_WS, BOARD, {"p": str(project), "s": 1})
    seqs = [(await asyncio.wait_for(next_data(replay), 5))["boardEvents"]["seq"] for _ in range(2)]
    assert seqs == [2, 3]
    await replay.close()


async def test_ticket_works_once_and_across_processes(
    db: AppState, settings: Settings, servers: list[ApiProcess]
) -> None:
    user, _project = await _member_project(db)
    response = httpx.post(
        f"{servers[0].http}/graphql",
        json={"query": "mutation { createSubscriptionTicket { ticket expiresInSeconds } }"},
        headers={"Authorization": f"Bearer {issue_access_token(settings, user)}"},
    )
    ticket = response.json()["data"]["createSubscriptionTicket"]
    assert ticket["expiresInSeconds"] == 30
    ws, reply = await open_ws(servers[1], TRANSPORT_WS, {"ticket": ticket["ticket"]})
    assert reply["type"] == ACK
    await ws.close()
    again, _ = await open_ws(servers[0], LEGACY_WS, {"ticket": ticket["ticket"]})
    assert await _closed_code(again) == 4401


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_unauthenticated_and_non_members_are_closed(
    db: AppState, settings: Settings, servers: list[ApiProcess], protocol: str
) -> None:
    _user, project = await _member_project(db)
    anonymous, _reply = await open_ws(servers[0], protocol, {})
    assert await _closed_code(anonymous) == 4401
    outsider = await make_user(db)
    ws, reply = await open_ws(servers[0], protocol, _bearer(settings, outsider.id))
    assert reply["type"] == ACK
    await start(ws, protocol, BOARD, {"p": str(project)})
    assert await _closed_code(ws) == 4403


async def test_bad_origin_is_refused_at_the_handshake(servers: list[ApiProcess]) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await open_ws(servers[0], TRANSPORT_WS, {}, origin="https://evil.example")
    assert refused.value.response.status_code == 403


async def test_expired_token_ends_the_subscription(
    db: AppState, settings: Settings, servers: list[ApiProcess]
) -> None:
    user, project = await _member_project(db)
    issued = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=settings.access_token_ttl - 2)
    token = issue_access_token(settings, user, now=issued)
    ws, reply = await open_ws(servers[0], TRANSPORT_WS, {"authorization": f"Bearer {token}"})
    assert reply["type"] == ACK
    await start(ws, TRANSPORT_WS, BOARD, {"p": str(project)})
    assert await _closed_code(ws) == 4401


async def test_api_token_keeps_its_project_scope_over_websocket(
    db: AppState, servers: list[ApiProcess]
) -> None:
    user = await make_user(db)
    workspace = await make_workspace(db, user)
    mine = await make_project(db, workspace, members={user.id: Role.VIEWER})
    other = await make_project(db, workspace, members={user.id: Role.VIEWER})
    reader = await make_api_token(db, user.id, project_id=mine.id, read_only=True)
    bearer = {"authorization": f"Bearer {reader}"}
    query, reply = await open_ws(servers[0], TRANSPORT_WS, bearer)
    assert reply["type"] == ACK
    await start(query, TRANSPORT_WS, "{ projects { edges { node { id } } } }", {})
    data = await asyncio.wait_for(next_data(query), 5)
    assert [e["node"]["id"] for e in data["projects"]["edges"]] == [str(mine.id)]
    await query.close()
    watching, _ = await open_ws(servers[1], LEGACY_WS, bearer)
    await start(watching, LEGACY_WS, BOARD, {"p": str(other.id)})
    assert await _closed_code(watching) == 4403
    # A ticket bought with a scoped token is just as limited.
    writer = await make_api_token(db, user.id, project_id=mine.id)
    response = httpx.post(
        f"{servers[0].http}/graphql",
        json={"query": "mutation { createSubscriptionTicket { ticket } }"},
        headers={"Authorization": f"Bearer {writer}"},
    )
    ticket = response.json()["data"]["createSubscriptionTicket"]["ticket"]
    ws, reply = await open_ws(servers[1], TRANSPORT_WS, {"ticket": ticket})
    assert reply["type"] == ACK
    await start(ws, TRANSPORT_WS, BOARD, {"p": str(other.id)})
    assert await _closed_code(ws) == 4403


def _subscribe(operation_id: str, payload: dict[str, object]) -> str:
    return json.dumps({"id": operation_id, "type": "subscribe", "payload": payload})


async def test_persisted_subscription_is_shared_by_every_process(
    db: AppState,
    settings: Settings,
    servers: list[ApiProcess],
    publisher: AppState,
    valkey_url: str,
) -> None:
    """APQ over graphql-transport-ws: an unknown hash is an `error` message, the document
    with its hash registers it (in Valkey), then the hash alone works on the other process."""
    user, project = await _member_project(db)
    document = f"{BOARD} # persisted {uuid.uuid4().hex}"
    digest = sha256(document)
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    variables = {"p": str(project)}
    first, reply = await open_ws(servers[0], TRANSPORT_WS, _bearer(settings, user))
    assert reply["type"] == ACK
    await first.send(_subscribe("a", {"variables": variables, "extensions": persisted}))
    unknown = json.loads(await asyncio.wait_for(first.recv(), 5))
    assert unknown["type"] == "error"
    assert unknown["id"] == "a"
    assert unknown["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    payload = {"query": document, "variables": variables, "extensions": persisted}
    await first.send(_subscribe("b", payload))
    second, reply = await open_ws(servers[1], TRANSPORT_WS, _bearer(settings, user))
    assert reply["type"] == ACK
    await second.send(_subscribe("c", {"variables": variables, "extensions": persisted}))
    await _subscribed(valkey_url, project, 2)
    await _commit_event(publisher, project, EventType.TASK_CREATED)
    for ws in (first, second):
        data = await asyncio.wait_for(next_data(ws), 5)
        assert data["boardEvents"]["type"] == "TASK_CREATED"
        await ws.close()
