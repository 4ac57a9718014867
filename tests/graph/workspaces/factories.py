"""Factories for the workspace/program/project domain tests (complementing tests.factories)."""

from __future__ import annotations

import datetime as dt
import uuid

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


async def join_workspace(
    state: AppState, workspace: Workspace, user: User, role: WorkspaceRole = WorkspaceRole.MEMBER
) -> None:
    async with unit_of_work(state.sessions) as uow:
        uow.session.add(
            WorkspaceMember(workspace_id=workspace.id, user_id=user.id, role=role.value)
        )


async def make_program(
    state: AppState,
    workspace: Workspace,
    *,
    members: dict[uuid.UUID, Role] | None = None,
    name: str = "Program",
) -> Program:
    async with unit_of_work(state.sessions) as uow:
        program = Program(workspace_id=workspace.id, name=name)
        uow.session.add(program)
        await uow.session.flush()
        for user_id, role in (members or {}).items():
            uow.session.add(ProgramMember(program_id=program.id, user_id=user_id, role=int(role)))
    return program


async def make_trashed_project(
    state: AppState, workspace: Workspace, members: dict[uuid.UUID, Role]
) -> Project:
    """A project already in the trash (deleted at version 2)."""

    async with unit_of_work(state.sessions) as uow:
        project = Project(
            workspace_id=workspace.id,
            name="Trashed",
            start_date=dt.date(2026, 1, 5),
            is_deleted=True,
            server_version=2,
            deleted_version=2,
        )
        uow.session.add(project)
        await uow.session.flush()
        for user_id, role in members.items():
            uow.session.add(ProjectMember(project_id=project.id, user_id=user_id, role=int(role)))
    return project
