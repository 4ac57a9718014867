"""Rows of every table the retention purge bounds, on both sides of their windows.

`seed_everything` returns the ids expected to survive a purge with the default settings, per
table, so a test compares the whole database against them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select, text

from app.models import (
    HistoryEntry,
    ImportRequest,
    ProjectForecastSnapshot,
    ScheduleRequest,
    SecurityAuditEntry,
    Sprint,
    SprintCloseRequest,
    SsoAttempt,
    SyncBatch,
    Task,
    TaskRun,
    WebhookDelivery,
    WebhookEndpoint,
)
from app.state import AppState, unit_of_work
from tests.app.scheduling.factories import add_tasks
from tests.factories import make_project, make_user, make_workspace

DAY = dt.timedelta(days=1)


def _ago(now: dt.datetime, days: float) -> dt.datetime:
    return now - days * DAY


def _snapshot(project_id: uuid.UUID, at: dt.datetime) -> ProjectForecastSnapshot:
    return ProjectForecastSnapshot(
        project_id=project_id,
        captured_at=at,
        kind="floor",
        task_count=1,
        completed_count=0,
        critical_count=1,
    )


async def _tombstones(state: AppState, stale: uuid.UUID, fresh: uuid.UUID) -> None:
    async with unit_of_work(state.sessions) as uow:
        # As if time had passed: triggers off so the rows keep their sync numbers.
        await uow.session.execute(text("SET LOCAL session_replication_role = replica"))
        await uow.session.execute(
            text(
                "UPDATE task SET is_deleted = true, updated_at = now() - interval '40 days'"
                " WHERE id = :i"
            ),
            {"i": stale},
        )
        await uow.session.execute(
            text("UPDATE task SET is_deleted = true WHERE id = :i"), {"i": fresh}
        )


async def seed_everything(state: AppState, now: dt.datetime) -> dict[str, set[Any]]:
    owner = await make_user(state)
    project = await make_project(state, await make_workspace(state, owner))
    p = project.id
    tasks = await add_tasks(
        state, project, {"live": ("task", 1), "fresh": ("task", 1), "stale": ("task", 1)}
    )
    await _tombstones(state, tasks["stale"], tasks["fresh"])
    keep: dict[str, set[Any]] = {}
    async with unit_of_work(state.sessions) as uow:
        s = uow.session
        history = [
            HistoryEntry(
                table_name="retention-test",
                object_id=uuid.uuid4(),
                action="update",
                at=_ago(now, age),
            )
            for age in (10, 100, 200)
        ]
        runs = [
            TaskRun(project_id=p, kind="cpm", state="succeeded", finished_at=_ago(now, 40)),
            TaskRun(project_id=p, kind="cpm", state="failed", finished_at=_ago(now, 31)),
            TaskRun(project_id=p, kind="cpm", state="succeeded", finished_at=_ago(now, 5)),
            TaskRun(project_id=p, kind="cpm", state="running", started_at=_ago(now, 90)),
        ]
        requests = [
            ScheduleRequest(project_id=p, reason="t", done_at=_ago(now, 10)),
            ScheduleRequest(project_id=p, reason="t", done_at=_ago(now, 2)),
            ScheduleRequest(project_id=p, reason="t", created_at=_ago(now, 30)),  # pending
        ]
        sprint = Sprint(
            project_id=p,
            name="S1",
            start_date=dt.date(2026, 1, 5),
            end_date=dt.date(2026, 1, 16),
            state="closed",
        )
        s.add(sprint)
        await s.flush()
        closes = [
            SprintCloseRequest(project_id=p, sprint_id=sprint.id, done_at=_ago(now, 8)),
            SprintCloseRequest(project_id=p, sprint_id=sprint.id, done_at=_ago(now, 1)),
            SprintCloseRequest(project_id=p, sprint_id=sprint.id, created_at=_ago(now, 60)),
        ]
        batches = [
            SyncBatch(
                user_id=owner.id,
                client_batch_id=name,
                project_id=p,
                status_code=200,
                response={},
                created_at=now - dt.timedelta(hours=hours),
            )
            for name, hours in (("old", 30), ("new", 1))
        ]
        # Tuesday and Wednesday of the ISO week ~200 days back: the weekly tier keeps the later.
        back = _ago(now, 200)
        tuesday = (back - back.weekday() * DAY).replace(hour=12, minute=0) + DAY
        snapshots = [
            _snapshot(p, tuesday),
            _snapshot(p, tuesday + DAY),
            _snapshot(p, _ago(now, 3)),
        ]
        # Imports ended 31 and 29 days ago (window 30) and one open for 60: only the first goes.
        imports = [
            ImportRequest(
                project_id=p, file_name=f"{n}.xml", file_format="mspdi", file_size=1,
                file_sha256=f"{n:064d}", state=state, created_at=_ago(now, 60),
                ended_at=None if ended is None else _ago(now, ended),
            )
            for n, (state, ended) in enumerate((("DONE", 31), ("DEAD", 29), ("PENDING", None)))
        ]  # fmt: skip
        endpoint = WebhookEndpoint(
            workspace_id=project.workspace_id,
            project_id=p,
            url="https://example.com/hook",
            events=["task.created"],
            secret="whsec_" + "A" * 43,
        )
        s.add(endpoint)
        await s.flush()
        # Deliveries finished 31 and 29 days ago (window 30) and one pending for 60.
        deliveries = [
            WebhookDelivery(
                endpoint_id=endpoint.id, sequence=n + 1, event_type="task.created", body="{}",
                state=state, created_at=_ago(now, 60),
                finished_at=None if ended is None else _ago(now, ended),
            )
            for n, (state, ended) in enumerate(
                (("delivered", 31), ("failed", 29), ("pending", None))
            )
        ]  # fmt: skip
        # Audit entries 366 and 364 days old (window 365): the first goes.
        audits = [
            SecurityAuditEntry(event="login.succeeded", user_id=owner.id, at=_ago(now, days))
            for days in (366, 364)
        ]
        # Single sign-on attempts 25 and 23 hours old (kept a day): the first goes.
        attempts = [
            SsoAttempt(
                state_hash=f"{hours:064d}", provider="corp", nonce="n", code_verifier="v",
                binding_hash="b" * 64, created_at=_ago(now, hours / 24),
                expires_at=now,
            )
            for hours in (25, 23)
        ]  # fmt: skip
        s.add_all(
            [
                *history, *runs, *requests, *closes, *batches, *snapshots, *imports,
                *deliveries, *audits, *attempts,
            ]
        )  # fmt: skip
        await s.flush()
        keep["history"] = {history[0].id}
        keep["task_runs"] = {runs[2].id, runs[3].id}
        keep["schedule_requests"] = {requests[1].id, requests[2].id}
        keep["sprint_close_requests"] = {closes[1].id, closes[2].id}
        keep["sync_batches"] = {"new"}
        keep["sync_tombstones"] = {tasks["live"], tasks["fresh"]}
        keep["forecast_snapshots"] = {snapshots[1].id, snapshots[2].id}
        keep["plan_imports"] = {imports[1].id, imports[2].id}
        keep["webhook_deliveries"] = {deliveries[1].id, deliveries[2].id}
        keep["security_audit"] = {audits[1].id}
        keep["sso_attempts"] = {attempts[1].id}
    return keep


async def surviving(state: AppState) -> dict[str, set[Any]]:
    """The same sets, read back from the database."""
    queries = {
        "history": select(HistoryEntry.id).where(HistoryEntry.table_name == "retention-test"),
        "task_runs": select(TaskRun.id),
        "schedule_requests": select(ScheduleRequest.id),
        "sprint_close_requests": select(SprintCloseRequest.id),
        "sync_batches": select(SyncBatch.client_batch_id),
        "sync_tombstones": select(Task.id),
        "forecast_snapshots": select(ProjectForecastSnapshot.id),
        "plan_imports": select(ImportRequest.id),
        "webhook_deliveries": select(WebhookDelivery.id),
        "security_audit": select(SecurityAuditEntry.id),
        "sso_attempts": select(SsoAttempt.id),
    }
    async with state.sessions() as session:
        return {name: set((await session.execute(q)).scalars()) for name, q in queries.items()}
