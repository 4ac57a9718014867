"""scheduling outbox

Revision ID: 94c8a949863e
Revises: 5ee1ddcfcbad
Create Date: 2026-11-22 23:24:29.257045
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = '94c8a949863e'
down_revision: str | None = '5ee1ddcfcbad'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('schedule_request',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('reason', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_schedule_request_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_request'))
    )
    op.create_index('ix_schedule_request_pending', 'schedule_request', ['project_id'], unique=False, postgresql_where=sa.text('done_at IS NULL'))
    op.create_table('task_run',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('engine_ms', sa.Integer(), nullable=True),
    sa.Column('requests', sa.Integer(), server_default='0', nullable=False),
    sa.Column('tasks_changed', sa.Integer(), server_default='0', nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_task_run_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_run'))
    )
    op.create_index(op.f('ix_task_run_project_id'), 'task_run', ['project_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_task_run_project_id'), table_name='task_run')
    op.drop_table('task_run')
    op.drop_index('ix_schedule_request_pending', table_name='schedule_request', postgresql_where=sa.text('done_at IS NULL'))
    op.drop_table('schedule_request')
