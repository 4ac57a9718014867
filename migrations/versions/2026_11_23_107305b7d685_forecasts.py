"""forecast runs and project forecast snapshots

Revision ID: 107305b7d685
Revises: 498e71f3ae21
Create Date: 2026-11-23 19:53:31.839188
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sqlalchemy.dialects import postgresql

revision: str = '107305b7d685'
down_revision: str | None = '498e71f3ae21'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('forecast_run',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('requested_by_id', sa.Uuid(), nullable=True),
    sa.Column('state', sa.String(length=10), server_default='queued', nullable=False),
    sa.Column('iterations', sa.Integer(), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('requested_percentiles', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('engine_ms', sa.Integer(), nullable=True),
    sa.Column('task_count', sa.Integer(), nullable=True),
    sa.Column('risk_event_count', sa.Integer(), nullable=True),
    sa.Column('percentiles', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('p50', sa.Date(), nullable=True),
    sa.Column('p80', sa.Date(), nullable=True),
    sa.Column('p95', sa.Date(), nullable=True),
    sa.Column('mean_days', sa.Float(), nullable=True),
    sa.Column('std_days', sa.Float(), nullable=True),
    sa.Column('mean_finish', sa.Date(), nullable=True),
    sa.Column('deterministic_finish', sa.Date(), nullable=True),
    sa.Column('histogram', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('cdf', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('criticality', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('sensitivity', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_forecast_run_state')),
    sa.CheckConstraint('iterations > 0', name=op.f('ck_forecast_run_iterations_positive')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_forecast_run_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_forecast_run_requested_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forecast_run')),
    sa.UniqueConstraint('seq', name=op.f('uq_forecast_run_seq'))
    )
    op.create_index('ix_forecast_run_project_seq', 'forecast_run', ['project_id', 'seq'], unique=False)
    op.create_table('project_forecast_snapshot',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('captured_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('cpm_finish', sa.Date(), nullable=True),
    sa.Column('total_float', sa.Integer(), nullable=True),
    sa.Column('forecast_run_id', sa.Uuid(), nullable=True),
    sa.Column('p50', sa.Date(), nullable=True),
    sa.Column('p80', sa.Date(), nullable=True),
    sa.Column('p95', sa.Date(), nullable=True),
    sa.Column('task_count', sa.Integer(), nullable=False),
    sa.Column('completed_count', sa.Integer(), nullable=False),
    sa.Column('critical_count', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('recompute', 'floor')", name=op.f('ck_project_forecast_snapshot_kind')),
    sa.ForeignKeyConstraint(['forecast_run_id'], ['forecast_run.id'], name=op.f('fk_project_forecast_snapshot_forecast_run_id_forecast_run'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_forecast_snapshot_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_forecast_snapshot'))
    )
    op.create_index('ix_project_forecast_snapshot_project_captured', 'project_forecast_snapshot', ['project_id', 'captured_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_project_forecast_snapshot_project_captured', table_name='project_forecast_snapshot')
    op.drop_table('project_forecast_snapshot')
    op.drop_index('ix_forecast_run_project_seq', table_name='forecast_run')
    op.drop_table('forecast_run')
