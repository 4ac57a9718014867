"""risks, comments and the history trigger on every synced table

Revision ID: b1e4ec5083d9
Revises: c7e1a2b4d9f0
Create Date: 2026-11-23 19:52:32.551673
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sqlalchemy.dialects import postgresql

from app.history.ddl import (
    CREATE_FUNCTION_V1,
    DROP_FUNCTION,
    attach_history,
    detach_history,
)
from app.sync.ddl import attach_sync_trigger, detach_sync_trigger

revision: str = 'b1e4ec5083d9'
down_revision: str | None = 'c7e1a2b4d9f0'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Every synced (Versioned) table and the column holding its project id.
_HISTORY_TABLES: list[tuple[str, str | None]] = [
    ("workspace", None),
    ("program", None),
    ("project", "id"),
    ("calendar", "project_id"),
    ("task", "project_id"),
    ("dependency", "project_id"),
    ("sprint", "project_id"),
    ("baseline", "project_id"),
    ("risk", "project_id"),
    ("risk_task", "project_id"),
    ("comment", "project_id"),
]
# The synced tables this migration creates (sync_seq column, pull index and trigger).
_NEW_SYNCED = ("risk", "risk_task", "comment")


def upgrade() -> None:
    op.create_table('history_entry',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('table_name', sa.String(length=63), nullable=False),
    sa.Column('object_id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=True),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('server_version', sa.BigInteger(), nullable=True),
    sa.Column('changes', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.CheckConstraint("action IN ('create', 'update', 'delete', 'restore', 'purge')", name=op.f('ck_history_entry_action')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_history_entry'))
    )
    op.create_index('ix_history_entry_at', 'history_entry', ['at'], unique=False)
    op.create_index('ix_history_entry_object', 'history_entry', ['table_name', 'object_id', 'id'], unique=False)
    op.create_table('risk',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('probability', sa.Float(), server_default='0', nullable=False),
    sa.Column('impact_days', sa.Float(), server_default='0', nullable=False),
    sa.Column('impact_cost', sa.Numeric(precision=16, scale=2), server_default='0', nullable=False),
    sa.Column('status', sa.String(length=20), server_default='open', nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=True),
    sa.Column('response', sa.Text(), server_default='', nullable=False),
    sa.Column('trigger', sa.Text(), server_default='', nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('server_version', sa.BigInteger(), server_default='1', nullable=False),
    sa.Column('is_deleted', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('deleted_version', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('open', 'mitigating', 'closed')", name=op.f('ck_risk_status')),
    sa.CheckConstraint('impact_cost >= 0', name=op.f('ck_risk_impact_cost_nonnegative')),
    sa.CheckConstraint('impact_days >= 0', name=op.f('ck_risk_impact_days_nonnegative')),
    sa.CheckConstraint('probability >= 0 AND probability <= 1', name=op.f('ck_risk_probability_range')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_risk_owner_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_risk_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk'))
    )
    op.create_index(op.f('ix_risk_is_deleted'), 'risk', ['is_deleted'], unique=False)
    op.create_index(op.f('ix_risk_owner_id'), 'risk', ['owner_id'], unique=False)
    op.create_index(op.f('ix_risk_project_id'), 'risk', ['project_id'], unique=False)
    op.create_table('comment',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('task_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('format', sa.String(length=10), server_default='plain', nullable=False),
    sa.Column('body_html', sa.Text(), server_default='', nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('server_version', sa.BigInteger(), server_default='1', nullable=False),
    sa.Column('is_deleted', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('deleted_version', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("format IN ('plain', 'markdown')", name=op.f('ck_comment_format')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_comment_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_comment_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_comment_task_id_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment'))
    )
    op.create_index(op.f('ix_comment_author_id'), 'comment', ['author_id'], unique=False)
    op.create_index(op.f('ix_comment_is_deleted'), 'comment', ['is_deleted'], unique=False)
    op.create_index(op.f('ix_comment_project_id'), 'comment', ['project_id'], unique=False)
    op.create_index('ix_comment_task_created', 'comment', ['task_id', 'created_at', 'id'], unique=False)
    op.create_table('risk_task',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('risk_id', sa.Uuid(), nullable=False),
    sa.Column('task_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('server_version', sa.BigInteger(), server_default='1', nullable=False),
    sa.Column('is_deleted', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('deleted_version', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_risk_task_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['risk_id'], ['risk.id'], name=op.f('fk_risk_task_risk_id_risk'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_risk_task_task_id_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_task'))
    )
    op.create_index(op.f('ix_risk_task_is_deleted'), 'risk_task', ['is_deleted'], unique=False)
    op.create_index(op.f('ix_risk_task_project_id'), 'risk_task', ['project_id'], unique=False)
    op.create_index(op.f('ix_risk_task_risk_id'), 'risk_task', ['risk_id'], unique=False)
    op.create_index(op.f('ix_risk_task_task_id'), 'risk_task', ['task_id'], unique=False)
    op.create_index('uq_risk_task_live_pair', 'risk_task', ['risk_id', 'task_id'], unique=True, postgresql_where=sa.text('NOT is_deleted'))
    for table in _NEW_SYNCED:
        attach_sync_trigger(table)
    op.execute(CREATE_FUNCTION_V1)
    for table, project_column in _HISTORY_TABLES:
        op.execute(attach_history(table, project_column))


def downgrade() -> None:
    for table, _ in _HISTORY_TABLES:
        op.execute(detach_history(table))
    op.execute(DROP_FUNCTION)
    for table in _NEW_SYNCED:
        detach_sync_trigger(table)
    op.drop_index('uq_risk_task_live_pair', table_name='risk_task', postgresql_where=sa.text('NOT is_deleted'))
    op.drop_index(op.f('ix_risk_task_task_id'), table_name='risk_task')
    op.drop_index(op.f('ix_risk_task_risk_id'), table_name='risk_task')
    op.drop_index(op.f('ix_risk_task_project_id'), table_name='risk_task')
    op.drop_index(op.f('ix_risk_task_is_deleted'), table_name='risk_task')
    op.drop_table('risk_task')
    op.drop_index('ix_comment_task_created', table_name='comment')
    op.drop_index(op.f('ix_comment_project_id'), table_name='comment')
    op.drop_index(op.f('ix_comment_is_deleted'), table_name='comment')
    op.drop_index(op.f('ix_comment_author_id'), table_name='comment')
    op.drop_table('comment')
    op.drop_index(op.f('ix_risk_project_id'), table_name='risk')
    op.drop_index(op.f('ix_risk_owner_id'), table_name='risk')
    op.drop_index(op.f('ix_risk_is_deleted'), table_name='risk')
    op.drop_table('risk')
    op.drop_index('ix_history_entry_object', table_name='history_entry')
    op.drop_index('ix_history_entry_at', table_name='history_entry')
    op.drop_table('history_entry')
