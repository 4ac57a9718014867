"""Risk events on the project's board stream, published only after the write commits."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.events import publish_after_commit
from app.events.types import BoardEvent, EventType, RiskPayload
from app.models import Risk
from app.state import UnitOfWork


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def announce(
    uow: UnitOfWork,
    type: EventType,
    risk: Risk,
    actor_id: uuid.UUID,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """Queue a risk_created/updated/deleted event for after the commit."""
    payload = RiskPayload(
        risk_id=risk.id,
        server_version=risk.server_version,
        changes={k: _plain(v) for k, v in (changes or {}).items()},
    )
    publish_after_commit(uow, BoardEvent.make(risk.project_id, type, payload, actor_id))
