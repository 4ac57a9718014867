"""GraphQL types of the live event streams and of subscription tickets."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from app.events.types import BoardEvent, EventType

BoardEventType = strawberry.enum(EventType, name="BoardEventType")


@strawberry.type(
    name="BoardEvent",
    description="A live event of a project. `seq` increases by one per event of the project; "
    "pass the last one seen as `since` when resubscribing. `payload` depends on `type` "
    "(see docs/realtime.md).",
)
class BoardEventNode:
    project_id: strawberry.ID
    type: BoardEventType  # type: ignore[valid-type]
    seq: int
    at: dt.datetime
    actor_id: strawberry.ID | None
    payload: JSON

    @classmethod
    def from_event(cls, event: BoardEvent) -> BoardEventNode:
        return cls(
            project_id=strawberry.ID(str(event.project_id)),
            type=event.type,
            seq=event.seq,
            at=event.at,
            actor_id=strawberry.ID(str(event.actor_id)) if event.actor_id else None,
            payload=dict(event.payload),  # type: ignore[arg-type]
        )


@strawberry.type(description="Send `ticket` in the WebSocket connection_init payload.")
class SubscriptionTicket:
    ticket: str
    expires_in_seconds: int
