"""What a bulk write collects instead of doing at once: board events (published as one batch
event per project after commit) and schedule requests (one per project).

Kept in `session.info[BATCH_KEY]` while a bulk runs (`app.bulk.run_items`), so the services
stay unchanged: `publish_after_commit` and `request_schedule` look here first. Nothing here
imports the models or the event bus.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

BATCH_KEY = "trueppm.batch"


@dataclass
class Batch:
    events: list[Any] = field(default_factory=list)  # BoardEvent, in order
    scheduled: list[tuple[uuid.UUID, str]] = field(default_factory=list)  # (project, reason)

    def mark(self) -> tuple[int, int]:
        return len(self.events), len(self.scheduled)

    def rewind(self, mark: tuple[int, int]) -> None:
        """Forget what an item that failed (and was rolled back to its savepoint) collected."""
        del self.events[mark[0] :]
        del self.scheduled[mark[1] :]


def current_batch(info: dict[str, Any]) -> Batch | None:
    found = info.get(BATCH_KEY)
    return found if isinstance(found, Batch) else None
