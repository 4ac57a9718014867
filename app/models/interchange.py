"""Plan imports: the `ImportRequest` outbox row and the report kept with it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

IMPORT_STATES = ("PENDING", "DISPATCHED", "DONE", "DEAD")


class ImportRequest(Base):
    """One uploaded plan file on its way into a project.

    Written in the transaction that accepts the upload (the file itself rides in `content`),
    so an accepted upload is always processed: PENDING until a relay hands it to a worker,
    DISPATCHED while a worker has it (claimable again after the reclaim delay when the worker
    died), then DONE with its `report`, or DEAD with its `error` once it failed for good. The
    file is dropped from the row when it ends; the row itself is purged after
    `TRUEPPM_IMPORT_RETENTION_DAYS`.
    """

    __tablename__ = "import_request"
    __table_args__ = (
        CheckConstraint(
            "state IN (" + ", ".join(f"'{s}'" for s in IMPORT_STATES) + ")", name="state"
        ),
        Index("ix_import_request_open", "state", postgresql_where=text("ended_at IS NULL")),
        Index(
            "ix_import_request_ended_at", "ended_at", postgresql_where=text("ended_at IS NOT NULL")
        ),
        Index("ix_import_request_project_hash", "project_id", "file_sha256"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    requested_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    file_name: Mapped[str] = mapped_column(String(255))
    file_format: Mapped[str] = mapped_column(String(20))
    file_size: Mapped[int] = mapped_column(Integer)
    file_sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(12), default="PENDING", server_default="PENDING")
    stage: Mapped[str] = mapped_column(String(20), default="queued", server_default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_message: Mapped[str | None] = mapped_column(Text)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
