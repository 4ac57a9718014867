"""Risks, risk↔task links and comments over the sync endpoint: pulled with tombstones, pushed
through the risk and comment services (their permissions, validation and history)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select

from app.models import Comment, HistoryEntry, Risk, RiskTask
from app.models.enums import Role
from app.settings import Settings
from app.state import AppState
from tests.app.sync.helpers import SyncClient, changes, task_record
from tests.factories import make_project, make_user, make_workspace


@pytest.fixture
async def world(db: AppState) -> dict[str, uuid.UUID]:
    manager = await make_user(db)
    member = await make_user(db)
    viewer = await make_user(db)
    workspace = await make_workspace(db, manager)
    project = await make_project(
        db,
        workspace,
        members={
            manager.id: Role.PROJECT_MANAGER,
            member.id: Role.TEAM_MEMBER,
            viewer.id: Role.VIEWER,
        },
    )
    return {"manager": manager.id, "member": member.id, "viewer": viewer.id, "project": project.id}


def _client(
    http: httpx.AsyncClient, settings: Settings, world: dict[str, uuid.UUID], who: str
) -> SyncClient:
    return SyncClient(http, settings, world[who], world["project"])


def _risk(risk_id: uuid.UUID, **values: object) -> dict[str, object]:
    return {
        "id": str(risk_id),
        "title": "Late steel",
        "probability": 0.3,
        "impact_days": 4,
        "impact_cost": 1250.5,
        "status": "open",
        **values,
    }


async def test_risks_links_and_comments_round_trip(
    client: httpx.AsyncClient, settings: Settings, world: dict[str, uuid.UUID], db: AppState
) -> None:
    manager = _client(client, settings, world, "manager")
    await manager.pull()
    task, risk, link, comment = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    created = await manager.push(
        {
            # Listed children first: the server applies tasks, then risks, then links.
            **changes(
                "risk_tasks",
                created=[{"id": str(link), "risk_id": str(risk), "task_id": str(task)}],
            ),
            **changes(
                "comments",
                created=[
                    {
                        "id": str(comment),
                        "task_id": str(task),
                        "body": "**steel** <script>alert(1)</script>",
                        "format": "markdown",
                        # Computed: ignored (the author is the pusher, the HTML the server's).
                        "body_html": "<b onclick=x>forged</b>",
                        "author_id": str(world["viewer"]),
                    }
                ],
            ),
            **changes("risks", created=[_risk(risk)]),
            **changes("tasks", created=[task_record(task, "Erect steel")]),
        }
    )
    assert created.status_code == 200, created.text

    phone = _client(client, settings, world, "member")
    await phone.pull()
    pulled_risk = phone.local["risks"][str(risk)]
    assert pulled_risk["title"] == "Late steel"
    assert pulled_risk["impact_cost"] == 1250.5
    assert pulled_risk["project_id"] == str(world["project"])
    assert phone.local["risk_tasks"][str(link)]["task_id"] == str(task)
    pulled_comment = phone.local["comments"][str(comment)]
    assert pulled_comment["author_id"] == str(world["manager"])
    assert "<strong>steel</strong>" in pulled_comment["body_html"]
    assert "<script" not in pulled_comment["body_html"]
    assert "forged" not in pulled_comment["body_html"]
    async with db.sessions() as session:
        actors = (
            await session.scalars(
                select(HistoryEntry.actor_id).where(
                    HistoryEntry.object_id.in_([risk, link, comment]),
                    HistoryEntry.action == "create",
                )
            )
        ).all()
    assert actors == [world["manager"]] * 3

    # Updates: the manager edits the risk, the member comments and may not touch the risk.
    mine = uuid.uuid4()
    await manager.pull()
    edited = await manager.push(
        changes("risks", updated=[_risk(risk, probability=0.6, title="  Late steel deck ")])
    )
    assert edited.status_code == 200, edited.text
    commented = await phone.push(
        changes("comments", created=[{"id": str(mine), "task_id": str(task), "body": "on it"}])
    )
    assert commented.status_code == 200, commented.text
    await phone.pull()
    refused = await phone.push(changes("risks", updated=[_risk(risk, probability=0.1)]))
    assert refused.status_code == 403
    assert refused.json()["table"] == "risks"
    assert phone.local["risks"][str(risk)]["probability"] == 0.6
    assert phone.local["risks"][str(risk)]["title"] == "Late steel deck"  # the service trimmed
    assert phone.local["comments"][str(mine)]["author_id"] == str(world["member"])
    # Only its author edits a comment.
    await manager.pull()
    foreign = await manager.push(
        changes("comments", updated=[dict(manager.local["comments"][str(mine)], body="mine now")])
    )
    assert foreign.status_code == 403
    reworded = await manager.push(
        changes("comments", updated=[dict(manager.local["comments"][str(comment)], body="_wet_")])
    )
    assert reworded.status_code == 200, reworded.text
    await phone.pull()
    assert "<em>wet</em>" in phone.local["comments"][str(comment)]["body_html"]

    # Deletes: the link, then the risk and a comment; the member receives tombstones.
    await manager.pull()
    unlinked = await manager.push(changes("risk_tasks", deleted=[str(link)]))
    assert unlinked.status_code == 200, unlinked.text
    await manager.pull()
    # A Project Manager is no project admin: only the author deletes this comment.
    foreign_delete = await manager.push(changes("comments", deleted=[str(mine)]))
    assert foreign_delete.status_code == 403
    assert (await manager.push(changes("risks", deleted=[str(risk)]))).status_code == 200
    own_delete = await phone.push(changes("comments", deleted=[str(mine)]))
    assert own_delete.status_code == 200, own_delete.text
    pages = await phone.pull()
    deleted = {
        t: sorted(pages[0]["changes"][t]["deleted"]) for t in ("risks", "risk_tasks", "comments")
    }
    assert deleted == {"risks": [str(risk)], "risk_tasks": [str(link)], "comments": [str(mine)]}
    assert set(phone.local["comments"]) == {str(comment)}
    async with db.sessions() as session:
        stored_risk = await session.get(Risk, risk)
        stored_link = await session.get(RiskTask, link)
        stored_comment = await session.get(Comment, mine)
        assert stored_risk is not None
        assert stored_risk.is_deleted
        assert stored_risk.impact_cost == Decimal("1250.50")
        assert stored_link is not None
        assert stored_link.is_deleted
        assert stored_comment is not None
        assert stored_comment.is_deleted


async def test_viewer_and_bad_records_are_refused(
    client: httpx.AsyncClient, settings: Settings, world: dict[str, uuid.UUID], db: AppState
) -> None:
    viewer = _client(client, settings, world, "viewer")
    await viewer.pull()
    assert viewer.local["risks"] == {}
    assert viewer.local["comments"] == {}
    denied = await viewer.push(changes("risks", created=[_risk(uuid.uuid4())]))
    assert denied.status_code == 403

    manager = _client(client, settings, world, "manager")
    await manager.pull()
    unknown = await manager.push(
        {
            **changes("risks", created=[_risk(uuid.uuid4(), colour="red")]),
            **changes("comments", created=[{"id": str(uuid.uuid4()), "body": "x", "likes": 3}]),
        }
    )
    assert unknown.status_code == 400
    assert unknown.json()["unknown_columns"] == {"risks": ["colour"], "comments": ["likes"]}
    invalid = await manager.push(changes("risks", created=[_risk(uuid.uuid4(), probability=2)]))
    assert invalid.status_code == 422
    assert invalid.json()["table"] == "risks"
    orphan = await manager.push(
        changes("comments", created=[{"id": str(uuid.uuid4()), "body": "no task"}])
    )
    assert orphan.status_code == 422
    assert orphan.json()["table"] == "comments"
    async with db.sessions() as session:
        assert (await session.scalars(select(Risk.id))).all() == []
        assert (await session.scalars(select(Comment.id))).all() == []


async def test_deleting_a_task_tombstones_its_risk_links_but_keeps_the_risk(
    client: httpx.AsyncClient, settings: Settings, world: dict[str, uuid.UUID], db: AppState
) -> None:
    manager = _client(client, settings, world, "manager")
    await manager.pull()
    task, risk, link = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    created = await manager.push(
        {
            **changes(
                "risk_tasks",
                created=[{"id": str(link), "risk_id": str(risk), "task_id": str(task)}],
            ),
            **changes("risks", created=[_risk(risk)]),
            **changes("tasks", created=[task_record(task, "Pour slab")]),
        }
    )
    assert created.status_code == 200, created.text
    phone = _client(client, settings, world, "member")
    await phone.pull()
    assert phone.local["risk_tasks"][str(link)]["task_id"] == str(task)

    await manager.pull()
    removed = await manager.push(changes("tasks", deleted=[str(task)]))
    assert removed.status_code == 200, removed.text
    pages = await phone.pull()
    deleted = {t: pages[0]["changes"][t]["deleted"] for t in ("tasks", "risks", "risk_tasks")}
    assert deleted == {"tasks": [str(task)], "risks": [], "risk_tasks": [str(link)]}
    assert set(phone.local["risks"]) == {str(risk)}
    assert phone.local["risk_tasks"] == {}
    async with db.sessions() as session:
        stored = await session.get(RiskTask, link)
        assert stored is not None
        assert (stored.is_deleted, stored.server_version) == (True, 2)
