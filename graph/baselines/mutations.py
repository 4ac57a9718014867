"""Mutations of the baseline domain (Project Manager). Each returns a union of its payload
and typed errors."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.baselines import service
from app.state import UnitOfWork
from app.tasks.repository import parse_id
from graph.baselines.inputs import CaptureBaselineInput
from graph.baselines.types import Baseline, BaselinePayload
from graph.context import Info
from graph.errors import Conflict, Forbidden, NotFound, ValidationError, run_mutation

CaptureBaselineResult = Annotated[
    BaselinePayload | NotFound | Forbidden | ValidationError,
    strawberry.union("CaptureBaselineResult"),
]
BaselineResult = Annotated[
    BaselinePayload | NotFound | Forbidden | ValidationError | Conflict,
    strawberry.union("BaselineResult"),
]


@strawberry.type
class BaselineMutation:
    @strawberry.mutation(
        description="Snapshot every live task's computed dates, duration and float "
        "(Project Manager)."
    )
    async def capture_baseline(
        self, info: Info, input: CaptureBaselineInput
    ) -> CaptureBaselineResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> BaselinePayload:
            project_id = parse_id(input.project_id, "project")
            baseline = await service.capture_baseline(
                uow, user_id, project_id, input.name, input.set_active
            )
            return BaselinePayload(baseline=Baseline.from_model(baseline))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Make a baseline the project's active one (the previous one stops being "
        "active), or with active: false, clear it (Project Manager)."
    )
    async def set_active_baseline(
        self,
        info: Info,
        id: strawberry.ID,
        active: bool = True,
        server_version: int | None = None,
    ) -> BaselineResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> BaselinePayload:
            baseline = await service.set_active(
                uow, user_id, parse_id(id, "baseline"), active, server_version
            )
            return BaselinePayload(baseline=Baseline.from_model(baseline))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Rename a baseline (Project Manager).")
    async def rename_baseline(
        self, info: Info, id: strawberry.ID, name: str, server_version: int | None = None
    ) -> BaselineResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> BaselinePayload:
            baseline = await service.rename_baseline(
                uow, user_id, parse_id(id, "baseline"), name, server_version
            )
            return BaselinePayload(baseline=Baseline.from_model(baseline))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Soft-delete a baseline (Project Manager).")
    async def delete_baseline(
        self, info: Info, id: strawberry.ID, server_version: int | None = None
    ) -> BaselineResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> BaselinePayload:
            gone = await service.delete_baseline(
                uow, user_id, parse_id(id, "baseline"), server_version
            )
            return BaselinePayload(baseline=Baseline.from_model(gone))

        return await run_mutation(info, work)  # type: ignore[return-value]
