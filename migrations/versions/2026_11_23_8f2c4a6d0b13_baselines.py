"""baselines

Named snapshots of a project's computed schedule (one active per project) and their task rows.

Revision ID: 8f2c4a6d0b13
Revises: 3b7d1e5a9c21
Create Date: 2026-11-23 20:15:22.956164
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.sync.ddl import attach_sync_trigger

revision: str = '8f2c4a6d0b13'
down_revision: str | None = '3b7d1e5a9c21'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('baseline',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('project_finish', sa.Date(), nullable=True),
    sa.Column('task_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('captured_by', sa.Uuid(), nullable=True),
    sa.Column('captured_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('server_version', sa.BigInteger(), server_default='1', nullable=False),
    sa.Column('is_deleted', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('deleted_version', sa.BigInteger(), nullable=True),
    sa.Column('sync_seq', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['captured_by'], ['user_account.id'], name=op.f('fk_baseline_captured_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_baseline_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_baseline'))
    )
    op.create_index(op.f('ix_baseline_is_deleted'), 'baseline', ['is_deleted'], unique=False)
    op.create_index(op.f('ix_baseline_project_id'), 'baseline', ['project_id'], unique=False)
    op.create_index('ix_baseline_project_sync_seq', 'baseline', ['project_id', 'sync_seq'], unique=False)
    op.create_index('uq_baseline_one_active', 'baseline', ['project_id'], unique=True, postgresql_where=sa.text('is_active AND NOT is_deleted'))
    attach_sync_trigger('baseline')
    op.create_table('baseline_task',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('baseline_id', sa.Uuid(), nullable=False),
    sa.Column('task_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('duration', sa.Integer(), nullable=False),
    sa.Column('early_start', sa.Date(), nullable=True),
    sa.Column('early_finish', sa.Date(), nullable=True),
    sa.Column('total_float', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['baseline_id'], ['baseline.id'], name=op.f('fk_baseline_task_baseline_id_baseline'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_baseline_task_task_id_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_baseline_task')),
    sa.UniqueConstraint('baseline_id', 'task_id', name=op.f('uq_baseline_task_baseline_id_task_id'))
    )
    op.create_index(op.f('ix_baseline_task_baseline_id'), 'baseline_task', ['baseline_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_baseline_task_baseline_id'), table_name='baseline_task')
    op.drop_table('baseline_task')
    op.drop_index('uq_baseline_one_active', table_name='baseline', postgresql_where=sa.text('is_active AND NOT is_deleted'))
    op.drop_index('ix_baseline_project_sync_seq', table_name='baseline')
    op.drop_index(op.f('ix_baseline_project_id'), table_name='baseline')
    op.drop_index(op.f('ix_baseline_is_deleted'), table_name='baseline')
    op.drop_table('baseline')
