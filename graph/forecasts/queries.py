"""Forecast queries: the latest run, one run, past runs (newest first) and the snapshot
history over a date range. Visibility (Viewer and up) is joined into each statement."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import strawberry
from graphql import GraphQLError
from sqlalchemy import Select, select

from app.authz import visible_projects
from app.models import ForecastRun as RunModel
from app.models import ProjectForecastSnapshot as SnapshotModel
from graph.context import Info
from graph.forecasts.types import ForecastRun, ForecastSnapshot, ForecastState
from graph.pagination import Connection, paginate


def _uuid(raw: strawberry.ID) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return uuid.UUID(int=0)


def _visible_runs(user_id: uuid.UUID) -> Select[RunModel]:
    visible = visible_projects(user_id).subquery()
    return select(RunModel).join(visible, visible.c.project_id == RunModel.project_id)


def _utc_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


@strawberry.type
class ForecastQuery:
    @strawberry.field(
        description="The project's most recent forecast run (of `state` when given), or null."
    )
    async def latest_forecast(
        self, info: Info, project_id: strawberry.ID, state: ForecastState | None = None
    ) -> ForecastRun | None:
        user_id = info.context.require_user()
        stmt = _visible_runs(user_id).where(RunModel.project_id == _uuid(project_id))
        if state is not None:
            stmt = stmt.where(RunModel.state == state.value)
        async with info.context.session() as session:
            run = (
                await session.execute(stmt.order_by(RunModel.seq.desc()).limit(1))
            ).scalar_one_or_none()
        return ForecastRun.from_model(run) if run else None

    @strawberry.field(description="One forecast run, or null when absent or not visible.")
    async def forecast_run(self, info: Info, id: strawberry.ID) -> ForecastRun | None:
        user_id = info.context.require_user()
        stmt = _visible_runs(user_id).where(RunModel.id == _uuid(id))
        async with info.context.session() as session:
            run = (await session.execute(stmt)).scalar_one_or_none()
        return ForecastRun.from_model(run) if run else None

    @strawberry.field(description="The project's forecast runs, newest first.")
    async def forecast_runs(
        self,
        info: Info,
        project_id: strawberry.ID,
        state: ForecastState | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ForecastRun]:
        user_id = info.context.require_user()
        stmt = _visible_runs(user_id).where(RunModel.project_id == _uuid(project_id))
        if state is not None:
            stmt = stmt.where(RunModel.state == state.value)
        async with info.context.session() as session:
            return await paginate(
                session,
                info.context.settings,
                stmt,
                [(-RunModel.seq).label("newest_first")],
                ForecastRun.from_model,
                first=first,
                after=after,
            )

    @strawberry.field(
        description="The project's forecast snapshots captured on the UTC days `from`…`to` "
        "(both inclusive, each optional), oldest first."
    )
    async def forecast_snapshots(
        self,
        info: Info,
        project_id: strawberry.ID,
        from_: Annotated[dt.date | None, strawberry.argument(name="from")] = None,
        to: dt.date | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ForecastSnapshot]:
        user_id = info.context.require_user()
        if from_ is not None and to is not None and from_ > to:
            raise GraphQLError(
                "`from` must not be after `to`", extensions={"code": "BAD_USER_INPUT"}
            )
        visible = visible_projects(user_id).subquery()
        stmt = (
            select(SnapshotModel)
            .join(visible, visible.c.project_id == SnapshotModel.project_id)
            .where(SnapshotModel.project_id == _uuid(project_id))
        )
        if from_ is not None:
            stmt = stmt.where(SnapshotModel.captured_at >= _utc_midnight(from_))
        if to is not None:
            stmt = stmt.where(SnapshotModel.captured_at < _utc_midnight(to + dt.timedelta(days=1)))
        async with info.context.session() as session:
            return await paginate(
                session,
                info.context.settings,
                stmt,
                [SnapshotModel.captured_at.expression, SnapshotModel.id.expression],
                ForecastSnapshot.from_model,
                first=first,
                after=after,
            )
