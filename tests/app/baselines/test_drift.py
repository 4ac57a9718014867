"""When `detect_drift` reports a slip past the active baseline, and when it stays quiet."""

from __future__ import annotations

import datetime as dt

import scheduler as engine
from app.baselines.drift import detect_drift
from app.events import BaselineDriftPayload
from app.models import Baseline
from app.state import AppState, unit_of_work
from tests.factories import make_project, make_user, make_workspace

JAN = {d: dt.date(2026, 1, d) for d in range(1, 32)}  # JAN[15] is Thursday 15 January
WEEK = engine.Calendar("default")


async def test_drift_only_on_a_new_slip_past_the_active_baseline(db: AppState) -> None:
    owner = await make_user(db)
    project = await make_project(db, await make_workspace(db, owner))
    async with unit_of_work(db.sessions) as uow:
        uow.session.add(Baseline(project_id=project.id, name="Old", project_finish=JAN[9]))
        uow.session.add(
            Baseline(project_id=project.id, name="Plan", project_finish=JAN[15], is_active=True)
        )
    async with db.sessions() as session:

        async def drift(
            previous: dt.date | None, new: dt.date | None
        ) -> BaselineDriftPayload | None:
            return await detect_drift(session, project.id, previous, new, WEEK)

        slip = await drift(JAN[15], JAN[19])
        assert slip is not None
        assert (slip.baseline_name, slip.variance_working_days) == ("Plan", 2)
        further = await drift(JAN[19], JAN[20])
        assert further is not None
        assert further.variance_working_days == 3
        assert await drift(JAN[19], JAN[19]) is None  # still late, but no new slip
        assert await drift(JAN[20], JAN[19]) is None  # recovering
        assert await drift(JAN[12], JAN[15]) is None  # on the baseline's finish: not past it
        assert await drift(None, None) is None
    async with unit_of_work(db.sessions) as uow:
        active = await uow.session.get(Baseline, slip.baseline_id)
        assert active is not None
        active.is_active = False
    async with db.sessions() as session:
        assert await detect_drift(session, project.id, JAN[15], JAN[30], WEEK) is None
