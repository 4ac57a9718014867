"""Comment events on the project's board stream, published only after the write commits."""

from __future__ import annotations

import uuid

from app.events import publish_after_commit
from app.events.types import BoardEvent, CommentPayload, EventType
from app.models import Comment
from app.state import UnitOfWork


def announce(uow: UnitOfWork, type: EventType, comment: Comment, actor_id: uuid.UUID) -> None:
    """Queue a comment_created/updated/deleted event for after the commit."""
    payload = CommentPayload(comment.id, comment.task_id, comment.server_version)
    publish_after_commit(uow, BoardEvent.make(comment.project_id, type, payload, actor_id))
