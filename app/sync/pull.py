"""Pull: the project's changes since a cursor, in WatermelonDB's shape, in pages.

A pull reads rows with `base < sync_seq <= upper`, where `upper` is the high water read when
the pull began (see sequence.py). Pages split that range by `sync_seq`; every page of one pull
keeps the same `upper`, so paging never moves the end of the slice and a row changed while a
client pages is simply delivered again by the next pull (its new number is above `upper`).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import project_role
from app.errors import AppError
from app.models import ProjectSyncFloor
from app.sync.registry import SyncedTable, synced_tables
from app.sync.sequence import belongs_to, high_water
from app.sync.values import to_wire

SCHEMA_VERSION = 1
"""The newest client schema version this server knows (tables carry `since_schema`)."""


class ResyncRequired(AppError):
    """The cursor is older than the oldest retained tombstone (or not from this server)."""

    code = "resync_required"

    def __init__(self, message: str, floor: int) -> None:
        super().__init__(message)
        self.floor = floor


class BadCursor(AppError):
    code = "bad_cursor"


@dataclass(frozen=True)
class PageCursor:
    """Where a paged pull stands: its base cursor, the last number sent, its fixed upper end."""

    base: int
    after: int
    upper: int
    schema_version: int

    def encode(self) -> str:
        raw = f"{self.base}:{self.after}:{self.upper}:{self.schema_version}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> PageCursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            base, after, upper, schema = (int(part) for part in raw.split(":"))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise BadCursor("cursor is not a value this server returned") from None
        if not 0 <= base <= after <= upper or schema < 1:
            raise BadCursor("cursor is not a value this server returned")
        return cls(base, after, upper, schema)


@dataclass
class PullPage:
    changes: dict[str, dict[str, list[Any]]]
    timestamp: int
    has_more: bool
    next_cursor: str | None
    schema_version: int
    counts: dict[str, int] = field(default_factory=dict)


async def start(
    session: AsyncSession,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    last_pulled_at: int,
    schema_version: int,
) -> PageCursor:
    """Check access and the cursor's age, and fix the pull's upper end."""
    await project_role(session, user_id, project_id)
    upper = await high_water(session, project_id, [t.table for t in synced_tables()])
    if last_pulled_at:
        floor = await session.scalar(
            select(ProjectSyncFloor.floor_seq).where(ProjectSyncFloor.project_id == project_id)
        )
        if floor and last_pulled_at < floor:
            raise ResyncRequired(
                "deletions older than your cursor were purged; pull again without "
                "last_pulled_at and replace the local copy of this project",
                int(floor),
            )
        if last_pulled_at > upper:
            raise ResyncRequired(
                "this cursor is ahead of the server (restored database or another "
                "server); pull again without last_pulled_at",
                int(floor or 0),
            )
    return PageCursor(last_pulled_at, last_pulled_at, upper, schema_version)


async def page(
    session: AsyncSession,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    cursor: PageCursor,
    page_size: int,
) -> PullPage:
    """One page of the slice `(cursor.after, cursor.upper]`, across every synced table."""
    await project_role(session, user_id, project_id)
    tables = synced_tables(cursor.schema_version)
    full = cursor.base == 0
    end, has_more = await _page_end(session, tables, project_id, cursor, page_size, full)
    fetched: list[tuple[int, SyncedTable, Any]] = []
    for entry in tables:
        for row in await _rows(session, entry, project_id, cursor.after, end, full):
            fetched.append((row.sync_seq, entry, row))
    fetched.sort(key=lambda item: item[0])
    chosen = fetched
    changes: dict[str, dict[str, list[Any]]] = {
        t.name: {"created": [], "updated": [], "deleted": []} for t in tables
    }
    for entry in tables:
        rows = [row for _, e, row in chosen if e is entry]
        extras = (
            await entry.virtual(session, [r for r in rows if not r.is_deleted])
            if (entry.virtual and rows)
            else {}
        )
        bucket = changes[entry.name]
        for row in rows:
            if row.is_deleted:
                bucket["deleted"].append(str(row.id))
                continue
            record = _record(entry, row, extras.get(row.id, {}))
            kind = "created" if full or row.server_version == 1 else "updated"
            bucket[kind].append(record)
    following = PageCursor(cursor.base, end, cursor.upper, cursor.schema_version)
    return PullPage(
        changes=changes,
        timestamp=cursor.upper,
        has_more=has_more,
        next_cursor=following.encode() if has_more else None,
        schema_version=cursor.schema_version,
        counts={t.name: sum(1 for _, e, _ in chosen if e is t) for t in tables},
    )


def _in_slice(
    entry: SyncedTable, project_id: uuid.UUID, after: int, upto: int, full: bool
) -> list[Any]:
    seq = entry.table.c.sync_seq
    where = [belongs_to(entry.table, entry.key, project_id), seq > after, seq <= upto]
    if full:
        where.append(entry.table.c.is_deleted.is_(False))
    return where


async def _page_end(
    session: AsyncSession,
    tables: list[SyncedTable],
    project_id: uuid.UUID,
    cursor: PageCursor,
    page_size: int,
    full: bool,
) -> tuple[int, bool]:
    """The last `sync_seq` of this page and whether more follow: one index-only query over
    every table's numbers, so the row queries then fetch exactly the page."""
    numbers = union_all(
        *(
            select(t.table.c.sync_seq.label("seq")).where(
                *_in_slice(t, project_id, cursor.after, cursor.upper, full)
            )
            for t in tables
        )
    ).subquery()
    stmt = select(numbers.c.seq).order_by(numbers.c.seq).offset(page_size - 1).limit(2)
    found = list((await session.execute(stmt)).scalars())
    if len(found) < 2:
        return cursor.upper, False
    return int(found[0]), True


async def _rows(
    session: AsyncSession,
    entry: SyncedTable,
    project_id: uuid.UUID,
    after: int,
    upto: int,
    full: bool,
) -> list[Any]:
    # Core rows (attribute access by column name) rather than ORM objects: a full pull of a
    # large project is dominated by row materialization.
    stmt = select(entry.table).where(*_in_slice(entry, project_id, after, upto, full))
    return list((await session.execute(stmt)).all())


def _record(entry: SyncedTable, row: Any, extra: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {"id": str(row.id)}
    for name in entry.columns:
        value = extra[name] if name in extra else getattr(row, name, None)
        record[name] = to_wire(value)
    record["server_version"] = row.server_version
    return record
