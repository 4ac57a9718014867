"""GraphQL types of task comments."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.models import Comment as CommentModel
from app.models.enums import CommentFormat

strawberry.enum(CommentFormat)


@strawberry.type(description="A comment on a task.")
class Comment:
    id: strawberry.ID
    project_id: strawberry.ID
    task_id: strawberry.ID
    author_id: strawberry.ID | None = strawberry.field(
        description="Null once the author's account is gone."
    )
    body: str = strawberry.field(description="The source as written (plain text or markdown).")
    format: CommentFormat
    body_html: str = strawberry.field(
        description="Server-rendered, sanitized HTML of `body`: safe to insert into a page."
    )
    server_version: int
    is_deleted: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, comment: CommentModel) -> Comment:
        return cls(
            id=strawberry.ID(str(comment.id)),
            project_id=strawberry.ID(str(comment.project_id)),
            task_id=strawberry.ID(str(comment.task_id)),
            author_id=strawberry.ID(str(comment.author_id)) if comment.author_id else None,
            body=comment.body,
            format=CommentFormat(comment.format),
            body_html=comment.body_html,
            server_version=comment.server_version,
            is_deleted=comment.is_deleted,
            created_at=comment.created_at,
            updated_at=comment.updated_at,
        )


@strawberry.type
class CommentPayload:
    comment: Comment
