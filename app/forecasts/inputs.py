"""What a forecast reads besides the network: the project's discrete risk events.

The one place the risk register meets the engine: open and mitigating risks linked to live
tasks, as `app.risks.service.open_risk_events` converts them (closed, deleted and unlinked
risks do not enter the simulation).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

import scheduler as engine
from app.risks.service import open_risk_events


async def risk_events(session: AsyncSession, project_id: uuid.UUID) -> list[engine.RiskEvent]:
    """The discrete risk events of `project_id` for `scheduler.simulate`."""
    return await open_risk_events(session, project_id)
