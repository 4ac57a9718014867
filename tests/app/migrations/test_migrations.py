"""Every revision is reversible and the models match the migrated database exactly."""

from __future__ import annotations

import asyncio

import asyncpg
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from app.db import create_engine, sync_url
from app.migrate import alembic_config, downgrade, upgrade
from app.models import Base


async def _tables(url: str) -> set[str]:
    connection = await asyncpg.connect(sync_url(url))
    try:
        rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {r["tablename"] for r in rows}
    finally:
        await connection.close()


def _diff(url: str) -> list[object]:
    async def run() -> list[object]:
        engine = create_engine(url, pool_size=1)

        def compare(connection: Connection) -> list[object]:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))

        async with engine.connect() as connection:
            diff = await connection.run_sync(compare)
        await engine.dispose()
        return diff

    return asyncio.run(run())


def test_upgrade_downgrade_upgrade_and_no_autogenerate_diff(empty_database: str) -> None:
    upgrade(empty_database)
    assert {"task", "dependency", "project", "user_account"} <= asyncio.run(_tables(empty_database))
    downgrade(empty_database, "base")
    assert asyncio.run(_tables(empty_database)) == {"alembic_version"}
    upgrade(empty_database)
    assert _diff(empty_database) == []
    command.check(alembic_config(empty_database))
