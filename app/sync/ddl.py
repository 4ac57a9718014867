"""The database side of the sync sequence: one trigger function, attached per synced table.

Why a trigger: every write path (ORM flushes, `versioned_update`, the scheduler's Core
executemany, raw SQL in migrations) must move `sync_seq`, and only the database sees them all.

The ordering guarantee (proved in tests/app/sync/test_sequence.py, explained in docs/sync.md):
before it numbers a row, the trigger takes `FOR NO KEY UPDATE` on the row's project and holds
it until commit; the number comes from one global sequence (`CACHE 1`, so numbers are handed out
in call order). Two transactions writing one project therefore number their rows in turn: all
numbers of the one that committed first are smaller than all numbers of the later one. So for
each project, sync order is commit order, and a pull that reads "everything committed up to
`U`" can never later discover a committed row numbered below `U`.

Usage in a migration that adds a synced table (one line; downgrade with `detach_sync_trigger`):

    from app.sync.ddl import attach_sync_trigger
    attach_sync_trigger("board_column")
"""

from __future__ import annotations

from alembic import op

SEQUENCE = "sync_seq_global"
FUNCTION = "trueppm_sync_seq"
TRIGGER = "trg_sync_seq"

# TG_ARGV[0] names the column holding the project id (`project_id`, or `id` for `project`);
# version 3 adds `workspace_id` for the rows of a workspace's pool.
_HEAD = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pid uuid;
BEGIN
    IF TG_ARGV[0] = 'id' THEN
        pid := NEW.id;
    ELSE
        pid := NEW.project_id;
    END IF;
"""
_TAIL = f"""
    NEW.sync_seq := nextval('{SEQUENCE}');
    RETURN NEW;
END
$$
"""
# Version 1 (revision 2776450e4bcd): lock the project on every row.
_LOCK_EVERY_ROW = """
    -- Serialize this project's writers until commit (same lock family as lock_project()).
    PERFORM 1 FROM project WHERE id = pid FOR NO KEY UPDATE;
"""
# Version 2: remember the last project locked in this transaction in a transaction-local
# setting and skip re-locking it. Both the lock and the setting are undone together when a
# savepoint rolls back, so the setting never claims a lock the transaction lost. A 10k-row
# UPDATE went from ~2.4x to ~1.3x the trigger-less time (docs/sync.md).
_LOCK_ONCE = """
    IF current_setting('trueppm.sync_locked', true) IS DISTINCT FROM pid::text THEN
        -- Serialize this project's writers until commit (same lock family as lock_project()).
        PERFORM 1 FROM project WHERE id = pid FOR NO KEY UPDATE;
        PERFORM set_config('trueppm.sync_locked', pid::text, true);
    END IF;
"""
# Version 3 (revision e2b7c4a9d613): rows of a workspace (the resource pool) reach the pulls
# of every project of the workspace, so numbering one must serialize with the writers of all
# of them: it locks the workspace row and then every project of it (in id order, once per
# transaction and workspace). A project being created waits for the workspace row, so a pool
# writer that did not see it has committed before the project's first number.
_HEAD_V3 = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pid uuid;
    wid uuid;
BEGIN
    IF TG_ARGV[0] = 'workspace_id' THEN
        wid := NEW.workspace_id;
        IF current_setting('trueppm.sync_pool', true) IS DISTINCT FROM wid::text THEN
            PERFORM 1 FROM workspace WHERE id = wid FOR NO KEY UPDATE;
            PERFORM 1 FROM project WHERE workspace_id = wid ORDER BY id FOR NO KEY UPDATE;
            PERFORM set_config('trueppm.sync_pool', wid::text, true);
        END IF;
        NEW.sync_seq := nextval('{SEQUENCE}');
        RETURN NEW;
    END IF;
    IF TG_ARGV[0] = 'id' THEN
        pid := NEW.id;
        IF TG_OP = 'INSERT' THEN
            PERFORM 1 FROM workspace WHERE id = NEW.workspace_id FOR NO KEY UPDATE;
        END IF;
    ELSE
        pid := NEW.project_id;
    END IF;
"""
FUNCTION_VERSIONS = {
    1: _HEAD + _LOCK_EVERY_ROW + _TAIL,
    2: _HEAD + _LOCK_ONCE + _TAIL,
    3: _HEAD_V3 + _LOCK_ONCE + _TAIL,
}
KEYS = ("project_id", "id", "workspace_id")


def create_sync_function(version: int) -> None:
    """The global sequence and the trigger function (the migration that introduces sync)."""
    op.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} AS bigint CACHE 1")
    op.execute(FUNCTION_VERSIONS[version])


def replace_sync_function(version: int) -> None:
    """Swap the trigger function's body (attached triggers keep calling it)."""
    op.execute(FUNCTION_VERSIONS[version])


def drop_sync_function() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    op.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


def attach_sync_trigger(table: str, key: str = "project_id") -> None:
    """Make `table` synced: `sync_seq` column and pull index (if the migration did not create
    them), the trigger, and a renumbering of existing rows so clients that synced before the
    table existed still receive them on their next incremental pull."""
    if key not in KEYS:
        raise ValueError(
            "key must be 'project_id', 'id' (the project table itself) or 'workspace_id'"
        )
    op.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS sync_seq BIGINT DEFAULT 0 NOT NULL")
    if key != "id":
        scope = key.removesuffix("_id")
        op.execute(
            f"CREATE INDEX IF NOT EXISTS ix_{table}_{scope}_sync_seq ON {table} ({key}, sync_seq)"
        )
    op.execute(
        f"CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}('{key}')"
    )
    op.execute(f"UPDATE {table} SET sync_seq = sync_seq")


def detach_sync_trigger(table: str) -> None:
    """Undo `attach_sync_trigger` except the column (its migration's downgrade drops that)."""
    op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
