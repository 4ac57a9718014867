"""The webhook events an endpoint can subscribe to, and which board events they come from.

Most writes already queue a board event (app/events) on their unit of work; the webhook
outbox records a message for each of those it can name here, in the same transaction, so
GraphQL mutations, the REST sync push and jobs are covered by one path. Events that no board
event carries (project and membership changes, a recompute's finish change, risk escalation)
are recorded explicitly by the code that makes the change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.events.types import EventType

EVENTS: Mapping[str, str] = {
    "task.created": "A task was created.",
    "task.updated": "Fields of a task changed (`changes` holds the new values).",
    "task.deleted": "A task was deleted (moved to the trash).",
    "task.moved": "A task moved in the WBS (`parentId`, `position`) or on the board "
    "(`columnId`, `fromColumnId`).",
    "task.assigned": "A resource was assigned to a task, or its units/work changed.",
    "task.unassigned": "A resource assignment was removed from a task.",
    "dependency.created": "A dependency was added.",
    "dependency.updated": "A dependency's type or lag changed.",
    "dependency.deleted": "A dependency was removed.",
    "project.created": "A project was created.",
    "project.updated": "Fields of a project changed.",
    "project.deleted": "A project was deleted (moved to the trash).",
    "schedule.recalculated": "The engine recomputed the schedule: the new and previous "
    "project finish, and how many tasks' dates moved.",
    "forecast.completed": "A Monte Carlo forecast finished (percentiles P50/P80/…).",
    "baseline.captured": "A baseline was captured.",
    "baseline.drifted": "After a recompute the finish slipped past the active baseline's.",
    "comment.created": "A comment was posted on a task (its body is not sent).",
    "risk.opened": "A risk was recorded.",
    "risk.closed": "A risk's status became closed.",
    "risk.escalated": "A risk's exposure rose: its probability times impact (days or cost) grew.",
    "sprint.started": "A sprint started.",
    "sprint.closed": "A sprint closed.",
    "sprint.scope_changed": "Tasks were planned into, taken out of or carried over between "
    "sprints (`taskIds`).",
    "import.completed": "A plan import committed (counts of what it created).",
    "member.added": "Someone was given a role on the project or workspace (or a new role).",
    "member.removed": "Someone's role on the project or workspace was removed.",
}

# Board events that always mean one webhook event.
_DIRECT: Mapping[EventType, str] = {
    EventType.TASK_CREATED: "task.created",
    EventType.TASK_UPDATED: "task.updated",
    EventType.TASK_LABELS_CHANGED: "task.updated",
    EventType.TASK_DELETED: "task.deleted",
    EventType.TASK_MOVED: "task.moved",
    EventType.CARD_MOVED: "task.moved",
    EventType.ASSIGNMENT_CREATED: "task.assigned",
    EventType.ASSIGNMENT_UPDATED: "task.assigned",
    EventType.ASSIGNMENT_DELETED: "task.unassigned",
    EventType.DEPENDENCY_CREATED: "dependency.created",
    EventType.DEPENDENCY_UPDATED: "dependency.updated",
    EventType.DEPENDENCY_DELETED: "dependency.deleted",
    EventType.COMMENT_CREATED: "comment.created",
    EventType.RISK_CREATED: "risk.opened",
    EventType.FORECAST_COMPLETE: "forecast.completed",
    EventType.BASELINE_DRIFT_DETECTED: "baseline.drifted",
    EventType.IMPORT_COMPLETE: "import.completed",
}

_SPRINT_ACTIONS: Mapping[str, str] = {
    "started": "sprint.started",
    "closed": "sprint.closed",
    "planned": "sprint.scope_changed",
    "unplanned": "sprint.scope_changed",
    "carried_over": "sprint.scope_changed",
    "received": "sprint.scope_changed",
}


def webhook_type(type: EventType, payload: Mapping[str, Any]) -> str | None:
    """The webhook event a board event stands for, or None (a column renamed, a progress
    tick, …: nothing an integration subscribes to)."""
    direct = _DIRECT.get(type)
    if direct is not None:
        return direct
    if type in (EventType.SPRINT_CREATED, EventType.SPRINT_UPDATED):
        return _SPRINT_ACTIONS.get(str(payload.get("action")))
    if type == EventType.BASELINE_CREATED and payload.get("action") == "captured":
        return "baseline.captured"
    if type == EventType.RISK_UPDATED:
        changes = payload.get("changes") or {}
        if changes.get("status") == "closed":
            return "risk.closed"
    return None
