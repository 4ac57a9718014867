"""Requesting a forecast: validation, permission, the queued `ForecastRun` row and its
dispatch after commit. Services flush, never commit."""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import require_project_role
from app.errors import ConflictError, FieldProblem, ValidationFailed
from app.models import ForecastRun, Project, Task
from app.models.enums import Role
from app.state import UnitOfWork

log = logging.getLogger(__name__)

MIN_ITERATIONS = 100
MAX_SEED = 2**31 - 1  # a GraphQL Int
DEFAULT_PERCENTILES = (50.0, 80.0, 95.0)
MAX_EXTRA_PERCENTILES = 10
# A queued/running run older than this is treated as lost (its worker died) and no longer
# blocks a new request.
STALE_AFTER = timedelta(hours=1)
SUBMIT_KEY = "forecast_submit"

Submit = Callable[[uuid.UUID], Awaitable[None]]


def _problems(
    iterations: int, seed: int | None, percentiles: Sequence[float], max_iterations: int
) -> list[FieldProblem]:
    problems = []
    if not MIN_ITERATIONS <= iterations <= max_iterations:
        problems.append(
            FieldProblem(("iterations",), f"must be between {MIN_ITERATIONS} and {max_iterations}")
        )
    if seed is not None and not 0 <= seed <= MAX_SEED:
        problems.append(FieldProblem(("seed",), f"must be between 0 and {MAX_SEED}"))
    if len(percentiles) > MAX_EXTRA_PERCENTILES:
        problems.append(FieldProblem(("percentiles",), f"at most {MAX_EXTRA_PERCENTILES} values"))
    for i, p in enumerate(percentiles):
        if not 0 < p < 100:
            problems.append(FieldProblem(("percentiles", str(i)), "must be > 0 and < 100"))
    return problems


async def _active_run(session: AsyncSession, project_id: uuid.UUID) -> ForecastRun | None:
    stmt = (
        select(ForecastRun)
        .where(
            ForecastRun.project_id == project_id,
            ForecastRun.state.in_(("queued", "running")),
            ForecastRun.created_at > func.now() - STALE_AFTER,
        )
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def request_forecast(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    *,
    iterations: int,
    seed: int | None,
    percentiles: Sequence[float] = (),
    max_iterations: int,
) -> ForecastRun:
    """Record a queued run (Team Member and up) and dispatch it once the commit succeeded.

    One run per project at a time: a second request while one is queued or running is a
    `ConflictError`. Without a seed, a random one is drawn and stored, so every run can be
    reproduced exactly."""
    session = uow.session
    await require_project_role(session, user_id, project_id, Role.TEAM_MEMBER)
    problems = _problems(iterations, seed, percentiles, max_iterations)
    if problems:
        raise ValidationFailed(problems)
    # Serialise requests of one project so two concurrent ones cannot both pass the check.
    await session.execute(select(Project.id).where(Project.id == project_id).with_for_update())
    tasks = await session.scalar(
        select(func.count())
        .select_from(Task)
        .where(Task.project_id == project_id, Task.is_deleted.is_(False))
    )
    if not tasks:
        raise ValidationFailed.single("projectId", "the project has no tasks to simulate")
    if await _active_run(session, project_id) is not None:
        raise ConflictError("a forecast of this project is already queued or running")
    run = ForecastRun(
        project_id=project_id,
        requested_by_id=user_id,
        state="queued",
        iterations=iterations,
        seed=secrets.randbelow(MAX_SEED + 1) if seed is None else seed,
        requested_percentiles=sorted({*DEFAULT_PERCENTILES, *map(float, percentiles)}),
    )
    session.add(run)
    await session.flush()
    submit: Submit | None = uow.context.get(SUBMIT_KEY)
    run_id = run.id

    async def dispatch() -> None:
        if submit is None:
            log.warning("no forecast runner in this process; run stays queued")
            return
        await submit(run_id)

    uow.after_commit(dispatch)
    return run
