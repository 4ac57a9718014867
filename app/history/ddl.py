"""DDL of the history trigger, for migrations.

Every `Versioned` table carries the AFTER INSERT/UPDATE/DELETE row trigger `trueppm_history`,
which calls `trueppm_record_history(project_column)`. A migration that creates a synced table
attaches it in one line::

    op.execute(attach_history("my_table"))            # project id in column project_id
    op.execute(attach_history("program", None))       # not inside a project

and its downgrade runs `detach_history("my_table")` before dropping the table.
`tests/app/history/test_triggers.py` fails for any Versioned table without the trigger.

`CREATE_FUNCTION_V1` is the function the first history migration installs. Never edit it
(migrations replay it): a change is a `CREATE_FUNCTION_V2` installed by a new migration.
"""

from __future__ import annotations

import re

TRIGGER_NAME = "trueppm_history"
FUNCTION_NAME = "trueppm_record_history"
ACTOR_SETTING = "trueppm.actor_id"

# Columns left out of the recorded changes: they change on every write and say nothing the
# entry does not already say (`at`, `action`; the version is kept in its own column;
# `sync_seq` is the sync trigger's bookkeeping, renumbered on every write).
IGNORED_COLUMNS = ("server_version", "created_at", "updated_at", "sync_seq")

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

CREATE_FUNCTION_V1 = f"""
CREATE OR REPLACE FUNCTION {FUNCTION_NAME}() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    old_row jsonb;
    new_row jsonb;
    this_row jsonb;
    ignored text[] := ARRAY{list(IGNORED_COLUMNS)!r}::text[];
    project_column text := nullif(TG_ARGV[0], '');
    diff jsonb := '{{}}'::jsonb;
    kind text;
BEGIN
    IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
    this_row := coalesce(new_row, old_row);
    IF TG_OP = 'INSERT' THEN
        kind := 'create';
        SELECT coalesce(jsonb_object_agg(n.key, jsonb_build_object('old', NULL, 'new', n.value)),
                        '{{}}'::jsonb)
          INTO diff
          FROM jsonb_each(new_row) AS n
         WHERE n.key <> ALL (ignored) AND n.key <> 'id' AND n.value <> 'null'::jsonb;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT coalesce(jsonb_object_agg(n.key, jsonb_build_object('old', o.value, 'new', n.value)),
                        '{{}}'::jsonb)
          INTO diff
          FROM jsonb_each(new_row) AS n
          JOIN jsonb_each(old_row) AS o ON o.key = n.key
         WHERE n.value IS DISTINCT FROM o.value AND n.key <> ALL (ignored);
        IF diff = '{{}}'::jsonb THEN
            RETURN NULL;
        END IF;
        kind := CASE
            WHEN diff ? 'is_deleted' AND (new_row ->> 'is_deleted')::boolean THEN 'delete'
            WHEN diff ? 'is_deleted' THEN 'restore'
            ELSE 'update'
        END;
    ELSE
        kind := 'purge';
    END IF;
    INSERT INTO history_entry
        (table_name, object_id, project_id, actor_id, at, action, server_version, changes)
    VALUES (
        TG_TABLE_NAME,
        (this_row ->> 'id')::uuid,
        CASE WHEN project_column IS NULL THEN NULL ELSE (this_row ->> project_column)::uuid END,
        nullif(current_setting('{ACTOR_SETTING}', true), '')::uuid,
        now(),
        kind,
        (this_row ->> 'server_version')::bigint,
        diff
    );
    RETURN NULL;
END
$fn$;
"""

DROP_FUNCTION = f"DROP FUNCTION IF EXISTS {FUNCTION_NAME}()"


def _check(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain lower-case SQL identifier: {name!r}")
    return name


def attach_history(table: str, project_column: str | None = "project_id") -> str:
    """The statement attaching the history trigger to `table`. `project_column` names the
    column holding the row's project id (`"id"` for the project table itself; None when the
    rows belong to no project, e.g. programs)."""
    argument = _check(project_column) if project_column else ""
    return (
        f"CREATE TRIGGER {TRIGGER_NAME} AFTER INSERT OR UPDATE OR DELETE ON {_check(table)} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION_NAME}('{argument}')"
    )


def detach_history(table: str) -> str:
    """The statement removing the history trigger from `table` (for downgrades)."""
    return f"DROP TRIGGER IF EXISTS {TRIGGER_NAME} ON {_check(table)}"
