"""task labels as synced link rows: task_label gets an id, its project, the versioned columns,
the sync sequence and history triggers (board_column and label have had them since
b0a4d51ab3e1), so offline clients sync columns, labels and task labels

Existing links keep their pairs and get a fresh id each; the sync trigger numbers them above
every cursor handed out so far, so clients receive them with their next incremental pull.
The downgrade drops tombstoned links (the old table had no tombstones) and restores the
(task_id, label_id) primary key.

Revision ID: 24f0d52d2568
Revises: d55146bad2e7
Create Date: 2026-11-23 22:26:29.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.history.ddl import attach_history, detach_history
from app.sync.ddl import attach_sync_trigger, detach_sync_trigger

revision: str = '24f0d52d2568'
down_revision: str | None = 'd55146bad2e7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('task_label', sa.Column('id', sa.Uuid(), nullable=True))
    op.add_column('task_label', sa.Column('project_id', sa.Uuid(), nullable=True))
    op.add_column('task_label', sa.Column('server_version', sa.BigInteger(), server_default='1', nullable=False))
    op.add_column('task_label', sa.Column('is_deleted', sa.Boolean(), server_default='false', nullable=False))
    op.add_column('task_label', sa.Column('deleted_version', sa.BigInteger(), nullable=True))
    op.add_column('task_label', sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False))
    op.execute(
        "UPDATE task_label SET id = gen_random_uuid(), project_id = task.project_id "
        "FROM task WHERE task.id = task_label.task_id"
    )
    op.alter_column('task_label', 'id', nullable=False)
    op.alter_column('task_label', 'project_id', nullable=False)
    op.drop_constraint('pk_task_label', 'task_label', type_='primary')
    op.create_primary_key('pk_task_label', 'task_label', ['id'])
    op.create_foreign_key(op.f('fk_task_label_project_id_project'), 'task_label', 'project', ['project_id'], ['id'], ondelete='CASCADE')
    op.create_index(op.f('ix_task_label_is_deleted'), 'task_label', ['is_deleted'], unique=False)
    op.create_index(op.f('ix_task_label_project_id'), 'task_label', ['project_id'], unique=False)
    op.create_index(op.f('ix_task_label_task_id'), 'task_label', ['task_id'], unique=False)
    op.create_index('uq_task_label_live_pair', 'task_label', ['task_id', 'label_id'], unique=True, postgresql_where=sa.text('NOT is_deleted'))
    # The sync trigger first (it renumbers the existing rows), then history, so that
    # renumbering is not recorded as a change.
    attach_sync_trigger("task_label")
    op.execute(attach_history("task_label"))


def downgrade() -> None:
    op.execute(detach_history("task_label"))
    detach_sync_trigger("task_label")
    op.execute("DELETE FROM task_label WHERE is_deleted")
    op.drop_index('uq_task_label_live_pair', table_name='task_label', postgresql_where=sa.text('NOT is_deleted'))
    op.drop_index('ix_task_label_project_sync_seq', table_name='task_label')
    op.drop_index(op.f('ix_task_label_task_id'), table_name='task_label')
    op.drop_index(op.f('ix_task_label_project_id'), table_name='task_label')
    op.drop_index(op.f('ix_task_label_is_deleted'), table_name='task_label')
    op.drop_constraint(op.f('fk_task_label_project_id_project'), 'task_label', type_='foreignkey')
    op.drop_constraint('pk_task_label', 'task_label', type_='primary')
    op.create_primary_key('pk_task_label', 'task_label', ['task_id', 'label_id'])
    for column in ('sync_seq', 'updated_at', 'deleted_version', 'is_deleted', 'server_version', 'project_id', 'id'):
        op.drop_column('task_label', column)
