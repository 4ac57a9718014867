"""Relay-style connections with keyset pagination and a page-size cap."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from graphql import GraphQLError
from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from app.settings import Settings

N = TypeVar("N")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo
    total_count: int

    @strawberry.field
    def nodes(self) -> list[N]:
        return [edge.node for edge in self.edges]


def _encode_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "u" in value:
            return uuid.UUID(value["u"])
        if "t" in value:
            return dt.datetime.fromisoformat(value["t"])
        if "d" in value:
            return dt.date.fromisoformat(value["d"])
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str, width: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(values, list) or len(values) != width:
            raise ValueError
        return [_decode_value(v) for v in values]
    except (ValueError, TypeError):
        raise GraphQLError("invalid cursor", extensions={"code": "BAD_USER_INPUT"}) from None


def page_size(settings: Settings, first: int | None) -> int:
    if first is None:
        return settings.page_size_default
    if first < 1 or first > settings.page_size_max:
        raise GraphQLError(
            f"`first` must be between 1 and {settings.page_size_max}",
            extensions={"code": "BAD_USER_INPUT"},
        )
    return first


async def paginate(
    session: AsyncSession,
    settings: Settings,
    stmt: Select[Any],
    keys: Sequence[ColumnElement[Any]],
    to_node: Callable[[Any], N],
    *,
    first: int | None,
    after: str | None,
) -> Connection[N]:
    """Page through `stmt` (selecting one entity) ordered by `keys` (unique together)."""
    limit = page_size(settings, first)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    paged = stmt.order_by(*keys)
    if after is not None:
        paged = paged.where(tuple_(*keys) > tuple_(*decode_cursor(after, len(keys))))
    rows = (await session.execute(paged.add_columns(*keys).limit(limit + 1))).all()
    edges = [
        Edge(cursor=encode_cursor(list(row[1:])), node=to_node(row[0])) for row in rows[:limit]
    ]
    return connection(edges, has_next=len(rows) > limit, after=after, total=total)


def connection(
    edges: list[Edge[N]], *, has_next: bool, after: str | None, total: int
) -> Connection[N]:
    """A page of `edges` (in order) with its page info."""
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )
