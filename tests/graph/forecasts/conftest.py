"""Fixtures for forecast GraphQL tests: an in-process runner wired into the unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.forecasts.dispatch import InProcessForecasts
from app.forecasts.service import SUBMIT_KEY
from app.state import AppState


@pytest.fixture
async def runner(db: AppState) -> AsyncIterator[InProcessForecasts]:
    """Runs submitted forecasts as tasks of the test's event loop (`wait_idle` to finish)."""
    forecasts = InProcessForecasts(db)
    db.uow_context[SUBMIT_KEY] = forecasts.submit
    yield forecasts
    db.uow_context.pop(SUBMIT_KEY)
    await forecasts.stop()
