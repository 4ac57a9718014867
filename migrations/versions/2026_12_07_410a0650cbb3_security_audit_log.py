"""security audit log: sign-ins, API tokens, role and webhook changes (no foreign keys)

Revision ID: 410a0650cbb3
Revises: cdb3d86c9a82
Create Date: 2026-12-07 16:47:44.393124
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "410a0650cbb3"
down_revision: str | None = "cdb3d86c9a82"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "security_audit_entry",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column(
            "details", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_audit_entry")),
    )
    op.create_index("ix_security_audit_entry_at", "security_audit_entry", ["at"], unique=False)
    op.create_index(
        "ix_security_audit_entry_user_at", "security_audit_entry", ["user_id", "at"], unique=False
    )
    op.create_index(
        "ix_security_audit_entry_workspace_at",
        "security_audit_entry",
        ["workspace_id", "at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_security_audit_entry_workspace_at", table_name="security_audit_entry")
    op.drop_index("ix_security_audit_entry_user_at", table_name="security_audit_entry")
    op.drop_index("ix_security_audit_entry_at", table_name="security_audit_entry")
    op.drop_table("security_audit_entry")
