"""wbs_rank as app/ranks.py keys (byte-ordered): re-key every sibling group in its order

The former one-character-per-few-appends ranks outgrew the 64-character column at the 385th
appended sibling; app/ranks.py keys grow logarithmically.

Revision ID: c7e2a9d4f1b3
Revises: b0a4d51ab3e1
Create Date: 2026-11-23 20:20:00.000000
"""

from collections.abc import Sequence
from itertools import groupby

import sqlalchemy as sa
from alembic import op

from app import ranks

revision: str = 'c7e2a9d4f1b3'
down_revision: str | None = 'b0a4d51ab3e1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SIBLINGS = """
SELECT id, project_id, subpath(wbs_path, 0, nlevel(wbs_path) - 1)::text AS parent
FROM task ORDER BY project_id, parent, wbs_rank COLLATE "C", id
"""


def _rekey(new_keys) -> None:  # type: ignore[no-untyped-def]
    """Give every sibling group (tombstones included) fresh keys in its current order."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(_SIBLINGS)).all()
    updates = []
    for _, group in groupby(rows, key=lambda row: (row.project_id, row.parent)):
        ids = [row.id for row in group]
        updates.extend({"t": i, "r": k} for i, k in zip(ids, new_keys(len(ids)), strict=True))
    if updates:
        bind.execute(sa.text("UPDATE task SET wbs_rank = :r WHERE id = :t"), updates)


def _old_keys(count: int) -> list[str]:
    """Fixed-width base-36 keys ending in 'i' (valid for the former rank scheme)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    width = 1
    while 36**width <= count:
        width += 1
    keys = []
    for n in range(1, count + 1):
        text = ""
        for _ in range(width):
            n, d = divmod(n, 36)
            text = digits[d] + text
        keys.append(text + "i")
    return keys


def upgrade() -> None:
    op.alter_column(
        'task', 'wbs_rank',
        type_=sa.String(length=64, collation='C'),
        existing_type=sa.String(length=64),
        server_default='a0',
        existing_nullable=False,
    )
    _rekey(lambda count: ranks.keys_after(None, count))


def downgrade() -> None:
    _rekey(_old_keys)
    op.alter_column(
        'task', 'wbs_rank',
        type_=sa.String(length=64),
        existing_type=sa.String(length=64, collation='C'),
        server_default='n',
        existing_nullable=False,
    )
