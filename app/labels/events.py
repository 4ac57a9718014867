"""Payloads of label events (sent after commit by `app.labels.service`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LabelPayload:
    """label_created / label_updated / label_deleted."""

    label_id: uuid.UUID
    server_version: int
    name: str
    color: str
    is_deleted: bool


@dataclass(frozen=True)
class TaskLabelsPayload:
    """task_labels_changed: the task's complete label list after the change."""

    task_id: uuid.UUID
    server_version: int
    label_ids: Sequence[uuid.UUID]
