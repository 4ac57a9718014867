"""Mutations of the risk register; each publishes a risk event after its commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import strawberry

from app.events.types import EventType
from app.risks import service
from app.risks.events import announce
from app.state import UnitOfWork
from app.tasks.repository import parse_id
from graph.context import Info
from graph.errors import Conflict, Forbidden, NotFound, ValidationError, run_mutation
from graph.risks.inputs import CreateRiskInput, UpdateRiskInput, risk_values
from graph.risks.types import Risk, RiskPayload

CreateRiskResult = Annotated[
    RiskPayload | NotFound | Forbidden | ValidationError, strawberry.union("CreateRiskResult")
]
RiskResult = Annotated[
    RiskPayload | NotFound | Forbidden | ValidationError | Conflict,
    strawberry.union("RiskResult"),
]


def _ids(task_ids: Sequence[object]) -> list[str]:
    return [str(t) for t in task_ids]


@strawberry.type
class RiskMutation:
    @strawberry.mutation(description="Add a risk to a project's register (Project Manager).")
    async def create_risk(self, info: Info, input: CreateRiskInput) -> CreateRiskResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> RiskPayload:
            values = risk_values(input)
            project_id = parse_id(input.project_id, "project")
            risk = await service.create_risk(uow.session, user_id, project_id, values)
            announce(uow, EventType.RISK_CREATED, risk, user_id, values)
            return RiskPayload(risk=Risk.from_model(risk))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Change risk fields (Project Manager).")
    async def update_risk(
        self,
        info: Info,
        id: strawberry.ID,
        input: UpdateRiskInput,
        server_version: int | None = None,
    ) -> RiskResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> RiskPayload:
            values = risk_values(input)
            risk_id = parse_id(id, "risk")
            risk = await service.update_risk(uow.session, user_id, risk_id, values, server_version)
            announce(uow, EventType.RISK_UPDATED, risk, user_id, values)
            return RiskPayload(risk=Risk.from_model(risk))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Soft-delete a risk and its task links (Project Manager).")
    async def delete_risk(
        self, info: Info, id: strawberry.ID, server_version: int | None = None
    ) -> RiskResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> RiskPayload:
            risk_id = parse_id(id, "risk")
            risk = await service.delete_risk(uow.session, user_id, risk_id, server_version)
            announce(uow, EventType.RISK_DELETED, risk, user_id)
            return RiskPayload(risk=Risk.from_model(risk))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Link a risk to a task of its project (Project Manager).")
    async def link_risk_task(
        self, info: Info, risk_id: strawberry.ID, task_id: strawberry.ID
    ) -> RiskResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> RiskPayload:
            risk, linked = await service.link_task(
                uow.session, user_id, parse_id(risk_id, "risk"), parse_id(task_id, "task")
            )
            announce(uow, EventType.RISK_UPDATED, risk, user_id, {"task_ids": _ids(linked)})
            return RiskPayload(risk=Risk.from_model(risk))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Remove a risk's link to a task (Project Manager).")
    async def unlink_risk_task(
        self, info: Info, risk_id: strawberry.ID, task_id: strawberry.ID
    ) -> RiskResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> RiskPayload:
            risk, linked = await service.unlink_task(
                uow.session, user_id, parse_id(risk_id, "risk"), parse_id(task_id, "task")
            )
            announce(uow, EventType.RISK_UPDATED, risk, user_id, {"task_ids": _ids(linked)})
            return RiskPayload(risk=Risk.from_model(risk))

        return await run_mutation(info, work)  # type: ignore[return-value]
