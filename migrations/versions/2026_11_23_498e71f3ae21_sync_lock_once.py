"""sync trigger: lock the project once per transaction, not once per row

Revision ID: 498e71f3ae21
Revises: b1e4ec5083d9
Create Date: 2026-11-23 20:50:00
"""

from collections.abc import Sequence

from app.sync.ddl import replace_sync_function

revision: str = '498e71f3ae21'
down_revision: str | None = 'b1e4ec5083d9'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    replace_sync_function(version=2)


def downgrade() -> None:
    replace_sync_function(version=1)
