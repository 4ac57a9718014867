"""project.scheduling_rules: the engine's date rules for a project ('trueppm', or
'ms_project' for plans imported from Microsoft Project)

Revision ID: 5c2e8d1f9a07
Revises: a3f9c1e7b2d4
Create Date: 2026-12-06 20:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c2e8d1f9a07"
down_revision: str | None = "a3f9c1e7b2d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "project",
        sa.Column("scheduling_rules", sa.String(length=12), server_default="trueppm", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_project_scheduling_rules"),
        "project",
        "scheduling_rules IN ('trueppm', 'ms_project')",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_project_scheduling_rules"), "project", type_="check")
    op.drop_column("project", "scheduling_rules")
