"""The effective-role matrix: project role > program role > workspace owner/admin.

Every combination of a program role, a project role and workspace administration, checked
through `project_role` (used by every mutation) and `visible_projects` (used by every list).
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pytest
from sqlalchemy import select, update

from app.authz import project_role, visible_projects
from app.errors import NotFoundError
from app.models import (
    Program,
    ProgramMember,
    Project,
    ProjectMember,
    User,
    Workspace,
    WorkspaceMember,
)
from app.models.enums import Role, WorkspaceRole
from app.state import AppState, unit_of_work

LEVELS: list[Role | None] = [None, *Role]
COMBINATIONS = list(itertools.product(LEVELS, LEVELS, [False, True]))


def expected(program: Role | None, project: Role | None, admin: bool) -> Role | None:
    if project is not None:
        return project
    if program is not None:
        return program
    return Role.PROJECT_ADMIN if admin else None


async def _world(db: AppState) -> tuple[uuid.UUID, uuid.UUID, dict[uuid.UUID, tuple]]:
    async with unit_of_work(db.sessions) as uow:
        session = uow.session
        workspace = Workspace(name="W")
        session.add(workspace)
        await session.flush()
        program = Program(workspace_id=workspace.id, name="P")
        session.add(program)
        await session.flush()
        project = Project(
            workspace_id=workspace.id,
            program_id=program.id,
            name="In program",
            start_date=dt.date(2026, 1, 5),
        )
        session.add(project)
        await session.flush()
        users: dict[uuid.UUID, tuple] = {}
        for i, combo in enumerate(COMBINATIONS):
            on_program, on_project, admin = combo
            user = User(
                email=f"m{i}-{uuid.uuid4().hex[:6]}@example.com", name="U", password_hash="x"
            )
            session.add(user)
            await session.flush()
            users[user.id] = combo
            ws_role = WorkspaceRole.ADMIN if admin else WorkspaceRole.MEMBER
            session.add(
                WorkspaceMember(workspace_id=workspace.id, user_id=user.id, role=ws_role.value)
            )
            if on_program is not None:
                session.add(
                    ProgramMember(program_id=program.id, user_id=user.id, role=int(on_program))
                )
            if on_project is not None:
                session.add(
                    ProjectMember(project_id=project.id, user_id=user.id, role=int(on_project))
                )
    return program.id, project.id, users


async def _effective(db: AppState, user_id: uuid.UUID, project_id: uuid.UUID) -> Role | None:
    async with db.sessions() as session:
        try:
            role = await project_role(session, user_id, project_id)
        except NotFoundError:
            role = None
        listed = (
            (await session.execute(select(visible_projects(user_id).subquery().c.role)))
            .scalars()
            .all()
        )
    # The list and the single-object check agree.
    assert listed == ([] if role is None else [int(role)])
    return role


async def test_effective_role_matrix(db: AppState) -> None:
    _, project_id, users = await _world(db)
    wrong = {}
    for user_id, combo in users.items():
        got = await _effective(db, user_id, project_id)
        if got != expected(*combo):
            wrong[combo] = got
    assert wrong == {}
    assert len(users) == 72


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PROJECT_ADMIN])
async def test_deleted_program_grants_nothing(db: AppState, role: Role) -> None:
    """A trashed project still pointing at a deleted program: the program role is gone."""
    program_id, project_id, users = await _world(db)
    program_only = next(u for u, c in users.items() if c == (role, None, False))
    async with db.sessions() as session, session.begin():
        await session.execute(
            update(Program).where(Program.id == program_id).values(is_deleted=True)
        )
        await session.execute(
            update(Project).where(Project.id == project_id).values(is_deleted=True)
        )
    async with db.sessions() as session:
        with pytest.raises(NotFoundError):
            await project_role(session, program_only, project_id, deleted=True)
