"""plan imports: the import_request outbox, and task priority (0..1000, Microsoft Project's
leveling priority, 500 by default)

Revision ID: a3f9c1e7b2d4
Revises: 24f0d52d2568
Create Date: 2026-12-06 04:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a3f9c1e7b2d4"
down_revision: str | None = "24f0d52d2568"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("task", sa.Column("priority", sa.Integer(), server_default="500", nullable=False))
    op.create_check_constraint(
        op.f("ck_task_priority_range"), "task", "priority BETWEEN 0 AND 1000"
    )
    op.create_table(
        "import_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_format", sa.String(length=20), nullable=False),
        sa.Column("file_size", sa.Integer(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("state", sa.String(length=12), server_default="PENDING", nullable=False),
        sa.Column("stage", sa.String(length=20), server_default="queued", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_code", sa.String(length=40), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("report", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.CheckConstraint(
            "state IN ('PENDING', 'DISPATCHED', 'DONE', 'DEAD')",
            name=op.f("ck_import_request_state"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_import_request_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["user_account.id"],
            name=op.f("fk_import_request_requested_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_request")),
    )
    op.create_index(
        "ix_import_request_open",
        "import_request",
        ["state"],
        unique=False,
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_index(
        "ix_import_request_ended_at",
        "import_request",
        ["ended_at"],
        unique=False,
        postgresql_where=sa.text("ended_at IS NOT NULL"),
    )
    op.create_index(
        "ix_import_request_project_hash",
        "import_request",
        ["project_id", "file_sha256"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_import_request_project_hash", table_name="import_request")
    op.drop_index("ix_import_request_ended_at", table_name="import_request")
    op.drop_index("ix_import_request_open", table_name="import_request")
    op.drop_table("import_request")
    op.drop_constraint(op.f("ck_task_priority_range"), "task", type_="check")
    op.drop_column("task", "priority")
