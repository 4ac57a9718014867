"""Workspaces: creation, renaming and membership (the tenant boundary).

Only owners and admins manage a workspace; only an owner may grant or take away ownership, and
the last owner can never leave. Removing someone from a workspace also removes their project
and program roles in it, because those roles would otherwise keep its projects visible.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import log as audit
from app.auth.revocations import Revocation, revoke_after_commit
from app.authz import (
    require_unscoped,
    require_workspace_admin,
    workspace_role,
    workspace_scope_clause,
)
from app.errors import ForbiddenError, NotFoundError, ValidationFailed
from app.models import (
    Program,
    ProgramMember,
    Project,
    ProjectMember,
    User,
    Workspace,
    WorkspaceMember,
)
from app.models.enums import WorkspaceRole
from app.versioning import versioned_update
from app.webhooks.outbox import record as record_webhook


def clean_name(name: str, field: str = "name", limit: int = 200) -> str:
    """`name` stripped; blank or over-long names are rejected naming `field`."""
    cleaned = name.strip()
    if not cleaned:
        raise ValidationFailed.single(field, "must not be blank")
    if len(cleaned) > limit:
        raise ValidationFailed.single(field, f"must be at most {limit} characters")
    return cleaned


async def create_workspace(session: AsyncSession, user_id: uuid.UUID, name: str) -> Workspace:
    """A new workspace owned by the caller."""
    require_unscoped(user_id, "create workspaces")
    workspace = Workspace(name=clean_name(name))
    session.add(workspace)
    await session.flush()
    session.add(
        WorkspaceMember(workspace_id=workspace.id, user_id=user_id, role=WorkspaceRole.OWNER.value)
    )
    await session.flush()
    return workspace


async def user_workspaces(session: AsyncSession, user_id: uuid.UUID) -> list[Workspace]:
    """Every live workspace the user belongs to, oldest first."""
    stmt = (
        select(Workspace)
        .join(WorkspaceMember, WorkspaceMember.workspace_id == Workspace.id)
        .where(
            WorkspaceMember.user_id == user_id,
            Workspace.is_deleted.is_(False),
            workspace_scope_clause(user_id),
        )
        .order_by(Workspace.created_at, Workspace.id)
    )
    return list((await session.execute(stmt)).scalars())


async def update_workspace(
    session: AsyncSession,
    user_id: uuid.UUID,
    workspace_id: uuid.UUID,
    name: str,
    expected_version: int | None,
) -> Workspace:
    """Rename a workspace (owner/admin)."""
    await require_workspace_admin(session, user_id, workspace_id)
    return await versioned_update(
        session,
        Workspace,
        workspace_id,
        {"name": clean_name(name)},
        expected_version=expected_version,
        label="workspace",
    )


async def find_user(session: AsyncSession, email: str | None, user_id: uuid.UUID | None) -> User:
    """The active account named by e-mail (case-insensitive) or id; exactly one must be given."""
    if (email is None) == (user_id is None):
        raise ValidationFailed.single("email", "give exactly one of email or userId")
    if email is not None:
        stmt = select(User).where(func.lower(User.email) == email.strip().lower())
        field = "email"
    else:
        stmt = select(User).where(User.id == user_id)
        field = "userId"
    user = (await session.execute(stmt)).scalar_one_or_none()
    if user is None or not user.is_active:
        raise ValidationFailed.single(field, "no active account matches")
    return user


async def ensure_workspace_member(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID
) -> None:
    """Make the user a plain member of the workspace unless they already belong to it."""
    existing = await session.execute(
        select(WorkspaceMember.id).where(
            WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.user_id == user_id
        )
    )
    if existing.scalar_one_or_none() is None:
        session.add(
            WorkspaceMember(
                workspace_id=workspace_id, user_id=user_id, role=WorkspaceRole.MEMBER.value
            )
        )
        await session.flush()


async def add_member(
    session: AsyncSession,
    user_id: uuid.UUID,
    workspace_id: uuid.UUID,
    email: str,
    role: WorkspaceRole,
) -> tuple[WorkspaceMember, User]:
    """Add an existing account to the workspace (owner/admin; only an owner grants owner)."""
    actor = await require_workspace_admin(session, user_id, workspace_id)
    if role is WorkspaceRole.OWNER and actor is not WorkspaceRole.OWNER:
        raise ForbiddenError("only a workspace owner may grant ownership")
    user = await find_user(session, email, None)
    existing = await session.execute(
        select(WorkspaceMember.id).where(
            WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.user_id == user.id
        )
    )
    if existing.scalar_one_or_none() is not None:
        raise ValidationFailed.single("email", "is already a member of this workspace")
    member = WorkspaceMember(workspace_id=workspace_id, user_id=user.id, role=role.value)
    session.add(member)
    await session.flush()
    data = {"user_id": user.id, "scope": "workspace", "role": role.name}
    record_webhook(session, "member.added", data, workspace_id=workspace_id, actor_id=user_id)
    audit.record(
        session,
        "member.added",
        actor_id=user_id,
        user_id=user.id,
        workspace_id=workspace_id,
        details={"scope": "workspace", "role": role.name},
    )
    return member, user


async def remove_member(
    session: AsyncSession, user_id: uuid.UUID, workspace_id: uuid.UUID, member_user_id: uuid.UUID
) -> None:
    """Remove a member and their project/program roles in this workspace (owner/admin)."""
    actor = await require_workspace_admin(session, user_id, workspace_id)
    try:
        target = await workspace_role(session, member_user_id, workspace_id)
    except NotFoundError:
        raise NotFoundError("member not found") from None
    if target is WorkspaceRole.OWNER:
        if actor is not WorkspaceRole.OWNER:
            raise ForbiddenError("only a workspace owner may remove an owner")
        owners = await session.execute(
            select(WorkspaceMember.id)
            .where(
                WorkspaceMember.workspace_id == workspace_id,
                WorkspaceMember.role == WorkspaceRole.OWNER.value,
            )
            .with_for_update()
        )
        if len(owners.all()) <= 1:
            raise ValidationFailed.single("userId", "the last owner cannot be removed")
    await _drop_roles(session, workspace_id, member_user_id)
    projects = await session.execute(select(Project.id).where(Project.workspace_id == workspace_id))
    revoke_after_commit(
        session, Revocation(user_id=member_user_id, project_ids=tuple(projects.scalars()))
    )
    data = {"user_id": member_user_id, "scope": "workspace", "role": target.name}
    record_webhook(session, "member.removed", data, workspace_id=workspace_id, actor_id=user_id)
    audit.record(
        session,
        "member.removed",
        actor_id=user_id,
        user_id=member_user_id,
        workspace_id=workspace_id,
        details={"scope": "workspace", "previous_role": target.name},
    )


async def _drop_roles(
    session: AsyncSession, workspace_id: uuid.UUID, member_user_id: uuid.UUID
) -> None:
    projects = select(Project.id).where(Project.workspace_id == workspace_id)
    programs = select(Program.id).where(Program.workspace_id == workspace_id)
    await session.execute(
        delete(ProjectMember).where(
            ProjectMember.user_id == member_user_id, ProjectMember.project_id.in_(projects)
        )
    )
    await session.execute(
        delete(ProgramMember).where(
            ProgramMember.user_id == member_user_id, ProgramMember.program_id.in_(programs)
        )
    )
    await session.execute(
        delete(WorkspaceMember).where(
            WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.user_id == member_user_id
        )
    )
