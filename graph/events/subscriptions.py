"""`boardEvents` and `scheduleEvents`: a project's live events over WebSocket.

`boardEvents` is the one stream carrying every event of the project (board and schedule);
`scheduleEvents` is the same stream filtered to `cpm_complete` / `cpm_error` (plus
`resync_required`). Refusals close the socket: 4401 unauthenticated, 4403 not a member (or no
such project), 4008 slow consumer. See docs/realtime.md.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator

import strawberry
from graphql import GraphQLError

from app.authz import project_role
from app.errors import NotFoundError
from app.events import SCHEDULE_TYPES, EventType, SlowConsumer
from graph.context import Info
from graph.events.transport import (
    CLOSE_FORBIDDEN,
    CLOSE_SLOW_CONSUMER,
    CLOSE_UNAUTHENTICATED,
    connection_of,
)
from graph.events.types import BoardEventNode


def _uuid(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


async def _refuse(info: Info, code: int, reason: str, error_code: str) -> None:
    """Close the WebSocket with `code`; over any other transport, fail the operation."""
    connection = connection_of(info.context.request)
    if connection is None:
        raise GraphQLError(reason, extensions={"code": error_code})
    await connection.close(code, reason)


async def _authorized_project(info: Info, raw_project_id: str) -> uuid.UUID | None:
    user_id = info.context.user_id
    if user_id is None:
        await _refuse(info, CLOSE_UNAUTHENTICATED, "authentication required", "UNAUTHENTICATED")
        return None
    project_id = _uuid(raw_project_id)
    if project_id is not None:
        try:
            async with info.context.session() as session:
                await project_role(session, user_id, project_id)  # Viewer and up may watch
            return project_id
        except NotFoundError:
            pass
    await _refuse(info, CLOSE_FORBIDDEN, "not a member of this project", "FORBIDDEN")
    return None


async def _stream(
    info: Info, raw_project_id: str, since: int | None, only: frozenset[EventType] | None
) -> AsyncGenerator[BoardEventNode, None]:
    project_id = await _authorized_project(info, raw_project_id)
    if project_id is None:
        return
    connection = connection_of(info.context.request)
    if connection is not None:  # a membership revoked later ends this subscription
        connection.watching(project_id, +1)
    try:
        async with info.context.state.events.subscribe(project_id, since) as stream:
            while True:
                event = await stream.next()
                if only is None or event.type in only or event.type == EventType.RESYNC_REQUIRED:
                    yield BoardEventNode.from_event(event)
    except SlowConsumer as exc:
        await _refuse(info, CLOSE_SLOW_CONSUMER, f"slow consumer: {exc}", "SLOW_CONSUMER")
    finally:
        if connection is not None:
            connection.watching(project_id, -1)


@strawberry.type
class EventSubscription:
    @strawberry.subscription(
        description="Every live event of the project, board and schedule alike. With `since`, "
        "first the events after that `seq` (or one `resync_required` when they are no longer "
        "buffered)."
    )
    async def board_events(
        self, info: Info, project_id: strawberry.ID, since: int | None = None
    ) -> AsyncGenerator[BoardEventNode, None]:
        async for node in _stream(info, project_id, since, None):
            yield node

    @strawberry.subscription(
        description="Only the schedule events of the project: `cpm_complete`, `cpm_error`, "
        "`baseline_drift_detected` and the forecast events `forecast_progress`, "
        "`forecast_complete`, `forecast_failed`."
    )
    async def schedule_events(
        self, info: Info, project_id: strawberry.ID
    ) -> AsyncGenerator[BoardEventNode, None]:
        async for node in _stream(info, project_id, None, SCHEDULE_TYPES):
            yield node
