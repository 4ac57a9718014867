"""foundation

Revision ID: 5ee1ddcfcbad
Revises:
Create Date: 2026-11-22 23:14:07.955975
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = '5ee1ddcfcbad'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS ltree")
    op.create_table('user_account',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('is_staff', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account'))
    )
    op.create_index('uq_user_account_email_lower', 'user_account', [sa.text('lower(email)')], unique=True)
    op.create_table('workspace',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('server_version', sa.BigInteger(), server_default='1', nullable=False),
    sa.Column('is_deleted', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('deleted_version', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workspace'))
    )
    op.create_index(op.f('ix_workspace_is_deleted'), 'workspace', ['is_deleted'], unique=False)
    op.create_table('program',
    sa.Column('workspace_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=4000), server_default='', nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('server_version', sa.BigInteger(), server_default='1', nullable=False),
    sa.Column('is_deleted', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('deleted_version', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_program_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program'))
    )
    op.create_index(op.f('ix_program_is_deleted'), 'program', ['is_deleted'], unique=False)
    op.create_index(op.f('ix_program_workspace_id'), 'program', ['workspace_id'], unique=False)
    op.create_table('refresh_token',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_refresh_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refresh_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_refresh_token_token_hash'))
    )
    op.create_index(op.f('ix_refresh_token_family_id'), 'refresh_token', ['family_id'], unique=False)
    op.create_index(op.f('ix_refresh_token_user_id'), 'refresh_token', ['user_id'], unique=False)
    op.create_table('workspace_member',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('workspace_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_workspace_member_user_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_workspace_member_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workspace_member')),
    sa.UniqueConstraint('workspace_id', 'user_id', name=op.f('uq_workspace_member_workspace_id_user_id'))
    )
    op.create_index(op.f('ix_workspace_member_user_id'), 'workspace_member', ['user_id'], unique=False)
    op.create_index(op.f('ix_workspace_member_workspace_id'), 'workspace_member', ['workspace_id'], unique=False)
    op.create_table('program_member',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('program_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.SmallInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('role IN (1, 100, 200, 300, 400)', name=op.f('ck_program_member_role_level')),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], name=op.f('fk_program_member_program_id_program'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_program_member_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_member')),
    sa.UniqueConstraint('program_id', 'user_id', name=op.f('uq_program_member_program_id_user_id'))
    )
    op.create_index(op.f('ix_program_member_program_id'), 'program_member', ['program_id'], unique=False)
    op.create_index(op.f('ix_program_member_user_id'), 'program_member', ['user_id'], unique=False)
    op.create_table('project',
    sa.Column('workspace_id', sa.Uuid(), nullable=False),
    sa.Column('program_id', sa.Uuid(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=4000), server_default='', nullable=False),
    sa.Column('status', sa.String(length=20), server_default='planning', nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('status_date', sa.Date(), nullable=True),
    sa.Column('default_calendar_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('server_version', sa.BigInteger(), server_default='1', nullable=False),
    sa.Column('is_deleted', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('deleted_version', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], name=op.f('fk_project_program_id_program'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_project_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project'))
    )
    op.create_index(op.f('ix_project_is_deleted'), 'project', ['is_deleted'], unique=False)
    op.create_index(op.f('ix_project_program_id'), 'project', ['program_id'], unique=False)
    op.create_index(op.f('ix_project_workspace_id'), 'project', ['workspace_id'], unique=False)
    op.create_table('calendar',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('working_weekdays', sa.SmallInteger(), server_default='31', nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('server_version', sa.BigInteger(), server_default='1', nullable=False),
    sa.Column('is_deleted', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('deleted_version', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('working_weekdays BETWEEN 1 AND 127', name=op.f('ck_calendar_working_weekdays_range')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_calendar_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar'))
    )
    op.create_index(op.f('ix_calendar_is_deleted'), 'calendar', ['is_deleted'], unique=False)
    op.create_index(op.f('ix_calendar_project_id'), 'calendar', ['project_id'], unique=False)
    op.create_foreign_key(
        op.f('fk_project_default_calendar_id_calendar'), 'project', 'calendar',
        ['default_calendar_id'], ['id'], ondelete='SET NULL',
    )
    op.create_table('project_member',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.SmallInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('role IN (1, 100, 200, 300, 400)', name=op.f('ck_project_member_role_level')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_member_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_project_member_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_member')),
    sa.UniqueConstraint('project_id', 'user_id', name=op.f('uq_project_member_project_id_user_id'))
    )
    op.create_index(op.f('ix_project_member_project_id'), 'project_member', ['project_id'], unique=False)
    op.create_index(op.f('ix_project_member_user_id'), 'project_member', ['user_id'], unique=False)
    op.create_table('calendar_exception',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('calendar_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('is_working', sa.Boolean(), server_default='false', nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_calendar_exception_ordered_range')),
    sa.ForeignKeyConstraint(['calendar_id'], ['calendar.id'], name=op.f('fk_calendar_exception_calendar_id_calendar'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_exception'))
    )
    op.create_index(op.f('ix_calendar_exception_calendar_id'), 'calendar_exception', ['calendar_id'], unique=False)
    op.create_table('task',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('wbs_path', app.models.base.Ltree(), nullable=False),
    sa.Column('wbs_rank', sa.String(length=64), server_default='n', nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('description', sa.String(length=20000), server_default='', nullable=False),
    sa.Column('kind', sa.String(length=20), server_default='task', nullable=False),
    sa.Column('duration', sa.Integer(), server_default='1', nullable=False),
    sa.Column('calendar_id', sa.Uuid(), nullable=True),
    sa.Column('constraint_type', sa.String(length=4), server_default='ASAP', nullable=False),
    sa.Column('constraint_date', sa.Date(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('percent_complete', sa.Float(), server_default='0', nullable=False),
    sa.Column('actual_start', sa.Date(), nullable=True),
    sa.Column('actual_finish', sa.Date(), nullable=True),
    sa.Column('optimistic_duration', sa.Float(), nullable=True),
    sa.Column('most_likely_duration', sa.Float(), nullable=True),
    sa.Column('pessimistic_duration', sa.Float(), nullable=True),
    sa.Column('story_points', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Uuid(), nullable=True),
    sa.Column('early_start', sa.Date(), nullable=True),
    sa.Column('early_finish', sa.Date(), nullable=True),
    sa.Column('late_start', sa.Date(), nullable=True),
    sa.Column('late_finish', sa.Date(), nullable=True),
    sa.Column('total_float', sa.Integer(), nullable=True),
    sa.Column('free_float', sa.Integer(), nullable=True),
    sa.Column('is_critical', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('server_version', sa.BigInteger(), server_default='1', nullable=False),
    sa.Column('is_deleted', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('deleted_version', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("constraint_type IN ('ASAP','ALAP','SNET','SNLT','FNET','FNLT','MSO','MFO')", name=op.f('ck_task_constraint_type')),
    sa.CheckConstraint("kind IN ('task', 'milestone', 'summary')", name=op.f('ck_task_kind')),
    sa.CheckConstraint('duration >= 0', name=op.f('ck_task_duration_nonnegative')),
    sa.CheckConstraint('percent_complete >= 0 AND percent_complete <= 100', name=op.f('ck_task_percent_range')),
    sa.ForeignKeyConstraint(['assignee_id'], ['user_account.id'], name=op.f('fk_task_assignee_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['calendar_id'], ['calendar.id'], name=op.f('fk_task_calendar_id_calendar'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_task_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task'))
    )
    op.create_index(op.f('ix_task_assignee_id'), 'task', ['assignee_id'], unique=False)
    op.create_index(op.f('ix_task_is_deleted'), 'task', ['is_deleted'], unique=False)
    op.create_index(op.f('ix_task_project_id'), 'task', ['project_id'], unique=False)
    op.create_index('ix_task_wbs_path_gist', 'task', ['wbs_path'], unique=False, postgresql_using='gist')
    op.create_index('uq_task_project_wbs_path', 'task', ['project_id', 'wbs_path'], unique=True)
    op.create_table('dependency',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('predecessor_id', sa.Uuid(), nullable=False),
    sa.Column('successor_id', sa.Uuid(), nullable=False),
    sa.Column('type', sa.String(length=2), server_default='FS', nullable=False),
    sa.Column('lag', sa.Integer(), server_default='0', nullable=False),
    sa.Column('lag_unit', sa.String(length=20), server_default='working_days', nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('server_version', sa.BigInteger(), server_default='1', nullable=False),
    sa.Column('is_deleted', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('deleted_version', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("lag_unit IN ('working_days', 'elapsed_days')", name=op.f('ck_dependency_lag_unit')),
    sa.CheckConstraint("type IN ('FS', 'SS', 'FF', 'SF')", name=op.f('ck_dependency_type')),
    sa.CheckConstraint('predecessor_id <> successor_id', name=op.f('ck_dependency_no_self_link')),
    sa.ForeignKeyConstraint(['predecessor_id'], ['task.id'], name=op.f('fk_dependency_predecessor_id_task'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_dependency_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['successor_id'], ['task.id'], name=op.f('fk_dependency_successor_id_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dependency'))
    )
    op.create_index(op.f('ix_dependency_is_deleted'), 'dependency', ['is_deleted'], unique=False)
    op.create_index(op.f('ix_dependency_predecessor_id'), 'dependency', ['predecessor_id'], unique=False)
    op.create_index(op.f('ix_dependency_project_id'), 'dependency', ['project_id'], unique=False)
    op.create_index(op.f('ix_dependency_successor_id'), 'dependency', ['successor_id'], unique=False)
    op.create_index('uq_dependency_live_pair', 'dependency', ['predecessor_id', 'successor_id'], unique=True, postgresql_where=sa.text('NOT is_deleted'))


def downgrade() -> None:
    op.drop_constraint(
        op.f('fk_project_default_calendar_id_calendar'), 'project', type_='foreignkey'
    )
    op.drop_index('uq_dependency_live_pair', table_name='dependency', postgresql_where=sa.text('NOT is_deleted'))
    op.drop_index(op.f('ix_dependency_successor_id'), table_name='dependency')
    op.drop_index(op.f('ix_dependency_project_id'), table_name='dependency')
    op.drop_index(op.f('ix_dependency_predecessor_id'), table_name='dependency')
    op.drop_index(op.f('ix_dependency_is_deleted'), table_name='dependency')
    op.drop_table('dependency')
    op.drop_index('uq_task_project_wbs_path', table_name='task')
    op.drop_index('ix_task_wbs_path_gist', table_name='task', postgresql_using='gist')
    op.drop_index(op.f('ix_task_project_id'), table_name='task')
    op.drop_index(op.f('ix_task_is_deleted'), table_name='task')
    op.drop_index(op.f('ix_task_assignee_id'), table_name='task')
    op.drop_table('task')
    op.drop_index(op.f('ix_calendar_exception_calendar_id'), table_name='calendar_exception')
    op.drop_table('calendar_exception')
    op.drop_index(op.f('ix_project_member_user_id'), table_name='project_member')
    op.drop_index(op.f('ix_project_member_project_id'), table_name='project_member')
    op.drop_table('project_member')
    op.drop_index(op.f('ix_calendar_project_id'), table_name='calendar')
    op.drop_index(op.f('ix_calendar_is_deleted'), table_name='calendar')
    op.drop_table('calendar')
    op.drop_index(op.f('ix_project_workspace_id'), table_name='project')
    op.drop_index(op.f('ix_project_program_id'), table_name='project')
    op.drop_index(op.f('ix_project_is_deleted'), table_name='project')
    op.drop_table('project')
    op.drop_index(op.f('ix_program_member_user_id'), table_name='program_member')
    op.drop_index(op.f('ix_program_member_program_id'), table_name='program_member')
    op.drop_table('program_member')
    op.drop_index(op.f('ix_workspace_member_workspace_id'), table_name='workspace_member')
    op.drop_index(op.f('ix_workspace_member_user_id'), table_name='workspace_member')
    op.drop_table('workspace_member')
    op.drop_index(op.f('ix_refresh_token_user_id'), table_name='refresh_token')
    op.drop_index(op.f('ix_refresh_token_family_id'), table_name='refresh_token')
    op.drop_table('refresh_token')
    op.drop_index(op.f('ix_program_workspace_id'), table_name='program')
    op.drop_index(op.f('ix_program_is_deleted'), table_name='program')
    op.drop_table('program')
    op.drop_index(op.f('ix_workspace_is_deleted'), table_name='workspace')
    op.drop_table('workspace')
    op.drop_index('uq_user_account_email_lower', table_name='user_account')
    op.drop_table('user_account')
    op.execute("DROP EXTENSION IF EXISTS ltree")
