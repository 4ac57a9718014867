"""The tables the retention purge bounds, each with its window (seed 003).

Every step deletes only rows past its window and only terminal ones (pending outbox rows,
unfinished runs and live data are never eligible), and commits its own transactions, so one
failing step leaves the others' work in place. A step returns how many rows it deleted (or,
in a dry run, would delete). The per-table functions stay callable on their own
(`trueppm purge-history`, `trueppm purge-sync`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.audit.purge import purge_audit
from app.forecasts.pruning import prune_snapshots
from app.history.purge import purge_history
from app.interchange.purge import purge_imports
from app.scheduling.purge import purge_schedule_requests, purge_task_runs
from app.sprints.purge import purge_close_requests
from app.sso.purge import KEEP_DAYS as SSO_KEEP_DAYS
from app.sso.purge import purge_attempts
from app.state import unit_of_work
from app.sync.purge import purge_batches, purge_tombstones
from app.webhooks.purge import purge_deliveries

if TYPE_CHECKING:
    from app.settings import Settings
    from app.state import AppState


@dataclass(frozen=True)
class Step:
    name: str
    window: Callable[[Settings], str]  # the window, as shown in the log and the CLI
    run: Callable[[AppState, bool], Awaitable[int]]


async def _history(state: AppState, dry_run: bool) -> int:
    days = state.settings.history_retention_days
    return (await purge_history(state.sessions, days, dry_run=dry_run)).deleted


async def _task_runs(state: AppState, dry_run: bool) -> int:
    days = state.settings.task_run_retention_days
    return await purge_task_runs(state.sessions, days, dry_run=dry_run)


async def _schedule_requests(state: AppState, dry_run: bool) -> int:
    days = state.settings.outbox_retention_days
    return await purge_schedule_requests(state.sessions, days, dry_run=dry_run)


async def _sprint_close_requests(state: AppState, dry_run: bool) -> int:
    days = state.settings.outbox_retention_days
    return await purge_close_requests(state.sessions, days, dry_run=dry_run)


async def _sync_batches(state: AppState, dry_run: bool) -> int:
    hours = state.settings.sync_batch_retention_hours
    async with unit_of_work(state.sessions) as uow:
        return await purge_batches(uow.session, hours, dry_run=dry_run)


async def _sync_tombstones(state: AppState, dry_run: bool) -> int:
    days = state.settings.sync_tombstone_retention_days
    async with unit_of_work(state.sessions) as uow:
        result = await purge_tombstones(uow.session, days, dry_run=dry_run)
    return sum(result.tombstones.values())


async def _forecast_snapshots(state: AppState, dry_run: bool) -> int:
    s = state.settings
    return await prune_snapshots(
        state.sessions, s.snapshot_daily_days, s.snapshot_weekly_days, dry_run=dry_run
    )


async def _plan_imports(state: AppState, dry_run: bool) -> int:
    days = state.settings.import_retention_days
    return await purge_imports(state.sessions, days, dry_run=dry_run)


async def _webhook_deliveries(state: AppState, dry_run: bool) -> int:
    days = state.settings.webhook_retention_days
    return await purge_deliveries(state.sessions, days, dry_run=dry_run)


async def _security_audit(state: AppState, dry_run: bool) -> int:
    days = state.settings.audit_retention_days
    return await purge_audit(state.sessions, days, dry_run=dry_run)


async def _sso_attempts(state: AppState, dry_run: bool) -> int:
    return await purge_attempts(state.sessions, dry_run=dry_run)


STEPS: tuple[Step, ...] = (
    Step("history", lambda s: f"{s.history_retention_days} days", _history),
    Step("task_runs", lambda s: f"{s.task_run_retention_days} days", _task_runs),
    Step("schedule_requests", lambda s: f"{s.outbox_retention_days} days", _schedule_requests),
    Step(
        "sprint_close_requests",
        lambda s: f"{s.outbox_retention_days} days",
        _sprint_close_requests,
    ),
    Step("sync_batches", lambda s: f"{s.sync_batch_retention_hours} hours", _sync_batches),
    Step(
        "sync_tombstones",
        lambda s: f"{s.sync_tombstone_retention_days} days",
        _sync_tombstones,
    ),
    Step(
        "forecast_snapshots",
        lambda s: (
            f"all {s.snapshot_daily_days} days, weekly to {s.snapshot_weekly_days}, then monthly"
        ),
        _forecast_snapshots,
    ),
    Step("plan_imports", lambda s: f"{s.import_retention_days} days", _plan_imports),
    Step(
        "webhook_deliveries",
        lambda s: f"{s.webhook_retention_days} days",
        _webhook_deliveries,
    ),
    Step("security_audit", lambda s: f"{s.audit_retention_days} days", _security_audit),
    Step("sso_attempts", lambda s: f"{SSO_KEEP_DAYS} day", _sso_attempts),
)
