"""Rows for forecast tests: a project with tasks (optionally three-point) and queued runs."""

from __future__ import annotations

import uuid

from app.models import ForecastRun, Project, Task
from app.state import AppState, unit_of_work
from tests.app.scheduling.factories import link
from tests.factories import make_project, make_user, make_workspace

__all__ = ["chain_project", "link", "queue_run", "set_estimates"]


async def chain_project(
    state: AppState, durations: dict[str, int]
) -> tuple[Project, dict[str, uuid.UUID]]:
    """A project whose tasks (name → duration) are linked FS in the given order."""
    from tests.app.scheduling.factories import START, add_tasks

    owner = await make_user(state)
    project = await make_project(state, await make_workspace(state, owner), start=START)
    ids = await add_tasks(state, project, {n: ("task", d) for n, d in durations.items()})
    names = list(ids)
    await link(
        state,
        project,
        list(zip([ids[n] for n in names], [ids[n] for n in names[1:]], strict=False)),
        request=False,
    )
    return project, ids


async def set_estimates(state: AppState, task_id: uuid.UUID, o: float, m: float, p: float) -> None:
    async with unit_of_work(state.sessions) as uow:
        task = await uow.session.get(Task, task_id)
        assert task is not None
        task.optimistic_duration, task.most_likely_duration, task.pessimistic_duration = o, m, p


async def queue_run(
    state: AppState, project_id: uuid.UUID, iterations: int = 500, seed: int = 7
) -> uuid.UUID:
    async with unit_of_work(state.sessions) as uow:
        run = ForecastRun(
            project_id=project_id,
            iterations=iterations,
            seed=seed,
            requested_percentiles=[50.0, 80.0, 95.0],
        )
        uow.session.add(run)
        await uow.session.flush()
        return run.id
