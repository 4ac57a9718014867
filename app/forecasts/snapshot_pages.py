"""Reading a project's forecast snapshot history a page at a time (the REST route's query).

Snapshots are listed oldest first over a range of UTC days, in pages keyed on
`(captured_at, id)`: a page boundary never skips or repeats a row, even when new snapshots are
captured between two requests (they sort after every row already sent). The caller's role on
the project is checked in the same session; a project the caller cannot see is `NotFound`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import project_role
from app.errors import AppError
from app.models import ProjectForecastSnapshot

__all__ = ["BadSnapshotQuery", "SnapshotCursor", "SnapshotPage", "list_snapshots"]


class BadSnapshotQuery(AppError):
    """A range or cursor the server cannot answer; `parameter` names the offending one."""

    code = "bad_request"

    def __init__(self, message: str, parameter: str) -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class SnapshotCursor:
    """The last row a page sent: the next page starts strictly after it."""

    captured_at: dt.datetime
    id: uuid.UUID

    def encode(self) -> str:
        raw = f"{self.captured_at.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> SnapshotCursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            stamp, _, ident = raw.partition("|")
            captured_at = dt.datetime.fromisoformat(stamp)
            row_id = uuid.UUID(ident)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise BadSnapshotQuery("cursor is not a value this server returned", "cursor") from None
        if captured_at.tzinfo is None:
            raise BadSnapshotQuery("cursor is not a value this server returned", "cursor")
        return cls(captured_at, row_id)


@dataclass(frozen=True)
class SnapshotPage:
    snapshots: list[ProjectForecastSnapshot]
    has_more: bool
    next_cursor: str | None


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


async def list_snapshots(
    session: AsyncSession,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int,
    cursor: SnapshotCursor | None = None,
) -> SnapshotPage:
    """Up to `limit` snapshots captured on the UTC days `since`…`until` (both inclusive, each
    optional), oldest first, after `cursor`. Any project role may read them."""
    if since is not None and until is not None and since > until:
        raise BadSnapshotQuery("since must not be after until", "since")
    await project_role(session, user_id, project_id)
    model = ProjectForecastSnapshot
    stmt = select(model).where(model.project_id == project_id)
    if since is not None:
        stmt = stmt.where(model.captured_at >= _day_start(since))
    if until is not None and until < dt.date.max:
        stmt = stmt.where(model.captured_at < _day_start(until + dt.timedelta(days=1)))
    if cursor is not None:
        stmt = stmt.where(tuple_(model.captured_at, model.id) > (cursor.captured_at, cursor.id))
    stmt = stmt.order_by(model.captured_at, model.id).limit(limit + 1)
    rows = list((await session.execute(stmt)).scalars())
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = SnapshotCursor(rows[-1].captured_at, rows[-1].id).encode() if has_more else None
    return SnapshotPage(rows, has_more, next_cursor)
