"""Change history of synced objects: recorded by a PostgreSQL trigger, read per object,
bounded by the `HISTORY_RETENTION_DAYS` purge."""
