"""forecast_run.heartbeat_at and an index of unfinished runs, for the stale-run reaper

Revision ID: d4a7c2e9f5b1
Revises: 7cf1578b8d94
Create Date: 2026-11-23 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4a7c2e9f5b1"
down_revision: str | None = "7cf1578b8d94"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "forecast_run", sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(
        "ix_forecast_run_unfinished",
        "forecast_run",
        ["created_at"],
        unique=False,
        postgresql_where=sa.text("state IN ('queued', 'running')"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_forecast_run_unfinished",
        table_name="forecast_run",
        postgresql_where=sa.text("state IN ('queued', 'running')"),
    )
    op.drop_column("forecast_run", "heartbeat_at")
