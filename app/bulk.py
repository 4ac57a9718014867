"""Many writes in one transaction (`createTasks`, `updateTasks`, … in graph/tasks/bulk.py).

Each item runs the same service as its single mutation, inside a savepoint: a failed item is
rolled back to its savepoint and reported by index, with what it collected forgotten. While
the items run, board events and schedule requests are collected (`app.batching`); at the end
each project touched gets one schedule request and one `batch` board event carrying the items'
events in order. All or nothing by default: one failure refuses the whole request (the
caller's transaction rolls back and the failures are returned); `partial` keeps the good items.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from app.batching import BATCH_KEY, Batch
from app.errors import AppError, FieldProblem, ValidationFailed
from app.events import BoardEvent, EventType, publish_after_commit
from app.scheduling.outbox import request_schedule
from app.state import UnitOfWork

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class ItemFailure:
    index: int
    error: AppError


@dataclass(frozen=True)
class BulkOutcome(Generic[R]):
    results: list[R | None]  # by index; None where the item failed
    failures: list[ItemFailure]


class BulkRefused(Exception):
    """All-or-nothing and some item failed: nothing is written (raised to roll back)."""

    def __init__(self, failures: list[ItemFailure], size: int) -> None:
        super().__init__(f"{len(failures)} of {size} items failed")
        self.failures = failures
        self.size = size


def check_size(size: int, limit: int, argument: str) -> None:
    """A bulk of 1 to `limit` items (TRUEPPM_BULK_MAX), else a ValidationError on `argument`."""
    if size == 0:
        raise ValidationFailed([FieldProblem((argument,), "give at least one item")])
    if size > limit:
        problem = f"at most {limit} items per request (TRUEPPM_BULK_MAX), got {size}"
        raise ValidationFailed([FieldProblem((argument,), problem)])


async def run_items(
    uow: UnitOfWork,
    items: Sequence[T],
    work: Callable[[UnitOfWork, T], Awaitable[R]],
    *,
    partial: bool,
) -> BulkOutcome[R]:
    session = uow.session
    batch = Batch()
    session.info[BATCH_KEY] = batch
    results: list[R | None] = []
    failures: list[ItemFailure] = []
    try:
        for index, item in enumerate(items):
            mark = batch.mark()
            try:
                async with session.begin_nested():
                    results.append(await work(uow, item))
            except AppError as exc:
                batch.rewind(mark)
                results.append(None)
                failures.append(ItemFailure(index, exc))
    finally:
        session.info.pop(BATCH_KEY, None)
    if failures and not partial:
        raise BulkRefused(failures, len(items))
    await _flush(uow, batch)
    return BulkOutcome(results, failures)


async def _flush(uow: UnitOfWork, batch: Batch) -> None:
    """One schedule request and one batch event per project touched."""
    reasons: dict[uuid.UUID, list[str]] = {}
    for project_id, reason in batch.scheduled:
        reasons.setdefault(project_id, []).append(reason)
    for project_id, why in reasons.items():
        await request_schedule(uow.session, project_id, f"bulk: {len(why)} x {why[0]}")
    grouped: dict[uuid.UUID, list[BoardEvent]] = {}
    for event in batch.events:
        grouped.setdefault(event.project_id, []).append(event)
    for project_id, events in grouped.items():
        payload = {
            "count": len(events),
            "events": [
                {"type": e.type.value, "actorId": e.actor_id, "payload": e.payload} for e in events
            ],
        }
        event = BoardEvent.make(project_id, EventType.BATCH, payload, events[0].actor_id)
        publish_after_commit(uow, event)
