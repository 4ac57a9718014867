"""The typed live events of a project board and their JSON wire form.

Every event carries `project_id`, `type`, `seq` (per-project, strictly increasing, allocated at
publish time), `at`, `actor_id` and a `payload` whose shape depends on the type. Payload
dataclasses below document each shape; on the wire the payload is a plain JSON object with
camelCase keys (what a browser client reads without a mapping layer).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass, replace
from typing import Any


class EventType(enum.StrEnum):
    TASK_CREATED = "task_created"
    # One bulk mutation's events of a project, in order: payload {count, events: [{type,
    # actorId, payload}]} (app/bulk.py).
    BATCH = "batch"
    TASK_UPDATED = "task_updated"
    TASK_DELETED = "task_deleted"
    TASK_MOVED = "task_moved"
    DEPENDENCY_CREATED = "dependency_created"
    DEPENDENCY_UPDATED = "dependency_updated"
    DEPENDENCY_DELETED = "dependency_deleted"
    CARD_MOVED = "card_moved"
    COLUMN_CREATED = "column_created"
    COLUMN_UPDATED = "column_updated"
    COLUMN_DELETED = "column_deleted"
    LABEL_CREATED = "label_created"
    LABEL_UPDATED = "label_updated"
    LABEL_DELETED = "label_deleted"
    TASK_LABELS_CHANGED = "task_labels_changed"
    SPRINT_CREATED = "sprint_created"
    SPRINT_UPDATED = "sprint_updated"
    SPRINT_DELETED = "sprint_deleted"
    RISK_CREATED = "risk_created"
    RISK_UPDATED = "risk_updated"
    RISK_DELETED = "risk_deleted"
    RESOURCE_CREATED = "resource_created"
    RESOURCE_UPDATED = "resource_updated"
    RESOURCE_DELETED = "resource_deleted"
    ASSIGNMENT_CREATED = "assignment_created"
    ASSIGNMENT_UPDATED = "assignment_updated"
    ASSIGNMENT_DELETED = "assignment_deleted"
    LEVELING_APPLIED = "leveling_applied"
    COMMENT_CREATED = "comment_created"
    COMMENT_UPDATED = "comment_updated"
    COMMENT_DELETED = "comment_deleted"
    CPM_COMPLETE = "cpm_complete"
    CPM_ERROR = "cpm_error"
    BASELINE_CREATED = "baseline_created"
    BASELINE_UPDATED = "baseline_updated"
    BASELINE_DELETED = "baseline_deleted"
    BASELINE_DRIFT_DETECTED = "baseline_drift_detected"
    FORECAST_PROGRESS = "forecast_progress"
    FORECAST_COMPLETE = "forecast_complete"
    FORECAST_FAILED = "forecast_failed"
    IMPORT_PROGRESS = "import_progress"
    IMPORT_COMPLETE = "import_complete"
    IMPORT_FAILED = "import_failed"
    RESYNC_REQUIRED = "resync_required"


SCHEDULE_TYPES = frozenset(
    {
        EventType.CPM_COMPLETE,
        EventType.CPM_ERROR,
        EventType.BASELINE_DRIFT_DETECTED,
        EventType.FORECAST_PROGRESS,
        EventType.FORECAST_COMPLETE,
        EventType.FORECAST_FAILED,
        EventType.IMPORT_PROGRESS,
        EventType.IMPORT_COMPLETE,
        EventType.IMPORT_FAILED,
    }
)
"""What `scheduleEvents` streams (plus `resync_required`, which every stream may send)."""


@dataclass(frozen=True)
class TaskPayload:
    """task_created / task_updated / task_deleted: the task and the fields that changed."""

    task_id: uuid.UUID
    server_version: int
    changes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TaskMovedPayload:
    task_id: uuid.UUID
    server_version: int
    parent_id: uuid.UUID | None
    position: int


@dataclass(frozen=True)
class DependencyPayload:
    dependency_id: uuid.UUID
    predecessor_id: uuid.UUID
    successor_id: uuid.UUID
    kind: str
    lag_days: float
    lag_unit: str = "working_days"


@dataclass(frozen=True)
class SprintPayload:
    """sprint_created / sprint_updated / sprint_deleted. `action` says what happened (created,
    updated, deleted, planned, unplanned, started, closed, carried_over, received); `task_ids`
    are the tasks that moved (into the sprint for planned/received, out of it otherwise)."""

    sprint_id: uuid.UUID
    server_version: int
    state: str
    action: str
    task_ids: Sequence[uuid.UUID] = ()
    changes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RiskPayload:
    """risk_created / risk_updated / risk_deleted: the risk, the fields that changed (on a
    link or unlink, `taskIds`: the linked tasks afterwards)."""

    risk_id: uuid.UUID
    server_version: int
    changes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ResourcePayload:
    """resource_created / resource_updated / resource_deleted, sent to every project of the
    resource's workspace (the pool is shared): the resource and the fields that changed."""

    resource_id: uuid.UUID
    server_version: int
    changes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AssignmentPayload:
    """assignment_created / assignment_updated / assignment_deleted."""

    assignment_id: uuid.UUID
    task_id: uuid.UUID
    resource_id: uuid.UUID
    server_version: int
    units: float
    work: float


