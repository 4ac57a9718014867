"""Auto-scheduling: the outbox of schedule requests, the relay, and the recompute itself."""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from app.scheduling.announce import announce
from app.scheduling.queue import RQDispatcher
from app.scheduling.runner import InProcessRunner, RelayLoop
from app.state import AppState


class Scheduling(Protocol):
    async def poke(self) -> None: ...
    async def stop(self) -> None: ...


class _QueuedScheduling:
    def __init__(self, state: AppState, url: str) -> None:
        self.dispatcher = RQDispatcher(url)
        # Imported here: app.sprints.queue imports this package (a top-level import cycles).
        from app.interchange.queue import ImportDispatcher
        from app.sprints.queue import SprintCloseDispatcher

        self.relay = RelayLoop(
            state.sessions,
            self.dispatcher,
            close_dispatch=SprintCloseDispatcher(self.dispatcher.connection),
            import_dispatch=ImportDispatcher(self.dispatcher.connection),
            reclaim_after=timedelta(seconds=state.settings.schedule_reclaim_seconds),
        )

    async def poke(self) -> None:
        await self.relay.poke()

    async def stop(self) -> None:
        await self.relay.stop()
        self.dispatcher.close()


def start_scheduling(state: AppState) -> Scheduling:
    """Start the relay of this process: to RQ workers with `VALKEY_URL`, else in-process.
    Commits that record schedule requests poke it (see `app.scheduling.outbox`)."""
    scheduling: Scheduling
    if state.settings.valkey_url:
        queued = _QueuedScheduling(state, state.settings.valkey_url)
        queued.relay.start()
        scheduling = queued
    else:
        runner = InProcessRunner(
            state.sessions,
            on_outcome=lambda outcome: announce(outcome, state.events),
            bus=state.events,
        )
        runner.start()
        scheduling = runner
    state.uow_context["schedule_poke"] = scheduling.poke
    return scheduling
