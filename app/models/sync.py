"""Bookkeeping of the offline sync protocol (docs/sync.md).

`ProjectSyncFloor` remembers, per project, the highest `sync_seq` of a tombstone that was
purged: a client whose cursor is below it may have missed a deletion and must resync fully.
`SyncBatch` stores the response of each applied push, keyed by the client's batch id, so a
replay within `TRUEPPM_SYNC_BATCH_RETENTION_HOURS` returns it without applying twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, SmallInteger, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class ProjectSyncFloor(Base):
    __tablename__ = "project_sync_floor"

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), primary_key=True
    )
    floor_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    purged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SyncBatch(Base):
    __tablename__ = "sync_batch"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    client_batch_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    status_code: Mapped[int] = mapped_column(SmallInteger)
    response: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
