"""Object-level authorization, expressed inside the queries themselves.

A user's effective role on a project is, in order: their project membership, else their
membership of the project's program, else Project Admin when they administer the workspace.
Anything without an effective role is invisible: callers get "not found", never a hint that
the object exists.

An API token limited to one project or program (`app/auth/principal.py`) narrows this further:
the owner's role counts only inside that scope; projects and programs outside it and every
workspace-level object are not found, and it cannot create workspaces.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Select, and_, case, false, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from app.auth.principal import token_scope
from app.errors import ForbiddenError, NotFoundError
from app.models import Program, ProgramMember, Project, ProjectMember, WorkspaceMember
from app.models.enums import Role, WorkspaceRole

_ADMIN_ROLES = (WorkspaceRole.OWNER.value, WorkspaceRole.ADMIN.value)


def _workspace_admin_role(
    user_id: uuid.UUID, workspace_col: InstrumentedAttribute[uuid.UUID]
) -> ColumnElement[int]:
    admin = (
        select(WorkspaceMember.id)
        .where(
            WorkspaceMember.workspace_id == workspace_col,
            WorkspaceMember.user_id == user_id,
            WorkspaceMember.role.in_(_ADMIN_ROLES),
        )
        .exists()
    )
    return case((admin, int(Role.PROJECT_ADMIN)), else_=None)


def project_scope_clause(user_id: uuid.UUID) -> ColumnElement[bool]:
    """On `Project`: inside the scope of the token acting for `user_id` (true when unscoped)."""
    scope = token_scope(user_id)
    if scope is None:
        return true()
    if scope.project_id is not None:
        return Project.id == scope.project_id
    return Project.program_id == scope.program_id


def program_scope_clause(user_id: uuid.UUID) -> ColumnElement[bool]:
    """On `Program`: the token's program; nothing for a project-scoped token."""
    scope = token_scope(user_id)
    if scope is None:
        return true()
    if scope.program_id is None:
        return false()
    return Program.id == scope.program_id


def workspace_scope_clause(user_id: uuid.UUID) -> ColumnElement[bool]:
    """Workspace-level objects are outside every project or program scope."""
    return true() if token_scope(user_id) is None else false()


def require_unscoped(user_id: uuid.UUID, action: str) -> None:
    """Refuse an action that belongs to no project or program (e.g. creating a workspace)."""
    if token_scope(user_id) is not None:
        raise ForbiddenError(f"an API token limited to one project or program cannot {action}")


def _narrowed(role: ColumnElement[int], clause: ColumnElement[bool]) -> ColumnElement[int]:
    return case((clause, role), else_=None)


def project_role_column(user_id: uuid.UUID) -> ColumnElement[int]:
    """A correlated expression: the user's effective role on `Project` (NULL = invisible)."""
    direct = (
        select(ProjectMember.role)
        .where(ProjectMember.project_id == Project.id, ProjectMember.user_id == user_id)
        .scalar_subquery()
    )
    # A deleted program grants nothing (a trashed project may still point at one).
    via_program = (
        select(ProgramMember.role)
        .join(Program, Program.id == ProgramMember.program_id)
        .where(
            ProgramMember.program_id == Project.program_id,
            ProgramMember.user_id == user_id,
            Program.is_deleted.is_(False),
        )
        .scalar_subquery()
    )
    role = func.coalesce(direct, via_program, _workspace_admin_role(user_id, Project.workspace_id))
    if token_scope(user_id) is None:
        return role
    return _narrowed(role, project_scope_clause(user_id))


def visible_projects(user_id: uuid.UUID, *, deleted: bool = False) -> Select[tuple[uuid.UUID, int]]:
    """`(project_id, role)` for every project the user may see."""
    role = project_role_column(user_id).label("role")
    inner = select(Project.id.label("project_id"), role).where(Project.is_deleted.is_(deleted))
    sub = inner.subquery()
    return select(sub.c.project_id, sub.c.role).where(sub.c.role.is_not(None))


