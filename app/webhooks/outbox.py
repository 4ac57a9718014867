"""Recording webhook messages in the transaction of the change they report.

`record` queues a message on the unit of work; just before the commit, `write_deliveries`
finds the enabled endpoints that subscribed to it (the project's own, and its workspace's),
numbers each endpoint's messages (`webhook_endpoint.sequence`, taken under the endpoint's row
lock, so numbers follow commit order) and inserts one `webhook_delivery` per endpoint and
message. A rolled-back write leaves no delivery; a committed one always has its deliveries,
which the deliverer sends after the commit (app/webhooks/delivery.py).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.events.types import BoardEvent, EventType, to_jsonable
from app.state import UnitOfWork
from app.webhooks.catalog import EVENTS, webhook_type

PENDING = "trueppm.webhooks.pending"
WRITTEN = "trueppm.webhooks.written"
POKE_KEY = "webhook_poke"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Message:
    type: str
    data: Mapping[str, Any]
    project_id: uuid.UUID | None = None
    workspace_id: uuid.UUID | None = None
    actor_id: uuid.UUID | None = None
    at: dt.datetime = field(default_factory=_now)


def record(
    session: AsyncSession,
    type: str,
    data: Mapping[str, Any],
    *,
    project_id: uuid.UUID | None = None,
    workspace_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Queue the webhook message `type` for the endpoints of `project_id` (and of its
    workspace) or, without a project, of `workspace_id`; written just before the commit."""
    if type not in EVENTS:
        raise ValueError(f"unknown webhook event {type!r}")
    if project_id is None and workspace_id is None:
        raise ValueError("a webhook message needs a project or a workspace")
    uow = UnitOfWork.of(session)
    pending: list[Message] | None = session.info.get(PENDING)
    if pending is None:
        pending = session.info[PENDING] = []

        async def flush() -> None:
            await write_deliveries(session, session.info.pop(PENDING, []))

        uow.before_commit(flush)
    pending.append(
        Message(type, to_jsonable(dict(data)), project_id, workspace_id, actor_id, at or _now())
    )


def record_board_event(session: AsyncSession, event: BoardEvent) -> None:
    """The webhook message(s) a board event stands for (a bulk write's batch event: one per
    item, in order)."""
    if event.type == EventType.BATCH:
        for item in event.payload.get("events", ()):
            actor = item.get("actorId")
            inner = BoardEvent(
                event.project_id,
                EventType(item["type"]),
                item["payload"],
                uuid.UUID(str(actor)) if actor else None,
                event.at,
            )
            record_board_event(session, inner)
        return
    type = webhook_type(event.type, event.payload)
    if type is not None:
        record(
            session,
            type,
            event.payload,
            project_id=event.project_id,
            actor_id=event.actor_id,
            at=event.at,
        )


def message_body(message: Message, sequence: int | None, workspace_id: uuid.UUID) -> str:
    """The JSON a receiver gets: the Standard Webhooks shape (`type`, `timestamp`, `data`)
    plus the endpoint's `sequence` number."""
    data = {
        "workspaceId": str(workspace_id),
        "projectId": str(message.project_id) if message.project_id else None,
        "actorId": str(message.actor_id) if message.actor_id else None,
        **message.data,
    }
    body = {
        "type": message.type,
        "timestamp": message.at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "sequence": sequence,
        "data": data,
    }
    # `str` for what to_jsonable leaves alone (decimal amounts).
    return json.dumps(body, separators=(",", ":"), default=str)


async def write_deliveries(session: AsyncSession, messages: list[Message]) -> int:
    """Insert the deliveries of `messages`; return how many."""
    from app.models import Project, WebhookDelivery, WebhookEndpoint

    if not messages:
        return 0
    project_ids = {m.project_id for m in messages if m.project_id is not None}
    named = {m.workspace_id for m in messages if m.workspace_id is not None}
    # One query on the hot path: most writes happen where no endpoint listens.
    scope: ColumnElement[bool] = WebhookEndpoint.workspace_id.in_(named)
    if project_ids:
        of_projects = select(Project.workspace_id).where(Project.id.in_(project_ids))
        scope = scope | WebhookEndpoint.workspace_id.in_(of_projects)
    endpoints = (
        await session.execute(
            select(
                WebhookEndpoint.id,
                WebhookEndpoint.workspace_id,
                WebhookEndpoint.project_id,
                WebhookEndpoint.events,
            )
            .where(WebhookEndpoint.enabled, scope)
            # One order for every writer: sequences are taken endpoint by endpoint.
            .order_by(WebhookEndpoint.id)
        )
    ).all()
    if not endpoints:
        return 0
    workspace_of: dict[uuid.UUID, uuid.UUID] = {}
    if project_ids:
        rows = await session.execute(
            select(Project.id, Project.workspace_id).where(Project.id.in_(project_ids))
        )
        workspace_of = {pid: wid for pid, wid in rows.all()}

    def workspace(message: Message) -> uuid.UUID | None:
        if message.project_id is not None:
            return workspace_of.get(message.project_id, message.workspace_id)
        return message.workspace_id

    rows_out: list[dict[str, Any]] = []
    for endpoint_id, workspace_id, project_id, events in endpoints:
        wanted = set(events)
        matching = [
            m
            for m in messages
            if m.type in wanted
            and workspace(m) == workspace_id
            and (project_id is None or m.project_id == project_id)
        ]
        if not matching:
            continue
        last = (
            await session.execute(
                update(WebhookEndpoint)
                .where(WebhookEndpoint.id == endpoint_id)
                .values(sequence=WebhookEndpoint.sequence + len(matching))
                .returning(WebhookEndpoint.sequence)
            )
        ).scalar_one()
        first = last - len(matching) + 1
        for offset, message in enumerate(matching):
            rows_out.append(
                {
                    "id": uuid.uuid4(),
                    "endpoint_id": endpoint_id,
                    "sequence": first + offset,
                    "event_type": message.type,
                    "body": message_body(message, first + offset, workspace_id),
                }
            )
    if rows_out:
        await session.execute(insert(WebhookDelivery), rows_out)
        session.info[WRITTEN] = True
        uow = UnitOfWork.of(session)
        poke = uow.context.get(POKE_KEY)
        if poke is not None:
            uow.after_commit(poke)
    return len(rows_out)