@dataclass(frozen=True)
class LevelingAppliedPayload:
    """Leveling was applied to (or cleared from) the project; `delays` maps task ids to their
    leveling delay in working days (tasks not listed have none). The new dates follow in the
    schedule's cpm_complete."""

    action: str  # "leveled" or "cleared"
    delays: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BaselinePayload:
    """baseline_created / baseline_updated / baseline_deleted (`action`: captured, activated,
    deactivated, renamed, deleted)."""

    baseline_id: uuid.UUID
    server_version: int
    name: str
    is_active: bool
    action: str


@dataclass(frozen=True)
class BaselineDriftPayload:
    """After a recompute the project finish slipped past the active baseline's finish (or
    further past it). `varianceWorkingDays` is counted on the project's default calendar."""

    baseline_id: uuid.UUID
    baseline_name: str
    baseline_finish: dt.date
    project_finish: dt.date
    previous_finish: dt.date | None
    variance_working_days: int


@dataclass(frozen=True)
class CommentPayload:
    """comment_created / comment_updated / comment_deleted (the body is not sent: clients
    that show it fetch it with the viewer's permissions)."""

    comment_id: uuid.UUID
    task_id: uuid.UUID
    server_version: int


@dataclass(frozen=True)
class ChangedTask:
    """A task whose computed dates or floats moved in a recompute."""

    task_id: uuid.UUID
    early_start: dt.date | None
    early_finish: dt.date | None
    late_start: dt.date | None
    late_finish: dt.date | None
    total_float: float | None
    free_float: float | None


@dataclass(frozen=True)
class CpmCompletePayload:
    project_finish: dt.date | None
    critical_path: Sequence[uuid.UUID]
    changed_tasks: Sequence[ChangedTask]
    engine_ms: float


@dataclass(frozen=True)
class CpmErrorPayload:
    code: str
    message: str


@dataclass(frozen=True)
class ForecastProgressPayload:
    """A Monte Carlo run's progress (throttled: a few per second at most, plus the last)."""

    forecast_run_id: uuid.UUID
    completed: int
    total: int


@dataclass(frozen=True)
class ForecastCompletePayload:
    """A forecast finished; `percentiles` maps "P50", "P80", … to finish dates."""

    forecast_run_id: uuid.UUID
    iterations: int
    seed: int
    percentiles: Mapping[str, dt.date]
    mean_days: float
    std_days: float
    duration_ms: int


@dataclass(frozen=True)
class ForecastFailedPayload:
    forecast_run_id: uuid.UUID
    code: str
    message: str


@dataclass(frozen=True)
class ImportProgressPayload:
    """A plan import moved on: `stage` is `reading` (parsing the file) or `writing`."""

    import_id: uuid.UUID
    stage: str


@dataclass(frozen=True)
class ImportCompletePayload:
    """A plan import committed: what was created, how many warnings its report holds."""

    import_id: uuid.UUID
    counts: Mapping[str, int]
    warnings: int
    baseline_ids: Sequence[uuid.UUID] = ()


@dataclass(frozen=True)
class ImportFailedPayload:
    """A plan import ended without changing the project; `code` is the typed error's."""

    import_id: uuid.UUID
    code: str
    message: str


@dataclass(frozen=True)
class ResyncRequiredPayload:
    """The client must reload the board: the events it missed are gone from the buffer."""

    reason: str
    latest_seq: int


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def to_jsonable(value: Any) -> Any:
    """Dates, UUIDs, enums and dataclasses to JSON-safe values with camelCase keys."""
    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    if isinstance(value, Mapping):
        return {_camel(str(k)): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class BoardEvent:
    """One live event. `seq` is 0 until the event is published (the bus allocates it)."""

    project_id: uuid.UUID
    type: EventType
    payload: Mapping[str, Any]
    actor_id: uuid.UUID | None = None
    at: dt.datetime = field(default_factory=_now)
    seq: int = 0

    @classmethod
    def make(
        cls, project_id: uuid.UUID, type: EventType, payload: Any, actor_id: uuid.UUID | None
    ) -> BoardEvent:
        """Build an event from a payload dataclass (or mapping), normalised to JSON values."""
        return cls(project_id, EventType(type), to_jsonable(payload), actor_id)

    def with_seq(self, seq: int) -> BoardEvent:
        return replace(self, seq=seq)

    def to_json(self, *, with_seq: bool = True) -> str:
        """The wire form. Without `seq` it is the body the Valkey script prefixes with it."""
        body: dict[str, Any] = {
            "projectId": str(self.project_id),
            "type": self.type.value,
            "at": self.at.isoformat(),
            "actorId": str(self.actor_id) if self.actor_id else None,
            "payload": to_jsonable(self.payload),
        }
        if with_seq:
            body = {"seq": self.seq, **body}
        return json.dumps(body, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> BoardEvent:
        data = json.loads(raw)
        actor = data.get("actorId")
        return cls(
            project_id=uuid.UUID(data["projectId"]),
            type=EventType(data["type"]),
            payload=data["payload"],
            actor_id=uuid.UUID(actor) if actor else None,
            at=dt.datetime.fromisoformat(data["at"]),
            seq=int(data["seq"]),
        )


def resync_required(project_id: uuid.UUID, reason: str, latest_seq: int) -> BoardEvent:
    """The one event sent instead of a replay the buffer can no longer serve."""
    payload = ResyncRequiredPayload(reason=reason, latest_seq=latest_seq)
    return BoardEvent.make(project_id, EventType.RESYNC_REQUIRED, payload, None).with_seq(
        latest_seq
    )
