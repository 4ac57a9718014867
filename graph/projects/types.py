"""GraphQL types of the project domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from functools import partial

import strawberry
from sqlalchemy import select

from app.authz import project_role_column
from app.models import Project as ProjectModel
from app.models import ProjectMember as ProjectMemberModel
from app.models import User as UserModel
from app.models.enums import ProjectStatus, Role, SchedulingRules
from graph.context import Info
from graph.workspaces.common import Member, RoleEnum, group, loader

ProjectStatusEnum = strawberry.enum(ProjectStatus, name="ProjectStatus")
SchedulingRulesEnum = strawberry.enum(
    SchedulingRules,
    name="SchedulingRules",
    description="Which date rules the engine applies where TruePPM's and Microsoft Project's "
    "differ (leads and SF links before the project start, lagged milestones, elapsed lags; "
    "docs/scheduler.md). Plans imported from Microsoft Project use MS_PROJECT.",
)


async def _load_members(info: Info, keys: Sequence[uuid.UUID]) -> list[list[Member]]:
    # One statement for the whole list: members of every requested project with their users.
    stmt = (
        select(ProjectMemberModel, UserModel)
        .join(UserModel, UserModel.id == ProjectMemberModel.user_id)
        .where(ProjectMemberModel.project_id.in_(keys))
        .order_by(ProjectMemberModel.role.desc(), UserModel.email)
    )
    async with info.context.session() as session:
        rows = (await session.execute(stmt)).all()
    return group([(m.project_id, Member.from_row(m.role, m.created_at, u)) for m, u in rows], keys)


async def _load_roles(info: Info, keys: Sequence[uuid.UUID]) -> list[Role | None]:
    user_id = info.context.require_user()
    stmt = select(ProjectModel.id, project_role_column(user_id)).where(ProjectModel.id.in_(keys))
    async with info.context.session() as session:
        roles = {key: value for key, value in (await session.execute(stmt)).all()}
    return [None if roles.get(k) is None else Role(roles[k]) for k in keys]


@strawberry.type(description="A project. Invisible projects do not exist for you.")
class Project:
    id: strawberry.ID
    workspace_id: strawberry.ID
    program_id: strawberry.ID | None
    name: str
    description: str
    status: ProjectStatusEnum  # type: ignore[valid-type]
    start_date: date
    status_date: date | None
    default_calendar_id: strawberry.ID | None
    scheduling_rules: SchedulingRulesEnum  # type: ignore[valid-type]
    level_automatically: bool = strawberry.field(
        description="Level resources on every recompute of this project (off by default)."
    )
    server_version: int
    is_deleted: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, project: ProjectModel) -> Project:
        def opt(value: uuid.UUID | None) -> strawberry.ID | None:
            return None if value is None else strawberry.ID(str(value))

        return cls(
            id=strawberry.ID(str(project.id)),
            workspace_id=strawberry.ID(str(project.workspace_id)),
            program_id=opt(project.program_id),
            name=project.name,
            description=project.description,
            status=ProjectStatus(project.status),
            start_date=project.start_date,
            status_date=project.status_date,
            default_calendar_id=opt(project.default_calendar_id),
            scheduling_rules=SchedulingRules(project.scheduling_rules),
            level_automatically=project.level_automatically,
            server_version=project.server_version,
            is_deleted=project.is_deleted,
            created_at=project.created_at,
            updated_at=project.updated_at,
        )

    @strawberry.field(
        description="Your effective role: project membership, else program membership, "
        "else Project Admin as a workspace owner/admin."
    )
    async def my_role(self, info: Info) -> RoleEnum:  # type: ignore[valid-type]
        role: Role | None = await loader(info, "project_my_role", partial(_load_roles, info)).load(
            uuid.UUID(self.id)
        )
        # A Project node is only ever built for a project the caller can see.
        assert role is not None
        return role

    @strawberry.field(description="Explicit project members, highest role first.")
    async def members(self, info: Info) -> list[Member]:
        members: list[Member] = await loader(
            info, "project_members", partial(_load_members, info)
        ).load(uuid.UUID(self.id))
        return members


@strawberry.input
class CreateProjectInput:
    workspace_id: strawberry.ID
    name: str
    start_date: date
    program_id: strawberry.ID | None = None
    description: str | None = None
    status_date: date | None = None
    status: ProjectStatusEnum | None = None  # type: ignore[valid-type]
    scheduling_rules: SchedulingRulesEnum | None = None  # type: ignore[valid-type]
    level_automatically: bool | None = None


@strawberry.input(description="Only the fields you send are changed; send null to clear one.")
class UpdateProjectInput:
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    status: ProjectStatusEnum | None = strawberry.UNSET  # type: ignore[valid-type]
    start_date: date | None = strawberry.UNSET
    status_date: date | None = strawberry.UNSET
    default_calendar_id: strawberry.ID | None = strawberry.UNSET
    scheduling_rules: SchedulingRulesEnum | None = strawberry.UNSET  # type: ignore[valid-type]
    level_automatically: bool | None = strawberry.UNSET


@strawberry.type
class ProjectPayload:
    project: Project


@strawberry.type
class ProjectMemberPayload:
    project_id: strawberry.ID
    member: Member
