"""Live board events: typed events, publishing after commit, and the per-process bus."""

from app.events.bus import EventBus, EventStream, SlowConsumer
from app.events.publish import publish, publish_after_commit
from app.events.types import (
    SCHEDULE_TYPES,
    BaselineDriftPayload,
    BaselinePayload,
    BoardEvent,
    ChangedTask,
    CpmCompletePayload,
    CpmErrorPayload,
    DependencyPayload,
    EventType,
    ForecastCompletePayload,
    ForecastFailedPayload,
    ForecastProgressPayload,
    ResyncRequiredPayload,
    SprintPayload,
    TaskMovedPayload,
    TaskPayload,
)

__all__ = [
    "SCHEDULE_TYPES",
    "BaselineDriftPayload",
    "BaselinePayload",
    "BoardEvent",
    "ChangedTask",
    "CpmCompletePayload",
    "CpmErrorPayload",
    "DependencyPayload",
    "EventBus",
    "EventStream",
    "EventType",
    "ForecastCompletePayload",
    "ForecastFailedPayload",
    "ForecastProgressPayload",
    "ResyncRequiredPayload",
    "SlowConsumer",
    "SprintPayload",
    "TaskMovedPayload",
    "TaskPayload",
    "publish",
    "publish_after_commit",
]
