"""Publishing entry points for services (after commit) and jobs (directly).

A service never publishes inside its transaction: `publish_after_commit` registers the event
on the unit of work, and it goes out only once the commit succeeded, so a rolled-back write is
never announced. The bus is found through the session (`AppState` stores it in the session
factory's `info`), so services need no extra argument.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from app.batching import current_batch
from app.events.types import BoardEvent

if TYPE_CHECKING:
    from app.events.bus import EventBus
    from app.state import UnitOfWork

SESSION_INFO_KEY = "trueppm.events"
log = logging.getLogger("trueppm.events")
_process_bus: list[EventBus] = []


def publish_after_commit(uow: UnitOfWork, event: BoardEvent) -> None:
    """Publish `event` once `uow` has committed (never if it rolls back), and record the
    webhook message it stands for in the same transaction. Inside a bulk write it is
    collected instead, for the one batch event of its project (app/bulk.py)."""
    batch = current_batch(uow.session.info)
    if batch is not None:
        batch.events.append(event)
        return
    # Imported here: the webhook outbox needs app.state, which imports this module's package.
    from app.webhooks.outbox import record_board_event

    record_board_event(uow.session, event)
    bus: EventBus = uow.session.info[SESSION_INFO_KEY]

    async def send() -> None:
        try:
            await bus.publish(event)
        except Exception:
            # The write is committed and must be reported as done. The event is lost (Valkey
            # is unreachable from here); boards that lost Valkey too are told to resync when
            # their process reconnects, and every change is still in the next query or pull.
            log.warning(
                "could not publish %s for project %s", event.type, event.project_id, exc_info=True
            )

    uow.after_commit(send)


def set_process_bus(bus: EventBus) -> None:
    """Make `bus` the default of `publish` in this process (AppState does this)."""
    _process_bus[:] = [bus]


async def publish(event: BoardEvent, bus: EventBus | None = None) -> BoardEvent:
    """Publish now, outside any transaction (jobs, after their own commit). Without `bus`,
    the bus of the process's `AppState` is used. Returns the event with its `seq`."""
    if bus is None:
        if not _process_bus:
            raise RuntimeError("no event bus in this process: create an AppState first")
        bus = _process_bus[0]
    return await bus.publish(event)
