"""sprints

Sprints (one active per project), the sprint-close outbox, the sprint task log kept by a
trigger on `task` (burndown replays it) and task.sprint_id.

Revision ID: 3b7d1e5a9c21
Revises: 2776450e4bcd
Create Date: 2026-11-23 19:51:30.299193
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.sync.ddl import attach_sync_trigger


DONE_FUNCTION = """
CREATE FUNCTION trueppm_task_done(t task) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT t.percent_complete >= 100 OR t.actual_finish IS NOT NULL
$$
"""

LOG_FUNCTION = """
CREATE FUNCTION trueppm_log_sprint_task() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    new_done boolean := trueppm_task_done(NEW);
    new_points integer := coalesce(NEW.story_points, 0);
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.sprint_id IS NULL THEN
            RETURN NULL;
        END IF;
    ELSIF (OLD.sprint_id IS NULL AND NEW.sprint_id IS NULL)
        OR (OLD.sprint_id IS NOT DISTINCT FROM NEW.sprint_id
            AND coalesce(OLD.story_points, 0) = new_points
            AND trueppm_task_done(OLD) = new_done
            AND OLD.is_deleted = NEW.is_deleted) THEN
        RETURN NULL;
    END IF;
    INSERT INTO sprint_task_log (task_id, sprint_id, points, done, live)
    VALUES (NEW.id, NEW.sprint_id, new_points, new_done, NOT NEW.is_deleted);
    RETURN NULL;
END
$$
"""

LOG_TRIGGER = """
CREATE TRIGGER trg_task_sprint_log
AFTER INSERT OR UPDATE OF sprint_id, story_points, percent_complete, actual_finish, is_deleted
ON task FOR EACH ROW EXECUTE FUNCTION trueppm_log_sprint_task()
"""

revision: str = '3b7d1e5a9c21'
down_revision: str | None = '2776450e4bcd'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sprint',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('goal', sa.String(length=4000), server_default='', nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=10), server_default='planned', nullable=False),
    sa.Column('sort_order', sa.Integer(), server_default='0', nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('committed_points', sa.Integer(), nullable=True),
    sa.Column('completed_points', sa.Integer(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('server_version', sa.BigInteger(), server_default='1', nullable=False),
    sa.Column('is_deleted', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('deleted_version', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("state IN ('planned', 'active', 'closed')", name=op.f('ck_sprint_state')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_sprint_ordered_dates')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_sprint_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sprint'))
    )
    op.create_index(op.f('ix_sprint_is_deleted'), 'sprint', ['is_deleted'], unique=False)
    op.create_index(op.f('ix_sprint_project_id'), 'sprint', ['project_id'], unique=False)
    op.create_index('uq_sprint_one_active', 'sprint', ['project_id'], unique=True, postgresql_where=sa.text("state = 'active' AND NOT is_deleted"))
    attach_sync_trigger('sprint')
    op.create_table('sprint_close_request',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('sprint_id', sa.Uuid(), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('target_sprint_id', sa.Uuid(), nullable=True),
    sa.Column('moved_tasks', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_sprint_close_request_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_sprint_close_request_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sprint_id'], ['sprint.id'], name=op.f('fk_sprint_close_request_sprint_id_sprint'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_sprint_id'], ['sprint.id'], name=op.f('fk_sprint_close_request_target_sprint_id_sprint'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sprint_close_request'))
    )
    op.create_index('ix_sprint_close_request_pending', 'sprint_close_request', ['sprint_id'], unique=False, postgresql_where=sa.text('done_at IS NULL'))
    op.create_table('sprint_task_log',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('task_id', sa.Uuid(), nullable=False),
    sa.Column('sprint_id', sa.Uuid(), nullable=True),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('live', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['sprint_id'], ['sprint.id'], name=op.f('fk_sprint_task_log_sprint_id_sprint'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_sprint_task_log_task_id_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sprint_task_log'))
    )
    op.create_index(op.f('ix_sprint_task_log_sprint_id'), 'sprint_task_log', ['sprint_id'], unique=False)
    op.create_index('ix_sprint_task_log_task_at', 'sprint_task_log', ['task_id', 'at'], unique=False)
    op.add_column('task', sa.Column('sprint_id', sa.Uuid(), nullable=True))
    op.create_index(op.f('ix_task_sprint_id'), 'task', ['sprint_id'], unique=False)
    op.create_foreign_key(op.f('fk_task_sprint_id_sprint'), 'task', 'sprint', ['sprint_id'], ['id'], ondelete='SET NULL')
    op.execute(DONE_FUNCTION)
    op.execute(LOG_FUNCTION)
    op.execute(LOG_TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER trg_task_sprint_log ON task")
    op.execute("DROP FUNCTION trueppm_log_sprint_task()")
    op.execute("DROP FUNCTION trueppm_task_done(task)")
    op.drop_constraint(op.f('fk_task_sprint_id_sprint'), 'task', type_='foreignkey')
    op.drop_index(op.f('ix_task_sprint_id'), table_name='task')
    op.drop_column('task', 'sprint_id')
    op.drop_index('ix_sprint_task_log_task_at', table_name='sprint_task_log')
    op.drop_index(op.f('ix_sprint_task_log_sprint_id'), table_name='sprint_task_log')
    op.drop_table('sprint_task_log')
    op.drop_index('ix_sprint_close_request_pending', table_name='sprint_close_request', postgresql_where=sa.text('done_at IS NULL'))
    op.drop_table('sprint_close_request')
    op.drop_index('uq_sprint_one_active', table_name='sprint', postgresql_where=sa.text("state = 'active' AND NOT is_deleted"))
    op.drop_index(op.f('ix_sprint_project_id'), table_name='sprint')
    op.drop_index(op.f('ix_sprint_is_deleted'), table_name='sprint')
    op.drop_table('sprint')
