"""Mutations of the project domain: lifecycle (create, update, trash, restore) and members."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from app.models.enums import Role
from app.projects import service
from app.state import UnitOfWork
from app.workspaces import roles
from graph.context import Info
from graph.errors import Conflict, Forbidden, NotFound, ValidationError, run_mutation
from graph.projects.types import (
    CreateProjectInput,
    Project,
    ProjectMemberPayload,
    ProjectPayload,
    UpdateProjectInput,
)
from graph.workspaces.common import (
    RemoveMemberPayload,
    RoleEnum,
    id_argument,
    member_from,
    require_id,
)

ProjectResult = Annotated[
    ProjectPayload | NotFound | Forbidden | ValidationError | Conflict,
    strawberry.union("ProjectResult"),
]
ProjectMemberResult = Annotated[
    ProjectMemberPayload | NotFound | Forbidden | ValidationError,
    strawberry.union("ProjectMemberResult"),
]
RemoveProjectMemberResult = Annotated[
    RemoveMemberPayload | NotFound | Forbidden | ValidationError,
    strawberry.union("RemoveProjectMemberResult"),
]


def _update_values(data: UpdateProjectInput) -> dict[str, Any]:
    fields = (
        "name", "description", "status", "start_date", "status_date", "scheduling_rules",
        "level_automatically",
    )  # fmt: skip
    values = {f: getattr(data, f) for f in fields if getattr(data, f) is not strawberry.UNSET}
    if data.default_calendar_id is not strawberry.UNSET:
        values["default_calendar_id"] = id_argument(
            data.default_calendar_id, "input", "defaultCalendarId"
        )
    return values


@strawberry.type
class ProjectMutation:
    @strawberry.mutation(
        description="Create a project (any workspace member; you become its Project Admin)."
    )
    async def create_project(self, info: Info, input: CreateProjectInput) -> ProjectResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> ProjectPayload:
            values: dict[str, Any] = {"name": input.name, "start_date": input.start_date}
            if input.program_id is not None:
                values["program_id"] = id_argument(input.program_id, "input", "programId")
            for field in (
                "description", "status_date", "status", "scheduling_rules", "level_automatically",
            ):  # fmt: skip
                if getattr(input, field) is not None:
                    values[field] = getattr(input, field)
            workspace_id = require_id(input.workspace_id, "workspace")
            project = await service.create_project(uow.session, user_id, workspace_id, values)
            return ProjectPayload(project=Project.from_model(project))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Change project fields (Project Manager).")
    async def update_project(
        self,
        info: Info,
        id: strawberry.ID,
        input: UpdateProjectInput,
        server_version: int | None = None,
    ) -> ProjectResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> ProjectPayload:
            project = await service.update_project(
                uow.session,
                user_id,
                require_id(id, "project"),
                _update_values(input),
                server_version,
            )
            return ProjectPayload(project=Project.from_model(project))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Move a project to the trash (Project Admin).")
    async def delete_project(
        self, info: Info, id: strawberry.ID, server_version: int | None = None
    ) -> ProjectResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> ProjectPayload:
            project = await service.delete_project(
                uow.session, user_id, require_id(id, "project"), server_version
            )
            return ProjectPayload(project=Project.from_model(project))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Bring a project back from the trash (its Project Admin).")
    async def restore_project(self, info: Info, id: strawberry.ID) -> ProjectResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> ProjectPayload:
            project = await service.restore_project(uow.session, user_id, require_id(id, "project"))
            return ProjectPayload(project=Project.from_model(project))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Give an existing account a project role by email or userId (Project "
        "Manager; PROJECT_ADMIN only by a Project Admin). Joins them to the workspace if needed."
    )
    async def add_project_member(
        self,
        info: Info,
        project_id: strawberry.ID,
        role: RoleEnum,  # type: ignore[valid-type]
        email: str | None = None,
        user_id: strawberry.ID | None = None,
    ) -> ProjectMemberResult:
        actor = info.context.require_user()

        async def work(uow: UnitOfWork) -> ProjectMemberPayload:
            scope = await service.member_scope(
                uow.session, actor, require_id(project_id, "project")
            )
            target = id_argument(user_id, "userId")
            found = await roles.add_member(uow.session, scope, Role(role), email, target)
            return ProjectMemberPayload(project_id=project_id, member=member_from(found))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Change a member's project role (Project Manager; PROJECT_ADMIN changes "
        "only by a Project Admin; the last Project Admin stays)."
    )
    async def change_project_member_role(
        self,
        info: Info,
        project_id: strawberry.ID,
        user_id: strawberry.ID,
        role: RoleEnum,  # type: ignore[valid-type]
    ) -> ProjectMemberResult:
        actor = info.context.require_user()

        async def work(uow: UnitOfWork) -> ProjectMemberPayload:
            scope = await service.member_scope(
                uow.session, actor, require_id(project_id, "project")
            )
            found = await roles.change_role(
                uow.session, scope, require_id(user_id, "project member"), Role(role)
            )
            return ProjectMemberPayload(project_id=project_id, member=member_from(found))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Remove a member's project role (Project Manager; a Project Admin only by "
        "a Project Admin; never the last one). They stay in the workspace."
    )
    async def remove_project_member(
        self, info: Info, project_id: strawberry.ID, user_id: strawberry.ID
    ) -> RemoveProjectMemberResult:
        actor = info.context.require_user()

        async def work(uow: UnitOfWork) -> RemoveMemberPayload:
            scope = await service.member_scope(
                uow.session, actor, require_id(project_id, "project")
            )
            await roles.remove_member(uow.session, scope, require_id(user_id, "project member"))
            return RemoveMemberPayload(removed_user_id=user_id)

        return await run_mutation(info, work)  # type: ignore[return-value]
