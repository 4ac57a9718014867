"""Role memberships of a project or a program, which follow the same rules.

A Project Manager manages members, but only a Project Admin may grant, change or take away the
Project Admin role, and the last explicit Project Admin can never be demoted or removed (so a
project always has somebody who can delete or restore it). Adding someone who is not yet in the
workspace adds them as a plain workspace member, as Jira and Linear do when you add a colleague
with an account to a project.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import log as audit
from app.auth.revocations import Revocation, revoke_after_commit
from app.errors import ForbiddenError, NotFoundError, ValidationFailed
from app.models import ProgramMember, Project, ProjectMember, User
from app.models.enums import Role
from app.state import UnitOfWork
from app.webhooks.outbox import record as record_webhook
from app.workspaces.service import ensure_workspace_member, find_user

MemberModel = type[ProjectMember] | type[ProgramMember]


@dataclass(frozen=True)
class Scope:
    """Where a membership lives and who is acting on it."""

    model: MemberModel
    scope_id: uuid.UUID
    workspace_id: uuid.UUID
    actor_role: Role
    label: str  # "project" or "program", for messages

    @property
    def column(self) -> Any:
        if self.model is ProjectMember:
            return ProjectMember.project_id
        return ProgramMember.program_id

    def record(
        self,
        session: AsyncSession,
        audit_event: str,
        user_id: uuid.UUID,
        role: Role | None,
        previous: Role | None = None,
    ) -> None:
        """The security audit entry of a membership change, and its webhook message
        (`member.added` for a new or changed role, `member.removed` with the role taken)
        for the project's endpoints (a program's members: the workspace's)."""
        details: dict[str, Any] = {
            "scope": self.label,
            f"{self.label}_id": self.scope_id,
            "role": role.name if role is not None else None,
        }
        if previous is not None:
            details["previous_role"] = previous.name
        audit.record(
            session,
            audit_event,
            actor_id=UnitOfWork.of(session).actor_id,
            user_id=user_id,
            workspace_id=self.workspace_id,
            details=details,
        )
        hook = "member.removed" if audit_event == "member.removed" else "member.added"
        shown = role or previous
        message = {
            "user_id": user_id,
            "scope": self.label,
            f"{self.label}_id": self.scope_id,
            "role": shown.name if shown is not None else None,
        }
        if self.model is ProjectMember:
            record_webhook(session, hook, message, project_id=self.scope_id)
        else:
            record_webhook(session, hook, message, workspace_id=self.workspace_id)

    def _guard_admin_role(self, *roles: Role | None) -> None:
        if Role.PROJECT_ADMIN in roles and self.actor_role < Role.PROJECT_ADMIN:
            raise ForbiddenError(
                f"only a Project Admin may grant or remove Project Admin on the {self.label}"
            )


async def add_member(
    session: AsyncSession,
    scope: Scope,
    role: Role,
    email: str | None,
    user_id: uuid.UUID | None,
) -> tuple[ProjectMember | ProgramMember, User]:
    """Give an existing account a role in the scope."""
    scope._guard_admin_role(role)
    user = await find_user(session, email, user_id)
    if await _current_role(session, scope, user.id) is not None:
        field = "email" if email is not None else "userId"
        raise ValidationFailed.single(
            field, f"is already a member of this {scope.label}; change their role instead"
        )
    await ensure_workspace_member(session, scope.workspace_id, user.id)
    values = {"user_id": user.id, "role": int(role), scope.column.key: scope.scope_id}
    member = scope.model(**values)
    session.add(member)
    await session.flush()
    scope.record(session, "member.added", user.id, role)
    return member, user


async def change_role(
    session: AsyncSession, scope: Scope, member_user_id: uuid.UUID, role: Role
) -> tuple[ProjectMember | ProgramMember, User]:
    """Change a member's role in the scope."""
    current = await _require_member(session, scope, member_user_id)
    scope._guard_admin_role(role, current)
    if current is Role.PROJECT_ADMIN and role is not Role.PROJECT_ADMIN:
        await _keep_an_admin(session, scope, "role")
    model = scope.model
    stmt = (
        update(model)
        .where(scope.column == scope.scope_id, model.user_id == member_user_id)
        .values(role=int(role))
        .returning(model)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    member = cast(ProjectMember | ProgramMember, (await session.execute(stmt)).scalar_one())
    user = (await session.execute(select(User).where(User.id == member_user_id))).scalar_one()
    if role is not current:
        scope.record(session, "member.role_changed", member_user_id, role, current)
    return member, user


async def remove_member(session: AsyncSession, scope: Scope, member_user_id: uuid.UUID) -> None:
    """Take a member's role in the scope away (they stay in the workspace)."""
    current = await _require_member(session, scope, member_user_id)
    scope._guard_admin_role(current)
    if current is Role.PROJECT_ADMIN:
        await _keep_an_admin(session, scope, "userId")
    model = scope.model
    await session.execute(
        delete(model).where(scope.column == scope.scope_id, model.user_id == member_user_id)
    )
    scope.record(session, "member.removed", member_user_id, None, current)
    # Their subscriptions to the scope's projects are checked again, on every API process.
    revoke_after_commit(
        session,
        Revocation(user_id=member_user_id, project_ids=await _projects_of(session, scope)),
    )


async def _projects_of(session: AsyncSession, scope: Scope) -> tuple[uuid.UUID, ...]:
    if scope.model is ProjectMember:
        return (scope.scope_id,)
    rows = await session.execute(select(Project.id).where(Project.program_id == scope.scope_id))
    return tuple(rows.scalars())


async def _current_role(
    session: AsyncSession, scope: Scope, member_user_id: uuid.UUID
) -> Role | None:
    model = scope.model
    stmt = select(model.role).where(scope.column == scope.scope_id, model.user_id == member_user_id)
    role = (await session.execute(stmt)).scalar_one_or_none()
    return None if role is None else Role(role)


async def _require_member(session: AsyncSession, scope: Scope, member_user_id: uuid.UUID) -> Role:
    role = await _current_role(session, scope, member_user_id)
    if role is None:
        raise NotFoundError(f"{scope.label} member not found")
    return role


async def _keep_an_admin(session: AsyncSession, scope: Scope, field: str) -> None:
    # Lock the admin rows so two concurrent demotions cannot both see "another admin left".
    model = scope.model
    admins = await session.execute(
        select(model.id)
        .where(scope.column == scope.scope_id, model.role == int(Role.PROJECT_ADMIN))
        .with_for_update()
    )
    if len(admins.all()) <= 1:
        raise ValidationFailed.single(
            field, f"the last Project Admin of the {scope.label} cannot be demoted or removed"
        )