async def project_role(
    session: AsyncSession, user_id: uuid.UUID, project_id: uuid.UUID, *, deleted: bool = False
) -> Role:
    """The user's role on a live (or, with `deleted`, trashed) project, or NotFound."""
    stmt = select(project_role_column(user_id)).where(
        Project.id == project_id, Project.is_deleted.is_(deleted)
    )
    role = (await session.execute(stmt)).scalar_one_or_none()
    if role is None:
        raise NotFoundError("project not found")
    return Role(role)


async def require_project_role(
    session: AsyncSession,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    minimum: Role,
    *,
    deleted: bool = False,
) -> Role:
    role = await project_role(session, user_id, project_id, deleted=deleted)
    if role < minimum:
        raise ForbiddenError(
            f"this needs the {minimum.name.replace('_', ' ').title()} role on the project"
        )
    return role


def program_role_column(user_id: uuid.UUID) -> ColumnElement[int]:
    direct = (
        select(ProgramMember.role)
        .where(ProgramMember.program_id == Program.id, ProgramMember.user_id == user_id)
        .scalar_subquery()
    )
    role = func.coalesce(direct, _workspace_admin_role(user_id, Program.workspace_id))
    if token_scope(user_id) is None:
        return role
    return _narrowed(role, program_scope_clause(user_id))


async def require_program_role(
    session: AsyncSession, user_id: uuid.UUID, program_id: uuid.UUID, minimum: Role
) -> Role:
    stmt = select(program_role_column(user_id)).where(
        Program.id == program_id, Program.is_deleted.is_(False)
    )
    role = (await session.execute(stmt)).scalar_one_or_none()
    if role is None:
        raise NotFoundError("program not found")
    if role < minimum:
        raise ForbiddenError("your role on this program does not allow this")
    return Role(role)


async def workspace_role(
    session: AsyncSession, user_id: uuid.UUID, workspace_id: uuid.UUID
) -> WorkspaceRole:
    stmt = select(WorkspaceMember.role).where(
        and_(WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.user_id == user_id),
        workspace_scope_clause(user_id),
    )
    role = (await session.execute(stmt)).scalar_one_or_none()
    if role is None:
        raise NotFoundError("workspace not found")
    return WorkspaceRole(role)


async def require_workspace_admin(
    session: AsyncSession, user_id: uuid.UUID, workspace_id: uuid.UUID
) -> WorkspaceRole:
    role = await workspace_role(session, user_id, workspace_id)
    if role.value not in _ADMIN_ROLES:
        raise ForbiddenError("only workspace owners and admins may do this")
    return role


async def pool_role(session: AsyncSession, user_id: uuid.UUID, workspace_id: uuid.UUID) -> Role:
    """The user's role on a workspace's resource pool: the highest effective role on any live
    project of the workspace (an owner or admin of the workspace: Project Admin, projects or
    not). NotFound when the user has none, as for any invisible object."""
    best = select(func.max(project_role_column(user_id))).where(
        Project.workspace_id == workspace_id, Project.is_deleted.is_(False)
    )
    admin = select(WorkspaceMember.id).where(
        WorkspaceMember.workspace_id == workspace_id,
        WorkspaceMember.user_id == user_id,
        WorkspaceMember.role.in_(_ADMIN_ROLES),
        workspace_scope_clause(user_id),
    )
    role, is_admin = (await session.execute(select(best.scalar_subquery(), admin.exists()))).one()
    levels = [r for r in (role, Role.PROJECT_ADMIN if is_admin else None) if r is not None]
    if not levels:
        raise NotFoundError("workspace not found")
    return Role(max(levels))


async def require_pool_role(
    session: AsyncSession, user_id: uuid.UUID, workspace_id: uuid.UUID, minimum: Role
) -> Role:
    role = await pool_role(session, user_id, workspace_id)
    if role < minimum:
        raise ForbiddenError(
            f"this needs the {minimum.name.replace('_', ' ').title()} role on a project of "
            "the workspace"
        )
    return role
