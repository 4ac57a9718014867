"""Comments on tasks: the author's source text and its sanitized HTML rendering."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Versioned


class Comment(Versioned, Base):
    """`body` is what the author wrote (plain text or markdown); `body_html` is the server's
    sanitized rendering of it, recomputed on every edit and never accepted from a client."""

    __tablename__ = "comment"
    __table_args__ = (
        CheckConstraint("format IN ('plain', 'markdown')", name="format"),
        Index("ix_comment_task_created", "task_id", "created_at", "id"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(10), default="plain", server_default="plain")
    body_html: Mapped[str] = mapped_column(Text, default="", server_default="")
