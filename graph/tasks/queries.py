"""Queries of the task domain: tasks in WBS order, single tasks, dependency links.

Visibility is part of every statement (joined on the caller's effective project role), so a
non-member gets an empty page or null, never another project's data.
"""

from __future__ import annotations

import uuid

import strawberry
from graphql import GraphQLError
from sqlalchemy import select

from app.authz import visible_projects
from app.errors import NotFoundError
from app.models import Dependency as DependencyModel
from app.models import Task as TaskModel
from app.tasks.order import ORDERS, version_of
from app.tasks.repository import parse_id, visible_tasks
from graph.context import Info
from graph.pagination import (
    Connection,
    Edge,
    connection,
    decode_cursor,
    encode_cursor,
    page_size,
    paginate,
)
from graph.tasks.types import Dependency, Task

_NOWHERE = uuid.UUID(int=0)


def lookup_id(raw: strawberry.ID) -> uuid.UUID:
    """A client id for a lookup; a malformed id simply matches nothing."""
    try:
        return parse_id(raw, "object")
    except NotFoundError:
        return _NOWHERE


@strawberry.type
class TaskQuery:
    @strawberry.field(description="A project's live tasks in WBS order (ranked path order).")
    async def tasks(
        self,
        info: Info,
        project_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Task]:
        user_id = info.context.require_user()
        project = lookup_id(project_id)
        limit = page_size(info.context.settings, first)
        key = decode_cursor(after, 2) if after is not None else None
        if key is not None and not (isinstance(key[0], str) and isinstance(key[1], uuid.UUID)):
            raise GraphQLError("invalid cursor", extensions={"code": "BAD_USER_INPUT"})
        async with info.context.session() as session:
            visible = visible_projects(user_id).subquery()
            seen = (
                await session.execute(
                    select(visible.c.project_id, version_of(project)).where(
                        visible.c.project_id == project
                    )
                )
            ).one_or_none()
            if seen is None:
                return connection([], has_next=False, after=after, total=0)
            # The order from the process's cache (app/tasks/order.py); the page's rows only.
            ordered = await ORDERS.of(session, project, int(seen[1]))
            start = ordered.after((key[0], key[1]) if key is not None else None)
            ids = ordered.ids[start : start + limit + 1]
            rows = await session.scalars(
                select(TaskModel).where(
                    TaskModel.id.in_(ids[:limit]), TaskModel.is_deleted.is_(False)
                )
            )
            found = {task.id: task for task in rows}
        edges = [
            Edge(
                cursor=encode_cursor([ordered.sort_key[tid], tid]),
                node=Task.from_model(found[tid], ordered.outline[tid]),
            )
            for tid in ids[:limit]
            if tid in found
        ]
        return connection(edges, has_next=len(ids) > limit, after=after, total=len(ordered.ids))

    @strawberry.field(description="One live task, or null when absent or not visible.")
    async def task(self, info: Info, id: strawberry.ID) -> Task | None:
        user_id = info.context.require_user()
        async with info.context.session() as session:
            stmt = visible_tasks(user_id).where(TaskModel.id == lookup_id(id))
            row = (await session.execute(stmt)).one_or_none()
        return Task.from_model(row[0]) if row else None

    @strawberry.field(description="A project's live dependency links, oldest first.")
    async def dependencies(
        self,
        info: Info,
        project_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Dependency]:
        user_id = info.context.require_user()
        visible = visible_projects(user_id).subquery()
        stmt = (
            select(DependencyModel)
            .join(visible, visible.c.project_id == DependencyModel.project_id)
            .where(
                DependencyModel.project_id == lookup_id(project_id),
                DependencyModel.is_deleted.is_(False),
            )
        )
        async with info.context.session() as session:
            return await paginate(
                session,
                info.context.settings,
                stmt,
                [DependencyModel.created_at.expression, DependencyModel.id.expression],
                Dependency.from_model,
                first=first,
                after=after,
            )

    @strawberry.field(description="One live dependency link, or null.")
    async def dependency(self, info: Info, id: strawberry.ID) -> Dependency | None:
        user_id = info.context.require_user()
        visible = visible_projects(user_id).subquery()
        stmt = (
            select(DependencyModel)
            .join(visible, visible.c.project_id == DependencyModel.project_id)
            .where(DependencyModel.id == lookup_id(id), DependencyModel.is_deleted.is_(False))
        )
        async with info.context.session() as session:
            link = (await session.execute(stmt)).scalar_one_or_none()
        return Dependency.from_model(link) if link else None
