"""Mutations of task comments; each publishes a comment event after its commit."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.comments import service
from app.comments.events import announce as _announce
from app.events.types import EventType
from app.models.enums import CommentFormat
from app.state import UnitOfWork
from app.tasks.repository import parse_id
from graph.comments.types import Comment, CommentPayload
from graph.context import Info
from graph.errors import Conflict, Forbidden, NotFound, ValidationError, run_mutation

CommentResult = Annotated[
    CommentPayload | NotFound | Forbidden | ValidationError | Conflict,
    strawberry.union("CommentResult"),
]


@strawberry.input
class CreateCommentInput:
    task_id: strawberry.ID
    body: str
    format: CommentFormat = CommentFormat.PLAIN


@strawberry.input
class UpdateCommentInput:
    body: str | None = None
    format: CommentFormat | None = None


@strawberry.type
class CommentMutation:
    @strawberry.mutation(description="Comment on a task (Team Member).")
    async def create_comment(self, info: Info, input: CreateCommentInput) -> CommentResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> CommentPayload:
            comment = await service.create_comment(
                uow.session,
                user_id,
                parse_id(input.task_id, "task"),
                input.body,
                CommentFormat(input.format).value,
            )
            _announce(uow, EventType.COMMENT_CREATED, comment, user_id)
            return CommentPayload(comment=Comment.from_model(comment))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Edit your own comment; omitted fields are kept.")
    async def update_comment(
        self,
        info: Info,
        id: strawberry.ID,
        input: UpdateCommentInput,
        server_version: int | None = None,
    ) -> CommentResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> CommentPayload:
            fmt = CommentFormat(input.format).value if input.format is not None else None
            comment = await service.update_comment(
                uow.session, user_id, parse_id(id, "comment"), input.body, fmt, server_version
            )
            _announce(uow, EventType.COMMENT_UPDATED, comment, user_id)
            return CommentPayload(comment=Comment.from_model(comment))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Soft-delete a comment: your own, or anyone's as a Project Admin."
    )
    async def delete_comment(
        self, info: Info, id: strawberry.ID, server_version: int | None = None
    ) -> CommentResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> CommentPayload:
            comment = await service.delete_comment(
                uow.session, user_id, parse_id(id, "comment"), server_version
            )
            _announce(uow, EventType.COMMENT_DELETED, comment, user_id)
            return CommentPayload(comment=Comment.from_model(comment))

        return await run_mutation(info, work)  # type: ignore[return-value]
