"""What a forecast reads besides the network: the project's discrete risk events.

The one place the risk register meets the engine. Until the register exists it yields no
events; when it lands, open risks linked to tasks are converted here and nothing else in the
forecast code changes.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

import scheduler as engine


async def risk_events(session: AsyncSession, project_id: uuid.UUID) -> list[engine.RiskEvent]:
    """The discrete risk events of `project_id` for `scheduler.simulate` (none yet)."""
    del session, project_id  # the risk register is not part of the schema yet
    return []
