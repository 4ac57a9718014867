"""api tokens and their append-only audit log

Revision ID: d55146bad2e7
Revises: e8b3f1a6c2d4
Create Date: 2026-11-23 22:25:50.319286
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d55146bad2e7"
down_revision: str | None = "e8b3f1a6c2d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The audit log is compliance evidence: rows may be added, never changed or deleted (an
# operator who really must can drop the trigger; the tests' cleanup bypasses it with TRUNCATE
# or session_replication_role = replica).
_APPEND_ONLY = (
    """
    CREATE FUNCTION trueppm_api_token_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'api_token_audit_entry is append-only';
    END;
    $$
    """,
    """
    CREATE TRIGGER trg_api_token_audit_append_only
        BEFORE UPDATE OR DELETE ON api_token_audit_entry
        FOR EACH ROW EXECUTE FUNCTION trueppm_api_token_audit_append_only()
    """,
)


def upgrade() -> None:
    op.create_table(
        "api_token_audit_entry",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("event", sa.String(length=10), nullable=False),
        sa.Column("token_id", sa.Uuid(), nullable=False),
        sa.Column("token_prefix", sa.String(length=16), nullable=False),
        sa.Column("token_name", sa.String(length=100), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("program_id", sa.Uuid(), nullable=True),
        sa.Column("read_only", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "event IN ('mint', 'revoke')", name=op.f("ck_api_token_audit_entry_event")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token_audit_entry")),
    )
    op.create_index(
        op.f("ix_api_token_audit_entry_owner_id"), "api_token_audit_entry", ["owner_id"]
    )
    op.create_index(
        op.f("ix_api_token_audit_entry_token_id"), "api_token_audit_entry", ["token_id"]
    )
    for statement in _APPEND_ONLY:
        op.execute(statement)
    op.create_table(
        "api_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("program_id", sa.Uuid(), nullable=True),
        sa.Column("read_only", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "project_id IS NULL OR program_id IS NULL", name=op.f("ck_api_token_one_scope")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name=op.f("fk_api_token_program_id_program"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_api_token_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_api_token_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_token_prefix")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_index(op.f("ix_api_token_user_id"), "api_token", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_api_token_user_id"), table_name="api_token")
    op.drop_table("api_token")
    op.execute("DROP TRIGGER trg_api_token_audit_append_only ON api_token_audit_entry")
    op.execute("DROP FUNCTION trueppm_api_token_audit_append_only()")
    op.drop_index(op.f("ix_api_token_audit_entry_token_id"), table_name="api_token_audit_entry")
    op.drop_index(op.f("ix_api_token_audit_entry_owner_id"), table_name="api_token_audit_entry")
    op.drop_table("api_token_audit_entry")
