"""a card in a live "done" board column counts as done for sprints

`trueppm_task_done(task)` (sprint close, committed/completed points, burndown) now also says
yes for a task sitting in a live column of category 'done'. The burndown log trigger on
`task` fires on `column_id` too, so a card moved into or out of Done logs the change; a new
trigger on `board_column` logs the cards of a column that becomes (or stops being) a live
Done column through a category change or deletion.

Revision ID: 7cf1578b8d94
Revises: c7e2a9d4f1b3
Create Date: 2026-11-23 21:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7cf1578b8d94"
down_revision: str | None = "c7e2a9d4f1b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The progress half of the rule gets its own name so the column trigger below can tell which
# cards a column's category decides (a card done by progress is done in any column).
PROGRESS_FUNCTION = """
CREATE FUNCTION trueppm_task_progress_done(t task) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT t.percent_complete >= 100 OR t.actual_finish IS NOT NULL
$$
"""

DONE_FUNCTION = """
CREATE OR REPLACE FUNCTION trueppm_task_done(t task) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT trueppm_task_progress_done(t) OR EXISTS (
        SELECT 1 FROM board_column c
        WHERE c.id = t.column_id AND c.category = 'done' AND NOT c.is_deleted
    )
$$
"""

# The body of the sprints revision (3b7d1e5a9c21), restored on downgrade.
OLD_DONE_FUNCTION = """
CREATE OR REPLACE FUNCTION trueppm_task_done(t task) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT t.percent_complete >= 100 OR t.actual_finish IS NOT NULL
$$
"""

_LOG_TRIGGER = """
CREATE TRIGGER trg_task_sprint_log
AFTER INSERT OR UPDATE OF {columns}
ON task FOR EACH ROW EXECUTE FUNCTION trueppm_log_sprint_task()
"""
OLD_COLUMNS = "sprint_id, story_points, percent_complete, actual_finish, is_deleted"
NEW_COLUMNS = OLD_COLUMNS + ", column_id"

# A column turning into / out of a live Done column flips every sprint card in it that is not
# done by progress; their rows would not change, so the task trigger cannot see it.
COLUMN_FUNCTION = """
CREATE FUNCTION trueppm_log_column_done() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_done boolean := OLD.category = 'done' AND NOT OLD.is_deleted;
    now_done boolean := NEW.category = 'done' AND NOT NEW.is_deleted;
BEGIN
    IF was_done = now_done THEN
        RETURN NULL;
    END IF;
    INSERT INTO sprint_task_log (task_id, sprint_id, points, done, live)
    SELECT t.id, t.sprint_id, coalesce(t.story_points, 0), now_done, true
    FROM task t
    WHERE t.column_id = NEW.id
        AND t.sprint_id IS NOT NULL
        AND NOT t.is_deleted
        AND NOT trueppm_task_progress_done(t)
    ORDER BY t.id;
    RETURN NULL;
END
$$
"""

COLUMN_TRIGGER = """
CREATE TRIGGER trg_board_column_sprint_log
AFTER UPDATE OF category, is_deleted ON board_column
FOR EACH ROW EXECUTE FUNCTION trueppm_log_column_done()
"""


def upgrade() -> None:
    op.execute(PROGRESS_FUNCTION)
    op.execute(DONE_FUNCTION)
    op.execute("DROP TRIGGER trg_task_sprint_log ON task")
    op.execute(_LOG_TRIGGER.format(columns=NEW_COLUMNS))
    op.execute(COLUMN_FUNCTION)
    op.execute(COLUMN_TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER trg_board_column_sprint_log ON board_column")
    op.execute("DROP FUNCTION trueppm_log_column_done()")
    op.execute("DROP TRIGGER trg_task_sprint_log ON task")
    op.execute(_LOG_TRIGGER.format(columns=OLD_COLUMNS))
    op.execute(OLD_DONE_FUNCTION)
    op.execute("DROP FUNCTION trueppm_task_progress_done(task)")
