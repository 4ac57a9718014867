"""Queries of task comments: a task's comments, oldest first, paginated."""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy import select

from app.comments.service import visible_comments
from app.models import Comment as CommentModel
from app.models import Task as TaskModel
from graph.comments.types import Comment
from graph.context import Info
from graph.pagination import Connection, paginate
from graph.tasks.inputs import ref


@strawberry.type
class CommentQuery:
    @strawberry.field(description="A task's live comments, oldest first (any project role).")
    async def comments(
        self,
        info: Info,
        task_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Comment]:
        user_id = info.context.require_user()
        task = ref(task_id) or uuid.UUID(int=0)
        live_task = select(TaskModel.id).where(
            TaskModel.id == task, TaskModel.is_deleted.is_(False)
        )
        stmt = visible_comments(user_id).where(CommentModel.task_id.in_(live_task))
        async with info.context.session() as session:
            return await paginate(
                session,
                info.context.settings,
                stmt.with_only_columns(CommentModel),
                [CommentModel.created_at.expression, CommentModel.id.expression],
                Comment.from_model,
                first=first,
                after=after,
            )
