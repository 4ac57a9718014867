"""The one declarative base, its naming convention and the versioned (synced) shape.

Every synced model carries the seed's VersionedModel shape: a UUID key, `server_version`
(1 on insert, incremented inside the UPDATE statement itself so concurrent writers never
lose an update), and soft deletion with a `deleted_version` tombstone for offline clients.

`sync_seq` is the commit-ordered sync position (docs/sync.md): a database trigger sets it on
every INSERT and UPDATE of a synced table, whatever the write path (ORM, Core executemany,
raw SQL), so no Python code ever assigns it. Tables holding a `project_id` get an index on
`(project_id, sync_seq)` automatically, the access path of every sync pull.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    FetchedValue,
    Index,
    MetaData,
    Table,
    event,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column
from sqlalchemy.types import UserDefinedType

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Ltree(UserDefinedType[str]):
    """PostgreSQL `ltree` (WBS paths); asyncpg exchanges it as text."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "LTREE"


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Versioned(Timestamped):
    """Mixin for synced rows (seed 000's VersionedModel)."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    server_version: Mapped[int] = mapped_column(BigInteger, default=1, server_default="1")
    is_deleted: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default="false", index=True
    )
    deleted_version: Mapped[int | None] = mapped_column(BigInteger)
    # Written only by the `trueppm_sync_seq` trigger (app/sync/ddl.py); 0 = never synced.
    sync_seq: Mapped[int] = mapped_column(
        BigInteger, server_default="0", server_onupdate=FetchedValue()
    )


@event.listens_for(Versioned, "instrument_class", propagate=True)
def _index_sync_seq(mapper: Mapper[Any], cls: type) -> None:
    """Give every project-scoped synced table its `(project_id, sync_seq)` pull index."""
    table = mapper.local_table
    if not isinstance(table, Table):
        return
    columns = table.c
    if "project_id" not in columns or "sync_seq" not in columns:
        return
    name = f"ix_{table.name}_project_sync_seq"
    if not any(index.name == name for index in table.indexes):
        Index(name, columns.project_id, columns.sync_seq)


def _register_ltree_reflection() -> None:
    # Lets Alembic's autogenerate reflect existing `ltree` columns as our type, so the
    # model/database comparison stays exact instead of warning about an unknown type.
    from sqlalchemy.dialects.postgresql import base as pg_base

    pg_base.ischema_names["ltree"] = Ltree


_register_ltree_reflection()
