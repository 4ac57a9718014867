"""Carrying a closed sprint's unfinished tasks over: the work behind a `SprintCloseRequest`.

Run by the RQ job `jobs.sprints.close_sprint` or by the in-process runner. The request row is
locked first (`FOR UPDATE`), so two runs of one request serialize and the second sees it done:
processing is idempotent. Unfinished means "not done" by `trueppm_task_done` at the moment the
job runs (so a card sitting in a Done board column stays with the closed sprint); unfinished
tasks move to the next planned sprint (lowest order, then earliest start) or, when there is
none, to the backlog. Sprint events go out only after the commit.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.events import BoardEvent, EventType, SprintPayload, publish
from app.events.bus import EventBus
from app.models import Sprint, SprintCloseRequest, Task
from app.sprints.repository import next_planned_sprint, task_done
from app.state import unit_of_work
from app.sync.locks import lock_sync_project
from app.webhooks.outbox import record_board_event

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CloseOutcome:
    """`state` is `carried_over`, or `skipped` when the request was already processed."""

    request_id: uuid.UUID
    state: str
    sprint_id: uuid.UUID | None = None
    target_sprint_id: uuid.UUID | None = None
    moved: list[uuid.UUID] = field(default_factory=list)
    events: list[BoardEvent] = field(default_factory=list)


def _event(
    sprint: Sprint,
    action: str,
    moved: list[uuid.UUID],
    other: uuid.UUID | None,
    actor: uuid.UUID | None,
    other_key: str,
) -> BoardEvent:
    payload = SprintPayload(
        sprint_id=sprint.id,
        server_version=sprint.server_version,
        state=sprint.state,
        action=action,
        task_ids=moved,
        changes={other_key: other},
    )
    return BoardEvent.make(sprint.project_id, EventType.SPRINT_UPDATED, payload, actor)


async def _carry_over(session: AsyncSession, request_id: uuid.UUID) -> CloseOutcome:
    request = (
        await session.execute(
            select(SprintCloseRequest).where(SprintCloseRequest.id == request_id).with_for_update()
        )
    ).scalar_one_or_none()
    if request is None or request.done_at is not None:
        return CloseOutcome(request_id, "skipped")
    sprint = await session.get(Sprint, request.sprint_id)
    assert sprint is not None  # the request cascades away with its sprint
    # The project before the task rows (their sync trigger would take it after each row lock).
    await lock_sync_project(session, sprint.project_id)
    target_id = await next_planned_sprint(session, sprint.project_id, excluding=sprint.id)
    result = await session.execute(
        update(Task)
        .where(Task.sprint_id == sprint.id, Task.is_deleted.is_(False), ~task_done())
        .values(sprint_id=target_id, server_version=Task.server_version + 1)
        .returning(Task.id)
        .execution_options(synchronize_session=False)
    )
    moved = sorted(result.scalars())
    request.done_at = func.now()
    request.target_sprint_id = target_id
    request.moved_tasks = len(moved)
    events = [_event(sprint, "carried_over", moved, target_id, request.actor_id, "toSprintId")]
    if target_id is not None and moved:
        target = await session.get(Sprint, target_id)
        assert target is not None
        events.append(
            _event(target, "received", moved, sprint.id, request.actor_id, "fromSprintId")
        )
    await session.flush()
    return CloseOutcome(request_id, "carried_over", sprint.id, target_id, moved, events)


async def process_close(
    sessions: async_sessionmaker[AsyncSession],
    request_id: uuid.UUID,
    bus: EventBus | None = None,
) -> CloseOutcome:
    """Process one close request in its own transaction, then publish its sprint events."""
    async with unit_of_work(sessions) as uow:
        outcome = await _carry_over(uow.session, request_id)
        for event in outcome.events:  # sprint.scope_changed, committed with the carry-over
            record_board_event(uow.session, event)
    for event in outcome.events:
        try:
            await publish(event, bus)
        except Exception:  # committed; a missed push is healed by `since` replay
            log.warning("could not publish %s", event.type, exc_info=True)
    return outcome
