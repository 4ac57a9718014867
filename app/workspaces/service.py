"""Workspaces: creation, renaming and membership."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import ValidationFailed
from app.models import Workspace, WorkspaceMember
from app.models.enums import WorkspaceRole


def clean_name(name: str, field: str = "name", limit: int = 200) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise ValidationFailed.single(field, "must not be blank")
    if len(cleaned) > limit:
        raise ValidationFailed.single(field, f"must be at most {limit} characters")
    return cleaned


async def create_workspace(session: AsyncSession, user_id: uuid.UUID, name: str) -> Workspace:
    workspace = Workspace(name=clean_name(name))
    session.add(workspace)
    await session.flush()
    session.add(
        WorkspaceMember(workspace_id=workspace.id, user_id=user_id, role=WorkspaceRole.OWNER.value)
    )
    await session.flush()
    return workspace


async def user_workspaces(session: AsyncSession, user_id: uuid.UUID) -> list[Workspace]:
    stmt = (
        select(Workspace)
        .join(WorkspaceMember, WorkspaceMember.workspace_id == Workspace.id)
        .where(WorkspaceMember.user_id == user_id, Workspace.is_deleted.is_(False))
        .order_by(Workspace.created_at, Workspace.id)
    )
    return list((await session.execute(stmt)).scalars())
