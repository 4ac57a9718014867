"""`runForecast`: queue a Monte Carlo forecast of a project (Team Member and up)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.forecasts.service import request_forecast
from app.state import UnitOfWork
from app.tasks.repository import parse_id
from graph.context import Info
from graph.errors import Conflict, Forbidden, NotFound, ValidationError, run_mutation
from graph.forecasts.types import ForecastPayload, ForecastRun

RunForecastResult = Annotated[
    ForecastPayload | NotFound | Forbidden | ValidationError | Conflict,
    strawberry.union("RunForecastResult"),
]


@strawberry.type
class ForecastMutation:
    @strawberry.mutation(
        description="Queue a Monte Carlo forecast (Team Member and up). Progress and the result "
        "arrive as FORECAST_PROGRESS / FORECAST_COMPLETE / FORECAST_FAILED board events; the "
        "run is readable with `forecastRun(id)`. P50, P80 and P95 are always computed; "
        "`percentiles` adds others. Without `seed` a random one is drawn and recorded."
    )
    async def run_forecast(
        self,
        info: Info,
        project_id: strawberry.ID,
        iterations: int = 10_000,
        seed: int | None = None,
        percentiles: list[float] | None = None,
    ) -> RunForecastResult:
        user_id = info.context.require_user()
        max_iterations = info.context.settings.forecast_max_iterations

        async def work(uow: UnitOfWork) -> ForecastPayload:
            run = await request_forecast(
                uow,
                user_id,
                parse_id(project_id, "project"),
                iterations=iterations,
                seed=seed,
                percentiles=percentiles or [],
                max_iterations=max_iterations,
            )
            await uow.session.refresh(run)
            return ForecastPayload(forecast=ForecastRun.from_model(run))

        return await run_mutation(info, work)  # type: ignore[return-value]
