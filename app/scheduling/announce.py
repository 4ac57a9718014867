"""Tell live boards what a recompute did: `cpm_complete` or `cpm_error`, after its commit."""

from __future__ import annotations

import logging
import uuid

from app.events import publish
from app.events.bus import EventBus
from app.events.types import (
    BoardEvent,
    ChangedTask,
    CpmCompletePayload,
    CpmErrorPayload,
    EventType,
)
from app.scheduling.recompute import Outcome

log = logging.getLogger(__name__)


def outcome_event(outcome: Outcome) -> BoardEvent | None:
    """The board event for a run (None when it was skipped: nothing was pending)."""
    if outcome.state == "succeeded":
        changed = [
            ChangedTask(
                task_id=uuid.UUID(task_id),
                early_start=values["early_start"],
                early_finish=values["early_finish"],
                late_start=values["late_start"],
                late_finish=values["late_finish"],
                total_float=values["total_float"],
                free_float=values["free_float"],
            )
            for task_id, values in sorted(outcome.changed.items())
        ]
        payload = CpmCompletePayload(
            project_finish=outcome.project_finish,
            critical_path=[uuid.UUID(t) for t in outcome.critical_path],
            changed_tasks=changed,
            engine_ms=outcome.engine_ms,
        )
        return BoardEvent.make(outcome.project_id, EventType.CPM_COMPLETE, payload, None)
    if outcome.state == "failed":
        error = CpmErrorPayload(code="schedule_failed", message=outcome.error or "unknown error")
        return BoardEvent.make(outcome.project_id, EventType.CPM_ERROR, error, None)
    return None


def drift_event(outcome: Outcome) -> BoardEvent | None:
    """`baseline_drift_detected` when the run found the finish slipping past the baseline."""
    if outcome.drift is None:
        return None
    return BoardEvent.make(
        outcome.project_id, EventType.BASELINE_DRIFT_DETECTED, outcome.drift, None
    )


async def announce(outcome: Outcome, bus: EventBus | None = None) -> None:
    """Publish the run's events (`cpm_complete`/`cpm_error`, then any baseline drift); a
    broadcast failure is logged, never undoes the commit."""
    for event in (outcome_event(outcome), drift_event(outcome)):
        if event is None:
            continue
        try:
            await publish(event, bus)
        except Exception:  # the schedule is committed; a missed push is healed by `since` replay
            log.warning("could not publish %s", event.type, exc_info=True)
