"""The risk register over GraphQL: CRUD, validation, links, filters, events, permissions."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from app.events.types import EventType
from app.models.enums import Role
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_user
from tests.graph.matrix import Reseeding
from tests.graph.risks.helpers import (
    LINK,
    UNLINK,
    UPDATE_RISK,
    create_risk,
    link_risk,
)
from tests.graph.tasks.factories import World, create_task, make_world

LIST = """
query($p: ID!, $status: [RiskStatus!], $owner: ID, $task: ID, $first: Int, $after: String) {
  risks(projectId: $p, status: $status, ownerId: $owner, taskId: $task, first: $first,
        after: $after) {
    totalCount nodes { title status } pageInfo { hasNextPage endCursor }
  }
}"""


async def test_create_read_update_and_delete_a_risk(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    owner = world.users[Role.TEAM_MEMBER].id
    risk = await create_risk(
        gql,
        world.pm,
        world.project,
        "  Vendor slips  ",
        probability=0.25,
        impactDays=8,
        impactCost="12000.50",
        ownerId=str(owner),
        response="Second vendor on standby",
        trigger="No shipping notice by week 3",
    )
    assert risk["title"] == "Vendor slips"
    assert (risk["probability"], risk["impactDays"], risk["impactCost"]) == (0.25, 8.0, "12000.50")
    assert (risk["exposureDays"], risk["exposureCost"]) == (2.0, "3000.13")
    assert (risk["status"], risk["ownerId"], risk["serverVersion"]) == ("OPEN", str(owner), 1)
    assert risk["taskIds"] == []

    body = await gql(
        UPDATE_RISK,
        {"id": risk["id"], "input": {"status": "MITIGATING", "probability": 0.1}, "v": 1},
        user=world.pm,
    )
    updated = body["data"]["updateRisk"]["risk"]
    assert (updated["status"], updated["probability"], updated["serverVersion"]) == (
        "MITIGATING",
        0.1,
        2,
    )
    stale = await gql(
        UPDATE_RISK, {"id": risk["id"], "input": {"title": "x"}, "v": 1}, user=world.pm
    )
    assert stale["data"]["updateRisk"] == {
        "__typename": "Conflict",
        "message": "risk changed since version 1; reload and retry",
        "currentVersion": 2,
    }
    read = await gql(
        "query($id: ID!) { risk(id: $id) { title status serverVersion } }",
        {"id": risk["id"]},
        user=world.users[Role.VIEWER].id,
    )
    assert read["data"]["risk"] == {
        "title": "Vendor slips",
        "status": "MITIGATING",
        "serverVersion": 2,
    }

    deleted = await gql(
        "mutation($id: ID!) { deleteRisk(id: $id) { ... on RiskPayload { risk { isDeleted "
        "serverVersion } } } }",
        {"id": risk["id"]},
        user=world.pm,
    )
    assert deleted["data"]["deleteRisk"]["risk"] == {"isDeleted": True, "serverVersion": 3}
    gone = await gql("query($id: ID!) { risk(id: $id) { id } }", {"id": risk["id"]}, user=world.pm)
    assert gone["data"]["risk"] is None


async def test_invalid_fields_are_each_named(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    outsider = await make_user(db)
    body = await gql(
        """mutation($p: ID!, $o: ID!) { createRisk(input: {projectId: $p, title: " ",
        probability: 1.5, impactDays: -1, impactCost: "-3", ownerId: $o}) {
        __typename ... on ValidationError { fields { path message } } } }""",
        {"p": str(world.project.id), "o": str(outsider.id)},
        user=world.pm,
    )
    result = body["data"]["createRisk"]
    assert result["__typename"] == "ValidationError"
    assert {tuple(f["path"]): f["message"] for f in result["fields"]} == {
        ("input", "title"): "must not be empty",
        ("input", "probability"): "must be between 0 and 1",
        ("input", "impactDays"): "must be between 0 and 100000",
        ("input", "impactCost"): "must be between 0 and 1e+14",
    }
    owner = await gql(
        """mutation($p: ID!, $o: ID!) { createRisk(input: {projectId: $p, title: "R",
        ownerId: $o}) { __typename ... on ValidationError { fields { path message } } } }""",
        {"p": str(world.project.id), "o": str(outsider.id)},
        user=world.pm,
    )
    assert owner["data"]["createRisk"]["fields"] == [
        {"path": ["input", "ownerId"], "message": "is not a member of this project"}
    ]
    null_title = await gql(
        UPDATE_RISK,
        {"id": (await create_risk(gql, world.pm, world.project))["id"], "input": {"title": None}},
        user=world.pm,
    )
    assert null_title["data"]["updateRisk"]["fields"] == [
        {"path": ["input", "title"], "message": "must not be null"}
    ]


async def test_link_and_unlink_tasks(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    a = await create_task(gql, world.pm, world.project, "A")
    b = await create_task(gql, world.pm, world.project, "B")
    risk = await create_risk(gql, world.pm, world.project)
    assert (await link_risk(gql, world.pm, risk["id"], a["id"]))["risk"]["taskIds"] == [a["id"]]
    linked = await link_risk(gql, world.pm, risk["id"], b["id"])
    assert linked["risk"]["taskIds"] == [a["id"], b["id"]]
    again = await link_risk(gql, world.pm, risk["id"], a["id"])
    assert again == {
        "__typename": "Conflict",
        "message": "this risk is already linked to that task",
    }
    other = await make_world(db)
    foreign = await create_task(gql, other.pm, other.project, "Elsewhere")
    bad = await link_risk(gql, world.pm, risk["id"], foreign["id"])
    assert bad["fields"] == [{"path": ["taskId"], "message": "no such task in the risk's project"}]

    body = await gql(UNLINK, {"r": risk["id"], "t": a["id"]}, user=world.pm)
    assert body["data"]["unlinkRiskTask"]["risk"]["taskIds"] == [b["id"]]
    twice = await gql(UNLINK, {"r": risk["id"], "t": a["id"]}, user=world.pm)
    assert twice["data"]["unlinkRiskTask"] == {
        "__typename": "NotFound",
        "message": "this risk is not linked to that task",
    }
    # Relinking after an unlink creates a fresh link (the old one stays a tombstone).
    relinked = await link_risk(gql, world.pm, risk["id"], a["id"])
    assert relinked["risk"]["taskIds"] == [b["id"], a["id"]]
    # A deleted task drops out of the risk's links.
    await gql("mutation($id: ID!) { deleteTask(id: $id) { __typename } }", {"id": b["id"]},
              user=world.pm)  # fmt: skip
    read = await gql("query($id: ID!) { risk(id: $id) { taskIds } }", {"id": risk["id"]},
                     user=world.pm)  # fmt: skip
    assert read["data"]["risk"]["taskIds"] == [a["id"]]


async def test_list_filters_and_pages(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    member = world.users[Role.TEAM_MEMBER].id
    task = await create_task(gql, world.pm, world.project, "T")
    r1 = await create_risk(gql, world.pm, world.project, "R1")
    await create_risk(gql, world.pm, world.project, "R2", status="CLOSED", ownerId=str(member))
    await create_risk(gql, world.pm, world.project, "R3", status="MITIGATING")
    await link_risk(gql, world.pm, r1["id"], task["id"])
    p = str(world.project.id)

    async def titles(**variables: Any) -> list[str]:
        body = await gql(LIST, {"p": p, **variables}, user=world.users[Role.VIEWER].id)
        assert "errors" not in body, body
        return [n["title"] for n in body["data"]["risks"]["nodes"]]

    assert await titles() == ["R1", "R2", "R3"]
    assert await titles(status=["OPEN", "MITIGATING"]) == ["R1", "R3"]
    assert await titles(owner=str(member)) == ["R2"]
    assert await titles(task=task["id"]) == ["R1"]
    first = await gql(LIST, {"p": p, "first": 2}, user=world.pm)
    page = first["data"]["risks"]
    assert [n["title"] for n in page["nodes"]] == ["R1", "R2"]
    assert page["totalCount"] == 3
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await titles(first=2, after=page["pageInfo"]["endCursor"])
    assert rest == ["R3"]
    stranger = await make_user(db)
    hidden = await gql(LIST, {"p": p}, user=stranger.id)
    assert hidden["data"]["risks"]["totalCount"] == 0


async def test_risk_events_reach_the_board_stream_after_commit(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    task = await create_task(gql, world.pm, world.project, "T")
    async with db.events.subscribe(world.project.id) as stream:
        risk = await create_risk(gql, world.pm, world.project, "R", probability=0.5)
        await link_risk(gql, world.pm, risk["id"], task["id"])
        await gql(
            "mutation($id: ID!) { deleteRisk(id: $id) { __typename } }",
            {"id": risk["id"]},
            user=world.pm,
        )
        # A rejected write announces nothing.
        await gql(UPDATE_RISK, {"id": risk["id"], "input": {"title": "x"}}, user=world.pm)
        events = [await asyncio.wait_for(stream.next(), 5) for _ in range(3)]
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(stream.next(), 0.3)
    assert [e.type for e in events] == [
        EventType.RISK_CREATED,
        EventType.RISK_UPDATED,
        EventType.RISK_DELETED,
    ]
    assert all(e.actor_id == world.pm for e in events)
    assert events[0].payload["riskId"] == risk["id"]
    assert events[0].payload["changes"]["probability"] == 0.5
    assert events[1].payload["changes"] == {"taskIds": [task["id"]]}
    assert events[2].payload["serverVersion"] == 2


Op = Callable[[GraphQLClient, Any, dict[str, str]], Awaitable[str]]


def _op(query: str, variables: Callable[[dict[str, str]], dict[str, Any]]) -> Op:
    async def run(gql: GraphQLClient, user: Any, ids: dict[str, str]) -> str:
        body = await gql(query, variables(ids), user=user)
        assert "errors" not in body, body
        name: str = next(iter(body["data"].values()))["__typename"]
        return name

    return run


OPS: dict[str, Op] = {
    "createRisk": _op(
        'mutation($p: ID!) { createRisk(input: {projectId: $p, title: "R"}) { __typename } }',
        lambda i: {"p": i["project"]},
    ),
    "updateRisk": _op(
        "mutation($id: ID!) { updateRisk(id: $id, input: {probability: 0.3}) { __typename } }",
        lambda i: {"id": i["risk"]},
    ),
    "deleteRisk": _op(
        "mutation($id: ID!) { deleteRisk(id: $id) { __typename } }", lambda i: {"id": i["risk"]}
    ),
    "linkRiskTask": _op(LINK, lambda i: {"r": i["risk"], "t": i["task"]}),
    "unlinkRiskTask": _op(UNLINK, lambda i: {"r": i["risk"], "t": i["linked"]}),
}


async def _seed(gql: GraphQLClient, world: World) -> dict[str, str]:
    task = await create_task(gql, world.pm, world.project, "T")
    linked = await create_task(gql, world.pm, world.project, "L")
    risk = await create_risk(gql, world.pm, world.project)
    await link_risk(gql, world.pm, risk["id"], linked["id"])
    return {
        "project": str(world.project.id),
        "risk": risk["id"],
        "task": task["id"],
        "linked": linked["id"],
    }


@pytest.mark.parametrize("operation", list(OPS))
async def test_role_matrix(gql: GraphQLClient, db: AppState, operation: str) -> None:
    world = await make_world(db)
    outsider = await make_user(db)
    admin_elsewhere = await make_world(db)
    actors = {"NON_MEMBER": outsider.id, "OTHER_WORKSPACE_OWNER": admin_elsewhere.owner.id}
    actors |= {role.name: world.users[role].id for role in Role}
    actors["WORKSPACE_OWNER"] = world.owner.id
    seeds = Reseeding(lambda: _seed(gql, world))
    outcomes = {}
    for name, user in actors.items():
        outcomes[name] = await seeds.run(lambda ids, user=user: OPS[operation](gql, user, ids))
    expected = {
        role.name: "Forbidden" if role < Role.PROJECT_MANAGER else "RiskPayload" for role in Role
    }
    expected |= {
        "WORKSPACE_OWNER": "RiskPayload",
        "NON_MEMBER": "NotFound",
        "OTHER_WORKSPACE_OWNER": "NotFound",
    }
    assert outcomes == expected
