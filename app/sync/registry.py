"""The synced tables of a project: adding a table to sync is one `register(...)` entry.

Each entry names the wire table (WatermelonDB's table name), the model, the columns a pull
exposes, which of them a push may write (on create and update, or on create only) and which
are computed by the server (exposed read-only; a push may send them and they are ignored).
`virtual` columns are not stored as such but derived for the wire (a task's `parent_id` from
its WBS path, a calendar's `exceptions`); `appliers` are the service calls a push goes through.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import FieldProblem, ValidationFailed
from app.models import Versioned
from app.state import UnitOfWork

# Columns every record carries that no push may set.
SERVER_MANAGED = frozenset({"id", "project_id", "server_version", "created_at", "updated_at"})

Rows = Sequence[Any]
VirtualLoader = Callable[[AsyncSession, Rows], Awaitable[dict[uuid.UUID, dict[str, Any]]]]
Create = Callable[[UnitOfWork, uuid.UUID, uuid.UUID, uuid.UUID, dict[str, Any]], Awaitable[None]]
Update = Callable[[UnitOfWork, uuid.UUID, uuid.UUID, dict[str, Any]], Awaitable[None]]
Delete = Callable[[UnitOfWork, uuid.UUID, uuid.UUID], Awaitable[None]]


@dataclass(frozen=True)
class Appliers:
    """Service calls for a push: (uow, user, project, id, values) / (uow, user, id, ...); the
    unit of work lets services publish their board events after the push commits."""

    create: Create | None
    update: Update | None
    delete: Delete | None


@dataclass(frozen=True)
class SyncedTable:
    name: str
    model: type[Versioned]
    columns: tuple[str, ...]
    writable: frozenset[str]
    computed: frozenset[str] = frozenset()
    create_only: frozenset[str] = frozenset()
    virtual: VirtualLoader | None = None
    appliers: Appliers = field(default_factory=lambda: Appliers(None, None, None))
    # The first client schema version that knows this table (older clients never get it).
    since_schema: int = 1
    # Column holding the project id: "project_id", or "id" for the project row itself; or
    # "workspace_id" for a table of the workspace (the resource pool), which every project
    # of the workspace pulls and no push writes.
    key: str = "project_id"
    # Creation order within a push (parents first); deletes run in the reverse order.
    order: int = 100
    # Columns meaningful only together (a card's column and its key in that column): when a
    # pushed record changes one of them, the update receives every one it carries.
    together: tuple[frozenset[str], ...] = ()
    # What a column means on the wire, where its name does not say it (the OpenAPI document).
    notes: Mapping[str, str] = field(default_factory=dict)

    @property
    def table(self) -> Table:
        table = getattr(self.model, "__table__", None)
        assert isinstance(table, Table)
        return table

    @property
    def accepted(self) -> frozenset[str]:
        """Every column name a pushed record may carry without a 400."""
        return frozenset(self.columns) | SERVER_MANAGED | {"sync_seq"}

    @property
    def read_only(self) -> bool:
        return self.appliers == Appliers(None, None, None)

    def check(self) -> None:
        exposed = set(self.columns)
        if self.key == "workspace_id" and (self.writable or not self.read_only):
            raise ValueError(f"{self.name}: a workspace table is read-only over sync")
        for name in self.writable | self.computed | self.create_only | set(self.notes):
            if name not in exposed:
                raise ValueError(f"{self.name}: {name} is not an exposed column")
        if self.writable & self.computed:
            raise ValueError(f"{self.name}: a column cannot be writable and computed")
        for group in self.together:
            if not group <= self.writable:
                raise ValueError(f"{self.name}: columns pushed together must be writable")


def required(table: str, values: dict[str, Any], *names: str) -> list[Any]:
    """The values of `names` for a create applier; a missing or empty one is a 422 naming it."""
    missing = [name for name in names if not values.get(name)]
    if missing:
        raise ValidationFailed(
            [FieldProblem(("changes", table, m), "is required") for m in missing]
        )
    return [values[name] for name in names]


_REGISTRY: dict[str, SyncedTable] = {}


def register(entry: SyncedTable) -> SyncedTable:
    entry.check()
    if entry.name in _REGISTRY:
        raise ValueError(f"synced table {entry.name!r} registered twice")
    _REGISTRY[entry.name] = entry
    return entry


def synced_tables(schema_version: int | None = None) -> list[SyncedTable]:
    """Registered tables (those a client of `schema_version` knows), in push-create order."""
    _load()
    tables = sorted(_REGISTRY.values(), key=lambda t: (t.order, t.name))
    if schema_version is None:
        return tables
    return [t for t in tables if t.since_schema <= schema_version]


def by_name() -> Mapping[str, SyncedTable]:
    _load()
    return dict(_REGISTRY)


def _load() -> None:
    # The entries live beside their appliers; importing registers them once.
    from app.sync import boards, planning, resources, tables  # noqa: F401
