"""retention purge run log; indexes for the purge of task runs and done outbox rows

Revision ID: e8b3f1a6c2d4
Revises: d4a7c2e9f5b1
Create Date: 2026-11-23 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "e8b3f1a6c2d4"
down_revision: str | None = "d4a7c2e9f5b1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ONE_RUNNING = sa.text("state = 'running' AND NOT dry_run")
_DONE = sa.text("done_at IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "retention_purge_run",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "heartbeat_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=10), server_default="running", nullable=False),
        sa.Column("dry_run", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column(
            "tables", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("deleted", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('running', 'ok', 'partial', 'failed')",
            name=op.f("ck_retention_purge_run_state"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_purge_run")),
    )
    op.create_index(
        "ix_retention_purge_run_started_at", "retention_purge_run", ["started_at"], unique=False
    )
    op.create_index(
        "uq_retention_purge_run_one_running",
        "retention_purge_run",
        ["state"],
        unique=True,
        postgresql_where=_ONE_RUNNING,
    )
    op.create_index("ix_task_run_finished_at", "task_run", ["finished_at"], unique=False)
    op.create_index(
        "ix_schedule_request_done_at",
        "schedule_request",
        ["done_at"],
        unique=False,
        postgresql_where=_DONE,
    )
    op.create_index(
        "ix_sprint_close_request_done_at",
        "sprint_close_request",
        ["done_at"],
        unique=False,
        postgresql_where=_DONE,
    )


def downgrade() -> None:
    op.drop_index(
        "ix_sprint_close_request_done_at",
        table_name="sprint_close_request",
        postgresql_where=_DONE,
    )
    op.drop_index(
        "ix_schedule_request_done_at", table_name="schedule_request", postgresql_where=_DONE
    )
    op.drop_index("ix_task_run_finished_at", table_name="task_run")
    op.drop_index(
        "uq_retention_purge_run_one_running",
        table_name="retention_purge_run",
        postgresql_where=_ONE_RUNNING,
    )
    op.drop_index("ix_retention_purge_run_started_at", table_name="retention_purge_run")
    op.drop_table("retention_purge_run")
