"""sync sequence: commit-ordered sync_seq on synced tables, tombstone floor, push batches

Revision ID: 2776450e4bcd
Revises: 94c8a949863e
Create Date: 2026-11-23 20:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.sync.ddl import (
    attach_sync_trigger,
    create_sync_function,
    detach_sync_trigger,
    drop_sync_function,
)

revision: str = "2776450e4bcd"
down_revision: str | None = "94c8a949863e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Versioned tables that are not synced per project still carry the mixin's column.
_UNSYNCED = ("workspace", "program")
_SYNCED = ("calendar", "task", "dependency")


def upgrade() -> None:
    create_sync_function(version=1)
    for table in _UNSYNCED:
        op.add_column(
            table, sa.Column("sync_seq", sa.BigInteger(), server_default="0", nullable=False)
        )
    attach_sync_trigger("project", key="id")
    for table in _SYNCED:
        attach_sync_trigger(table)
    op.create_table(
        "project_sync_floor",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("floor_seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column(
            "purged_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_project_sync_floor_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_project_sync_floor")),
    )
    op.create_table(
        "sync_batch",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("client_batch_id", sa.String(length=100), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=False),
        sa.Column("response", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_sync_batch_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_sync_batch_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "client_batch_id", name=op.f("pk_sync_batch")),
    )
    op.create_index(op.f("ix_sync_batch_created_at"), "sync_batch", ["created_at"], unique=False)
    op.create_index(op.f("ix_sync_batch_project_id"), "sync_batch", ["project_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sync_batch_project_id"), table_name="sync_batch")
    op.drop_index(op.f("ix_sync_batch_created_at"), table_name="sync_batch")
    op.drop_table("sync_batch")
    op.drop_table("project_sync_floor")
    for table in (*_SYNCED, "project"):
        detach_sync_trigger(table)
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_project_sync_seq")
        op.drop_column(table, "sync_seq")
    for table in _UNSYNCED:
        op.drop_column(table, "sync_seq")
    drop_sync_function()
