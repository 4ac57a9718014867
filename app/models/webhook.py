"""Webhook endpoints, the deliveries owed to them (an outbox) and the log of every attempt."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

DELIVERY_STATES = ("pending", "delivered", "failed")


class WebhookEndpoint(Base):
    """A URL that receives a chosen set of events of one project (`project_id`) or of a whole
    workspace (`project_id` NULL).

    `secret` signs every message (Standard Webhooks, `whsec_…`); after a rotation the previous
    one keeps signing beside it until `previous_secret_expires_at`, so receivers can switch
    without losing a message. `sequence` is the last number given to a delivery of this
    endpoint (allocated in the writing transaction, so numbers follow commit order per
    endpoint). `lease_until` is held by the one deliverer sending its messages; a deliverer
    that died loses it when it expires. `consecutive_failures` counts failed attempts since the
    last success; at TRUEPPM_WEBHOOK_DISABLE_AFTER the endpoint is disabled.
    """

    __tablename__ = "webhook_endpoint"
    __table_args__ = (Index("ix_webhook_endpoint_scope", "workspace_id", "project_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE")
    )
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="", server_default="")
    events: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sequence: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class WebhookDelivery(Base):
    """One message owed to one endpoint, written in the transaction of the change it reports.

    `body` is the exact JSON sent (so every retry and a redelivery carry the same bytes and the
    same `webhook-id`, `msg_<id>`). Deliveries of an endpoint go out in `sequence` order: the
    next waits until the one before it was delivered or given up (`failed`, after
    TRUEPPM_WEBHOOK_RETRY_HOURS). Test messages have no sequence and are sent at once.
    """

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        CheckConstraint(
            "state IN (" + ", ".join(f"'{s}'" for s in DELIVERY_STATES) + ")", name="state"
        ),
        UniqueConstraint("endpoint_id", "sequence"),
        Index(
            "ix_webhook_delivery_due",
            "endpoint_id",
            "sequence",
            postgresql_where=text("state = 'pending'"),
        ),
        Index("ix_webhook_delivery_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE")
    )
    sequence: Mapped[int | None] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookAttempt(Base):
    """One HTTP attempt of a delivery: the status code (NULL when no response came), how long
    it took, the error when it failed without a response, and the first 500 characters of
    the response body."""

    __tablename__ = "webhook_attempt"
    __table_args__ = (Index("ix_webhook_attempt_delivery", "delivery_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_delivery.id", ondelete="CASCADE")
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    status_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(300))
    response_excerpt: Mapped[str] = mapped_column(Text, default="", server_default="")
