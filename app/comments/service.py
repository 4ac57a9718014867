"""Comment use cases. Team Members and above comment; authors edit and delete their own;
Project Admins (and so workspace owners/admins) may delete anyone's. Services never commit."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import visible_projects
from app.comments.render import FORMATS, render
from app.errors import FieldProblem, ForbiddenError, NotFoundError, ValidationFailed
from app.models import Comment
from app.models.enums import Role
from app.tasks.repository import load_task
from app.versioning import soft_delete, versioned_update

MAX_BODY = 20_000


def _checked_body(body: str, format: str) -> str:
    problems = []
    if not body.strip():
        problems.append(FieldProblem(("input", "body"), "must not be empty"))
    elif len(body) > MAX_BODY:
        problems.append(FieldProblem(("input", "body"), f"must be at most {MAX_BODY} characters"))
    if format not in FORMATS:
        problems.append(FieldProblem(("input", "format"), "must be plain or markdown"))
    if problems:
        raise ValidationFailed(problems)
    return body


def visible_comments(user_id: uuid.UUID) -> Select[Comment, int]:
    """Live comments of live projects the user may see, with the user's role."""
    visible = visible_projects(user_id).subquery()
    return (
        select(Comment, visible.c.role)
        .join(visible, visible.c.project_id == Comment.project_id)
        .where(Comment.is_deleted.is_(False))
    )


async def load_comment(
    session: AsyncSession, user_id: uuid.UUID, comment_id: uuid.UUID
) -> tuple[Comment, Role]:
    stmt = visible_comments(user_id).where(Comment.id == comment_id)
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        raise NotFoundError("comment not found")
    return row[0], Role(row[1])


async def create_comment(
    session: AsyncSession,
    user_id: uuid.UUID,
    task_id: uuid.UUID,
    body: str,
    format: str,
    *,
    comment_id: uuid.UUID | None = None,
) -> Comment:
    """Comment on a live task (Team Member); the HTML is rendered and sanitized here.
    `comment_id` is the row's id when the client chose it (offline sync)."""
    task, role = await load_task(session, user_id, task_id)
    if role < Role.TEAM_MEMBER:
        raise ForbiddenError("this needs the Team Member role on the project")
    _checked_body(body, format)
    comment = Comment(
        project_id=task.project_id,
        task_id=task.id,
        author_id=user_id,
        body=body,
        format=format,
        body_html=render(body, format),
    )
    if comment_id is not None:
        comment.id = comment_id
    session.add(comment)
    await session.flush()
    return comment


async def update_comment(
    session: AsyncSession,
    user_id: uuid.UUID,
    comment_id: uuid.UUID,
    body: str | None,
    format: str | None,
    expected_version: int | None,
) -> Comment:
    """Edit one's own comment (still needing the Team Member role to write)."""
    comment, role = await load_comment(session, user_id, comment_id)
    if comment.author_id != user_id or role < Role.TEAM_MEMBER:
        raise ForbiddenError("only its author may edit a comment")
    new_body = comment.body if body is None else body
    new_format = comment.format if format is None else format
    _checked_body(new_body, new_format)
    values = {"body": new_body, "format": new_format, "body_html": render(new_body, new_format)}
    return await versioned_update(
        session, Comment, comment_id, values, expected_version=expected_version, label="comment"
    )


async def delete_comment(
    session: AsyncSession, user_id: uuid.UUID, comment_id: uuid.UUID, expected_version: int | None
) -> Comment:
    """Tombstone a comment: its author, or a Project Admin for anyone's."""
    comment, role = await load_comment(session, user_id, comment_id)
    own = comment.author_id == user_id and role >= Role.TEAM_MEMBER
    if not own and role < Role.PROJECT_ADMIN:
        raise ForbiddenError("only its author or a project admin may delete a comment")
    return await soft_delete(
        session, Comment, comment_id, expected_version=expected_version, label="comment"
    )
