"""Programs: optional groupings of projects, with roles inherited by their projects.

Any workspace member may create a program and becomes its Project Admin-level member. Editing
needs Project Manager on the program, deleting (soft) needs Project Admin and an empty program,
so no project is left pointing at a program that no longer exists.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import program_role_column, program_scope_clause, workspace_role
from app.errors import FieldProblem, ForbiddenError, NotFoundError, ValidationFailed
from app.models import Program, ProgramMember, Project, WorkspaceMember
from app.models.enums import Role
from app.versioning import soft_delete, versioned_update
from app.workspaces.roles import Scope


async def require_role(
    session: AsyncSession, user_id: uuid.UUID, program_id: uuid.UUID, minimum: Role
) -> Role:
    """The caller's program role, at least `minimum`.

    Every workspace member sees the workspace's programs, so a member without a sufficient
    program role is Forbidden; only outsiders get NotFound.
    """
    in_workspace = (
        select(WorkspaceMember.id)
        .where(
            WorkspaceMember.workspace_id == Program.workspace_id,
            WorkspaceMember.user_id == user_id,
        )
        .exists()
    )
    stmt = select(program_role_column(user_id)).where(
        Program.id == program_id,
        Program.is_deleted.is_(False),
        in_workspace,
        program_scope_clause(user_id),
    )
    found = (await session.execute(stmt)).one_or_none()
    if found is None:
        raise NotFoundError("program not found")
    role = found[0]
    if role is None or role < minimum:
        raise ForbiddenError(
            f"this needs the {minimum.name.replace('_', ' ').title()} role on the program"
        )
    return Role(role)


def _clean(name: str | None, description: str | None) -> dict[str, str]:
    problems = []
    values: dict[str, str] = {}
    if name is not None:
        values["name"] = name.strip()
        if not values["name"]:
            problems.append(FieldProblem(("name",), "must not be blank"))
        elif len(values["name"]) > 200:
            problems.append(FieldProblem(("name",), "must be at most 200 characters"))
    if description is not None:
        values["description"] = description
        if len(description) > 4000:
            problems.append(FieldProblem(("description",), "must be at most 4000 characters"))
    if problems:
        raise ValidationFailed(problems)
    return values


async def create_program(
    session: AsyncSession,
    user_id: uuid.UUID,
    workspace_id: uuid.UUID,
    name: str,
    description: str = "",
) -> Program:
    """A new program in a workspace the caller belongs to; the caller becomes its admin."""
    await workspace_role(session, user_id, workspace_id)
    program = Program(workspace_id=workspace_id, **_clean(name, description))
    session.add(program)
    await session.flush()
    session.add(ProgramMember(program_id=program.id, user_id=user_id, role=int(Role.PROJECT_ADMIN)))
    await session.flush()
    return program


async def update_program(
    session: AsyncSession,
    user_id: uuid.UUID,
    program_id: uuid.UUID,
    name: str | None,
    description: str | None,
    expected_version: int | None,
) -> Program:
    """Rename or redescribe a program (Project Manager on the program)."""
    await require_role(session, user_id, program_id, Role.PROJECT_MANAGER)
    return await versioned_update(
        session,
        Program,
        program_id,
        _clean(name, description),
        expected_version=expected_version,
        label="program",
    )


async def delete_program(
    session: AsyncSession, user_id: uuid.UUID, program_id: uuid.UUID, expected_version: int | None
) -> Program:
    """Soft-delete an empty program (Project Admin on the program)."""
    await require_role(session, user_id, program_id, Role.PROJECT_ADMIN)
    count = await session.execute(
        select(func.count())
        .select_from(Project)
        .where(Project.program_id == program_id, Project.is_deleted.is_(False))
    )
    live = count.scalar_one()
    if live:
        raise ValidationFailed.single(
            "id", f"the program still has {live} project(s); move or delete them first"
        )
    return await soft_delete(
        session, Program, program_id, expected_version=expected_version, label="program"
    )


async def member_scope(session: AsyncSession, user_id: uuid.UUID, program_id: uuid.UUID) -> Scope:
    """The program's membership scope, for a caller who may manage members (Project Manager)."""
    role = await require_role(session, user_id, program_id, Role.PROJECT_MANAGER)
    workspace_id = (
        await session.execute(select(Program.workspace_id).where(Program.id == program_id))
    ).scalar_one()
    return Scope(ProgramMember, program_id, workspace_id, role, "program")
