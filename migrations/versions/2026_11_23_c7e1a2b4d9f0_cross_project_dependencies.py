"""cross-project dependencies

A dependency keeps `project_id` = the successor's project; a link whose predecessor lies in
another project of the same program records that project in `predecessor_project_id`
(NULL for links inside one project).

Revision ID: c7e1a2b4d9f0
Revises: 8f2c4a6d0b13
Create Date: 2026-11-23 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c7e1a2b4d9f0"
down_revision: str | None = "8f2c4a6d0b13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("dependency", sa.Column("predecessor_project_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_dependency_predecessor_project_id_project"),
        "dependency",
        "project",
        ["predecessor_project_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_check_constraint(
        op.f("ck_dependency_cross_project"),
        "dependency",
        "predecessor_project_id IS NULL OR predecessor_project_id <> project_id",
    )
    op.create_index(
        "ix_dependency_cross_project",
        "dependency",
        ["predecessor_project_id"],
        unique=False,
        postgresql_where=sa.text("predecessor_project_id IS NOT NULL AND NOT is_deleted"),
    )


def downgrade() -> None:
    # Cross-project links cannot exist without the column: drop them with it.
    op.execute("DELETE FROM dependency WHERE predecessor_project_id IS NOT NULL")
    op.drop_index(
        "ix_dependency_cross_project",
        table_name="dependency",
        postgresql_where=sa.text("predecessor_project_id IS NOT NULL AND NOT is_deleted"),
    )
    op.drop_constraint(op.f("ck_dependency_cross_project"), "dependency", type_="check")
    op.drop_constraint(
        op.f("fk_dependency_predecessor_project_id_project"), "dependency", type_="foreignkey"
    )
    op.drop_column("dependency", "predecessor_project_id")
