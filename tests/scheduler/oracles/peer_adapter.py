"""Translate between our engine's model and the peer engine ``trueppm_scheduler``.

The peer is a test-only dependency used as a differential oracle and a benchmark
baseline. Its conventions, checked against its README and by calling it:

- duration: both count whole working days (peer: ``timedelta(days=n)``).
- finish date: both give the inclusive last working day.
- lag: ours counts working days, or elapsed days with ``LagUnit.ELAPSED_DAYS``; the peer
  always counts calendar days and snaps the result forward to the successor's next
  working day.
- calendar: same weekday bitmask (bit 0 = Monday); our holidays become one-day
  ``DateRange`` exceptions; the peer has no extra working days.
- float: ours ``int`` working days, the peer ``timedelta`` working days.
- constraints: the peer only knows start-no-earlier-than (``planned_start``).
- summaries: the peer has none; milestones are any zero-duration task there.
- PERT: the peer fits a Beta by moments to mean (O+4M+P)/6 and sd (P-O)/6 and floors
  every sample at ``duration``.

So only a *working-day* lag of zero and an *elapsed-day* lag of any size mean the same
thing in both engines; :func:`to_peer` refuses anything it cannot translate exactly
rather than comparing two different questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import trueppm_scheduler as peer

from scheduler import ConstraintType, LagUnit, Network, TaskKind

_PEER_LINKS = {
    "FS": peer.DependencyType.FS,
    "SS": peer.DependencyType.SS,
    "FF": peer.DependencyType.FF,
    "SF": peer.DependencyType.SF,
}


class Untranslatable(ValueError):
    """The network uses a feature whose meaning differs in the peer engine."""


@dataclass(frozen=True, slots=True)
class Dates:
    """One task's CPM result in a form both engines can be compared in."""

    early_start: date
    early_finish: date
    late_start: date
    late_finish: date
    total_float: int
    free_float: int
    is_critical: bool


def _days(n: int | None) -> timedelta | None:
    return None if n is None else timedelta(days=n)


def _peer_calendar(network: Network, calendar_id: str) -> Any:
    cal = network.calendars[calendar_id]
    if cal.extra_working_days:
        raise Untranslatable(f"calendar {calendar_id}: the peer has no extra working days")
    ranges = [peer.DateRange(d, d) for d in sorted(cal.holidays)]
    return peer.Calendar(working_days=cal.working_weekdays, exceptions=ranges)


def to_peer(network: Network, project_id: str = "p") -> Any:
    """Build the peer's ``Project`` for ``network`` or raise :class:`Untranslatable`."""
    tasks = []
    for t in network.tasks:
        if t.kind == TaskKind.SUMMARY or t.parent is not None:
            raise Untranslatable(f"task {t.id}: the peer has no summary tasks")
        if t.constraint_type not in (ConstraintType.ASAP, ConstraintType.SNET):
            raise Untranslatable(f"task {t.id}: the peer only knows start-no-earlier-than")
        if t.actual_start or t.actual_finish or t.deadline:
            raise Untranslatable(f"task {t.id}: progress and deadlines are not compared")
        tasks.append(
            peer.Task(
                id=t.id,
                name=t.name or t.id,
                duration=timedelta(days=t.duration),
                planned_start=t.constraint_date,
                optimistic_duration=_days(t.optimistic),
                most_likely_duration=_days(t.most_likely),
                pessimistic_duration=_days(t.pessimistic),
                calendar_id=t.calendar,
            )
        )
    deps = []
    for d in network.dependencies:
        if d.lag != 0 and d.lag_unit != LagUnit.ELAPSED_DAYS:
            raise Untranslatable(f"link {d.predecessor}->{d.successor}: peer lag is elapsed")
        kind = _PEER_LINKS[str(getattr(d.type, "value", d.type))]
        deps.append(peer.Dependency(d.predecessor, d.successor, kind, timedelta(days=d.lag)))
    default = network.default_calendar
    calendar = _peer_calendar(network, default) if default else peer.Calendar()
    registry = {cid: _peer_calendar(network, cid) for cid in network.calendars}
    return peer.Project(
        id=project_id,
        name=project_id,
        start_date=network.start,
        tasks=tasks,
        dependencies=deps,
        calendar=calendar,
        calendars=registry or None,
    )


def peer_dates(result: Any) -> dict[str, Dates]:
    """The peer's ``ScheduleResult`` as :class:`Dates` keyed by task id."""
    return {
        t.id: Dates(
            t.early_start,
            t.early_finish,
            t.late_start,
            t.late_finish,
            t.total_float.days,
            t.free_float.days,
            t.is_critical,
        )
        for t in result.tasks
    }


def our_dates(result: Any) -> dict[str, Dates]:
    """Our ``ScheduleResult`` as :class:`Dates` keyed by task id."""
    return {
        tid: Dates(
            r.early_start,
            r.early_finish,
            r.late_start,
            r.late_finish,
            r.total_float,
            r.free_float,
            r.is_critical,
        )
        for tid, r in result.tasks.items()
    }
