"""Small async factories for test data (no fixture files)."""

from __future__ import annotations

import datetime as dt
import uuid

from app.apitokens.service import TokenRequest, create_token
from app.auth.passwords import hash_password
from app.boards.columns import create_default_columns
from app.models import Project, ProjectMember, User, Workspace, WorkspaceMember
from app.models.enums import Role, WorkspaceRole
from app.state import AppState, unit_of_work

PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)


async def make_user(state: AppState, email: str | None = None, *, is_staff: bool = False) -> User:
    async with unit_of_work(state.sessions) as uow:
        user = User(
            email=email or f"user-{uuid.uuid4().hex[:8]}@example.com",
            name="Test User",
            password_hash=_PASSWORD_HASH,
            is_staff=is_staff,
        )
        uow.session.add(user)
    return user


async def make_workspace(
    state: AppState, owner: User, *, role: WorkspaceRole = WorkspaceRole.OWNER
) -> Workspace:
    async with unit_of_work(state.sessions) as uow:
        workspace = Workspace(name="Workspace")
        uow.session.add(workspace)
        await uow.session.flush()
        uow.session.add(
            WorkspaceMember(workspace_id=workspace.id, user_id=owner.id, role=role.value)
        )
    return workspace


async def make_project(
    state: AppState,
    workspace: Workspace,
    *,
    members: dict[uuid.UUID, Role] | None = None,
    start: dt.date = dt.date(2026, 1, 5),
) -> Project:
    async with unit_of_work(state.sessions) as uow:
        project = Project(workspace_id=workspace.id, name="Project", start_date=start)
        uow.session.add(project)
        await uow.session.flush()
        for user_id, role in (members or {}).items():
            uow.session.add(ProjectMember(project_id=project.id, user_id=user_id, role=int(role)))
        await create_default_columns(uow.session, project.id)
    return project


async def make_api_token(
    state: AppState,
    user_id: uuid.UUID,
    *,
    name: str = "integration",
    project_id: uuid.UUID | None = None,
    program_id: uuid.UUID | None = None,
    read_only: bool = False,
    expires_in_days: int | None = None,
) -> str:
    """Mint an API token through the service (as from a login session); the plaintext."""
    request = TokenRequest(name, project_id, program_id, read_only, expires_in_days)
    async with unit_of_work(state.sessions) as uow:
        created = await create_token(uow.session, state.settings, user_id, request)
    return created.plaintext
