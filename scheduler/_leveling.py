"""Resource leveling of a network: delay tasks until every resource has room for them.

``level(network, resources, assignments, options)`` schedules the network by CPM, turns its
leaf tasks into a resource-constrained problem on the working days of the project calendar
(``_rcpsp``), solves it, and writes each delay back as the task's ``leveled_start`` (a
start-no-earlier-than floor kept beside the task's own constraint); the engine then schedules
the leveled network, so every link, constraint, calendar and piece of progress holds by
construction (the leveling only ever adds later floors). Durations never change.

The load is then measured on the leveled dates themselves: a task uses its resources on each
of its working days that is also a working day of the resource (its base calendar, less its
days off), at the assignment's units. Where a task's calendar differs from the project's, the
problem's periods are an approximation of its days; any period still over-full is leveled
again from the new dates (a few rounds at most), and what remains is reported, never hidden.

An elapsed lag stands for a number of working days that depends on the day it counts from
(three calendar days are three working days from a Monday, one from a Thursday). Between
tasks on the project calendar the problem places such a link by the engine's own rule, as a
function of the predecessor's period (``Rcpsp.timed``), so the leveled schedule is the one
the engine computes from the floors. As a safety net, a task the engine would still start
earlier than the problem placed it gets a floor there, and a task it starts later has that
link lengthened and the problem solved again.

What may not move: started tasks and Must Start/Finish On constraints keep their dates;
priority-1000 tasks, tasks with a Start/Finish No Later Than constraint or as late as
possible, and tasks outside the leveling range are never delayed for resources (they may
overload, and the report says so); with ``within_slack`` a task is delayed only within its
total float.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

import numpy as np

from ._calendar import WorkCalendar
from ._cpm import schedule
from ._cpsat import solve_rcpsp_exact
from ._errors import SchedulerError
from ._model import (
    MON_FRI,
    Calendar,
    ConstraintType,
    DateRules,
    Dependency,
    LagUnit,
    LinkType,
    Task,
    TaskKind,
)
from ._network import Network
from ._rcpsp import Rcpsp, RcpspRule, RcpspSchedule, solve_rcpsp
from ._result import ScheduleResult

__all__ = [
    "Assignment",
    "LevelingError",
    "LevelingOptions",
    "LevelingResult",
    "Overallocation",
    "Resource",
    "daily_usage",
    "level",
    "level_many",
]

_SCALE = 100  # units are held as whole hundredths (1.0 = one full-time person = 100)
_ROUNDS = 3
_EXACT_SECONDS = 10.0  # CP-SAT's time limit when the options give none
_CORRECTIONS = 4  # re-solves after an elapsed lag's length was corrected (module docstring)


class LevelingError(SchedulerError, ValueError):
    """Resources or assignments that cannot be leveled (unknown ids, negative units, ...)."""


@dataclass(frozen=True, slots=True)
class Resource:
    """A resource: ``units`` available (1.0 = one full-time person), changing from each date
    of ``changes`` on (e.g. ``((date(2027, 3, 1), 0.5),)``: half-time from March), never on
    the working days of ``calendar`` it is off, nor on ``days_off``."""

    id: str
    units: float = 1.0
    changes: tuple[tuple[date, float], ...] = ()
    calendar: str | None = None  # a calendar of the network; None: the project calendar
    days_off: frozenset[date] = frozenset()


@dataclass(frozen=True, slots=True)
class Assignment:
    """``resource`` works on ``task`` at ``units`` (0.5 = half of one full-time person)."""

    task: str
    resource: str
    units: float = 1.0


class LevelingSolver(StrEnum):
    """Which solver levels: the heuristic (always there), or CP-SAT from the optional
    ``trueppm[cpsat]`` (``solve_rcpsp_exact``: the heuristic first, then an exact search
    from it within the time limit)."""

    HEURISTIC = "heuristic"
    CPSAT = "cpsat"


@dataclass(frozen=True, slots=True)
class LevelingOptions:
    """How to level.

    Attributes:
        rule: The order tasks are considered in (Microsoft Project's standard order by
            default: priority, then slack, then successors, then id).
        within_slack: Delay a task only within its total float.
        level_from, level_to: Only tasks starting in this range (early dates) are delayed.
        priorities: Per task id, 0-1000 (default 500); 1000 is never delayed.
        schedules: Budget of schedule generation passes for the search (None: 1,000 for a
            small plan, fewer as it grows, never below the rule's pass justified).
        seconds: Time limit of the search (None: the budget alone; the result says how
            many schedules it used, which repeats it exactly).
        seed: Seed of the search.
        solver: The heuristic, or CP-SAT (``seconds`` is then its time limit, 10 s when
            None; it returns the heuristic's schedule where it finds nothing better).
    """

    rule: RcpspRule = RcpspRule.STANDARD
    within_slack: bool = False
    level_from: date | None = None
    level_to: date | None = None
    priorities: Mapping[str, int] = field(default_factory=dict)
    schedules: int | None = None
    seconds: float | None = None
    seed: int = 0
    solver: LevelingSolver = LevelingSolver.HEURISTIC


@dataclass(frozen=True, slots=True)
class Overallocation:
    """A resource asked for more than it has over ``first`` .. ``last`` (working days), by
    ``tasks``, and why leveling left it."""

    resource: str
    first: date
    last: date
    tasks: tuple[str, ...]
    used: float  # the most units asked for on one of those days
    available: float
    reason: str


@dataclass(frozen=True)
class LevelingResult:
    """The leveled schedule.

    Attributes:
        network: The input with ``leveled_start`` set on every delayed task.
        result: The engine's schedule of ``network``.
        delays: Working days (on the task's calendar) each delayed task moved; others absent.
        overallocations: What is still over-full, with the reason.
        schedules: Schedule generation passes the search used (over all rounds).
        stopped_by: Why the last search stopped (``"lower bound"``, ``"schedules"``,
            ``"time"``, or ``"nothing to level"``; with CP-SAT, ``"optimal"``, ``"time"``,
            or ``"heuristic: "`` and why the problem was not given to it).
    """

    network: Network
    result: ScheduleResult
    delays: Mapping[str, int]
    overallocations: tuple[Overallocation, ...]
    schedules: int
    stopped_by: str


def _units(value: float, what: str) -> int:
    if not value >= 0 or value != value or value == float("inf"):
        raise LevelingError(f"{what}: units must be a finite number >= 0, not {value!r}")
    return round(value * _SCALE)


def _leaves(network: Network) -> list[Task]:
    parents = {t.parent for t in network.tasks if t.parent is not None}
    return [t for t in network.tasks if t.id not in parents]


def _below(network: Network) -> dict[str, list[str]]:
    """Every task id -> the leaf ids under it (itself for a leaf)."""
    children: dict[str, list[str]] = defaultdict(list)
    for t in network.tasks:
        if t.parent is not None:
            children[t.parent].append(t.id)
    out: dict[str, list[str]] = {}

    def walk(tid: str) -> list[str]:
        if tid not in out:
            kids = children.get(tid)
            out[tid] = [leaf for k in kids for leaf in walk(k)] if kids else [tid]
        return out[tid]

    for t in network.tasks:
        walk(t.id)
    return out


class _Days:
    """Working-day tests of one calendar, cached by day (plans ask about the same days)."""

    def __init__(self, calendar: Calendar | None) -> None:
        self.calendar = WorkCalendar(calendar or Calendar("project", MON_FRI))
        self._known: dict[int, bool] = {}

    def working(self, ordinal: int) -> bool:
        known = self._known.get(ordinal)
        if known is None:
            known = self._known[ordinal] = self.calendar.working(ordinal)
        return known

    def between(self, first: int, last: int) -> list[int]:
        """The working days' ordinals from ``first`` through ``last``."""
        if last < first:
            return []
        days = np.arange(first, last + 1, dtype=np.int64)
        return list(days[self.calendar.is_working(days)].tolist())


class _Axis:
    """The working days of the project calendar, numbered from the earliest day a task
    starts (the project start, or before it where a link lets a task start earlier)."""

    def __init__(self, network: Network, earliest: date) -> None:
        self.calendar = WorkCalendar(_project_calendar(network) or Calendar("project", MON_FRI))
        self.origin = self.calendar.cb(earliest.toordinal())
        self._ordinals: list[int] = []

    def at(self, day: date) -> int:
        """The first working day at or after ``day``."""
        return self.calendar.cb(day.toordinal()) - self.origin

    def through(self, day: date) -> int:
        """The last working day at or before ``day``."""
        return self.calendar.cb(day.toordinal() + 1) - self.origin - 1

    def ordinals(self, span: int) -> list[int]:
        """The day ordinals of periods 0 .. span - 1 (built once, then extended)."""
        if len(self._ordinals) < span:
            periods = np.arange(span, dtype=np.int64) + self.origin
            self._ordinals = list(self.calendar.days_of(periods).tolist())
        return self._ordinals[:span]

    def day(self, period: int) -> date:
        return date.fromordinal(self.calendar.day_of(period + self.origin))

    def elapsed(self, lag: int, horizon: int) -> int:
        """The working days (periods) an elapsed lag of ``lag`` calendar days usually stands
        for on this calendar: the median, over the working days of periods 0 .. horizon, of
        the working days after such a day through ``lag`` days later (negative for a lead).
        Where it runs longer for a job, `_Leveler.correct` lengthens it; where shorter, the
        job gets a floor (`_Leveler.early`): the leveled plan is what the engine computes."""
        if lag == 0:
            return 0
        reach = abs(lag) + 7
        first = self.calendar.day_of(self.origin) - reach
        last = self.calendar.day_of(self.origin + max(horizon, 1)) + reach
        working = self.calendar.is_working(np.arange(first, last + 1, dtype=np.int64))
        sums = np.concatenate(([0], np.cumsum(working, dtype=np.int64)))
        anchors = np.flatnonzero(working[reach : len(working) - reach]) + reach
        counts = sums[anchors + lag + 1] - sums[anchors + 1]  # signed: a lead counts back
        return int(np.median(counts)) if counts.size else round(lag * 5 / 7)


class _Elapsed:
    """Exact bounds of elapsed-lag links between two tasks on the axis calendar, as
    functions of the predecessor's start period (what `Rcpsp.timed` takes). The rules are the
    engine's (``_passes._elapsed_forward`` and, under Microsoft Project's rules,
    ``_project_forward``): a start bound is the first working day at or after the lagged day
    (after it, from a finish); a finish bound ends the successor on the first working day at
    or after it (under Project's rules the successor's duration is taken off the
    predecessor's end first, and the lag counted from there)."""

    def __init__(self, axis: _Axis, horizon: int) -> None:
        self.calendar, self.origin = axis.calendar, axis.origin
        self.lo = -horizon - 64
        periods = np.arange(self.lo, 3 * horizon + 64, dtype=np.int64) + axis.origin
        days = axis.calendar.days_of(periods)
        self.days: list[int] = days.tolist()
        self.first = int(days[0]) - 64
        span = np.arange(self.first, int(days[-1]) + 64, dtype=np.int64)
        self.counts: list[int] = (axis.calendar.count_before(span) - axis.origin).tolist()
        self._made: dict[tuple[LinkType, int, int, int, DateRules], Callable[[int], int]] = {}

    def day(self, period: int) -> int:
        k = period - self.lo
        if 0 <= k < len(self.days):
            return self.days[k]
        return self.calendar.day_of(period + self.origin)

    def at(self, day: int) -> int:
        k = day - self.first
        if 0 <= k < len(self.counts):
            return self.counts[k]
        return self.calendar.cb(day) - self.origin

    def bound(
        self, kind: LinkType, lag: int, da: int, db: int, rules: DateRules
    ) -> Callable[[int], int]:
        """The bound of such a link (one function per kind of link, shared by every link
        of that kind: the exact solver tabulates each function once)."""
        key = (kind, lag, da, db, rules)
        fn = self._made.get(key)
        if fn is None:
            fn = self._made[key] = self._bound(kind, lag, da, db, rules)
        return fn

    def _bound(
        self, kind: LinkType, lag: int, da: int, db: int, rules: DateRules
    ) -> Callable[[int], int]:
        day, at = self.day, self.at
        project = rules is DateRules.MS_PROJECT
        if kind is LinkType.FS:
            return lambda s: at(day(s + da - 1) + lag + 1)
        if kind is LinkType.SS:
            return lambda s: at(day(s) + lag)
        if kind is LinkType.FF:
            if project:
                return lambda s: at(day(s + da - db) + lag)
            return lambda s: at(day(s + da - 1) + lag) - db + 1
        if project:
            return lambda s: at(day(s - db) + lag)
        if lag > 0:
            return lambda s: at(day(s) - 1 + lag) - db + 1
        return lambda s: at(day(s - 1) + lag) - db + 1


def _lengthened(bound: Callable[[int], int], periods: int) -> Callable[[int], int]:
    return lambda start: bound(start) + periods


class _Capacity:
    """Per resource and day: units available (in hundredths)."""

    def __init__(
        self,
        calendars: Mapping[str, Calendar],
        default: Calendar | None,
        resources: Sequence[Resource],
    ) -> None:
        self.by_id = {r.id: r for r in resources}
        cache: dict[str, _Days] = {}
        self.calendar_of: dict[str, _Days] = {}
        self.own_calendar: dict[str, bool] = {}  # not the project calendar
        for r in resources:
            if r.calendar is not None and r.calendar not in calendars:
                raise LevelingError(f"resource {r.id}: unknown calendar {r.calendar!r}")
            cal = calendars[r.calendar] if r.calendar else default
            key = cal.id if cal else ""
            if key not in cache:
                cache[key] = _Days(cal)
            self.calendar_of[r.id] = cache[key]
            self.own_calendar[r.id] = cal is not default
            self._check(r)
        self.changes = {r.id: sorted(r.changes) for r in resources}
        self._since = {rid: [d.toordinal() for d, _ in c] for rid, c in self.changes.items()}
        self._offs = {r.id: {d.toordinal() for d in r.days_off} for r in resources}

    @staticmethod
    def _check(r: Resource) -> None:
        _units(r.units, f"resource {r.id}")
        for day, units in r.changes:
            if not isinstance(day, date):
                raise LevelingError(f"resource {r.id}: an availability change needs a date")
            _units(units, f"resource {r.id} from {day}")

    def max_units(self, resource: str, ordinal: int) -> int:
        """Units of the resource in force on a day, working or not."""
        k = bisect_right(self._since[resource], ordinal)
        value = self.changes[resource][k - 1][1] if k else self.by_id[resource].units
        return _units(value, resource)

    def units(self, resource: str, ordinal: int) -> int:
        """Units available on a day (0 on its days off and non-working days)."""
        return self.max_units(resource, ordinal) if self.works(resource, ordinal) else 0

    def works(self, resource: str, ordinal: int) -> bool:
        return ordinal not in self._offs[resource] and self.calendar_of[resource].working(ordinal)


_Asked = dict[tuple[str, int], list[Any]]  # (resource, day ordinal) -> [units, task ids]


def _asked(
    network: Network,
    result: ScheduleResult,
    capacity: _Capacity,
    assignments: Sequence[Assignment],
    first: int,
    last: int,
) -> _Asked:
    """Units asked of each resource on each day from ``first`` through ``last`` (ordinals),
    and by which tasks: on the task's working days that are also the resource's."""
    tasks = {t.id: t for t in network.tasks}
    calendars: dict[str, _Days] = {}
    asked: _Asked = {}
    for a in assignments:
        task, dates = tasks[a.task], result.tasks[a.task]
        if task.kind is TaskKind.MILESTONE or task.duration == 0:
            continue
        cid = task.calendar or network.default_calendar or ""
        days = calendars.get(cid)
        if days is None:
            days = calendars[cid] = _Days(network.calendars.get(cid))
        lo = max(dates.start.toordinal(), first)
        hi = min(dates.finish.toordinal(), last)
        for ordinal in days.between(lo, hi):
            if capacity.works(a.resource, ordinal):
                entry = asked.get((a.resource, ordinal))
                if entry is None:
                    asked[a.resource, ordinal] = [a.units, [a.task]]
                else:
                    entry[0] += a.units
                    entry[1].append(a.task)
    return asked


def daily_usage(
    network: Network,
    result: ScheduleResult,
    resources: Sequence[Resource],
    assignments: Sequence[Assignment],
    first: date,
    last: date,
) -> dict[str, dict[date, tuple[float, float, tuple[str, ...]]]]:
    """Per resource and day from ``first`` through ``last``: units asked for, units
    available, and the tasks asking. A task asks on its working days that are also the
    resource's, from its scheduled start through its finish (completed tasks included)."""
    capacity = _Capacity(network.calendars, _project_calendar(network), resources)
    checked = _checked(network, resources, assignments)
    lo, hi = first.toordinal(), last.toordinal()
    asked = _asked(network, result, capacity, checked, lo, hi)
    out: dict[str, dict[date, tuple[float, float, tuple[str, ...]]]] = {}
    for r in resources:
        row = {}
        for ordinal in range(lo, hi + 1):
            units, who = asked.get((r.id, ordinal), (0.0, []))
            row[date.fromordinal(ordinal)] = (
                round(units, 6),
                capacity.units(r.id, ordinal) / _SCALE,
                tuple(sorted(who)),
            )
        out[r.id] = row
    return out


def _project_calendar(network: Network) -> Calendar | None:
    return network.calendars.get(network.default_calendar or "")


def _checked(
    network: Network, resources: Sequence[Resource], assignments: Sequence[Assignment]
) -> list[Assignment]:
    ids = {t.id: t for t in network.tasks}
    parents = {t.parent for t in network.tasks if t.parent is not None}
    known = {r.id for r in resources}
    if len(known) != len(resources):
        raise LevelingError("two resources share an id")
    seen: set[tuple[str, str]] = set()
    for a in assignments:
        if a.task not in ids:
            raise LevelingError(f"assignment to unknown task {a.task!r}")
        if a.resource not in known:
            raise LevelingError(f"task {a.task}: assignment to unknown resource {a.resource!r}")
        if a.task in parents:
            raise LevelingError(f"task {a.task}: a summary task takes no assignment")
        if (a.task, a.resource) in seen:
            raise LevelingError(f"task {a.task}: resource {a.resource} assigned twice")
        seen.add((a.task, a.resource))
        if _units(a.units, f"task {a.task}, resource {a.resource}") == 0:
            raise LevelingError(f"task {a.task}, resource {a.resource}: units must be > 0")
        if ids[a.task].kind is TaskKind.MILESTONE:
            raise LevelingError(f"task {a.task}: a milestone takes no work (units on it)")
    return list(assignments)


_PINNED = (ConstraintType.MSO, ConstraintType.MFO)
_Row = tuple[float, float, tuple[str, ...]]  # units asked, units available, tasks asking
_KEPT = (ConstraintType.SNLT, ConstraintType.FNLT, ConstraintType.ALAP)


@dataclass
class _Job:
    task: Task
    plan: int  # which plan the task belongs to
    release: int
    duration: int
    fixed: bool  # started, or Must Start/Finish On: keeps its dates
    why: str | None = None  # why it is pinned or never delayed, in words


@dataclass(frozen=True)
class _Plan:
    network: Network
    assignments: list[Assignment]
    base: ScheduleResult  # without resources


class _Leveler:
    """Leveling of one or several plans sharing one pool (task ids unique across them)."""

    def __init__(
        self, plans: list[_Plan], resources: Sequence[Resource], options: LevelingOptions
    ) -> None:
        self.plans = plans
        self.options = options
        first = min(plans, key=lambda p: p.network.start).network
        calendars: dict[str, Calendar] = {}
        for plan in plans:
            calendars.update(plan.network.calendars)
        self.capacity = _Capacity(calendars, _project_calendar(first), resources)
        earliest = min(
            min([p.network.start, *(min(r.start, r.early_start) for r in p.base.tasks.values())])
            for p in plans
        )
        self.axis = _Axis(first, earliest)
        self.leaves: list[tuple[int, Task]] = [
            (k, t) for k, plan in enumerate(plans) for t in _leaves(plan.network)
        ]
        self.index = {t.id: i for i, (_, t) in enumerate(self.leaves)}
        axis_calendar = _project_calendar(first) or Calendar("project", MON_FRI)
        same: dict[tuple[int, str], bool] = {}
        self.on_axis: list[bool] = []  # the task works on the axis calendar (exact lags)
        for k, t in self.leaves:
            net = plans[k].network
            cid = t.calendar or net.default_calendar or ""
            if (k, cid) not in same:
                same[k, cid] = (net.calendars.get(cid) or Calendar("project", MON_FRI)) == (
                    axis_calendar
                )
            self.on_axis.append(same[k, cid])
        if len(self.index) != len(self.leaves):
            raise LevelingError("plans leveled together must not share task ids")
        self.assignments = [a for plan in plans for a in plan.assignments]
        self.resources = sorted({a.resource for a in self.assignments})
        self.rindex = {r: k for k, r in enumerate(self.resources)}
        self.demand: dict[str, list[int]] = {}
        for a in self.assignments:
            row = self.demand.setdefault(a.task, [0] * len(self.resources))
            row[self.rindex[a.resource]] += _units(a.units, a.task)
        self.links: list[tuple[int, int, Dependency]] = []
        for plan in plans:
            net = plan.network
            below = _below(net)
            self.links += [
                (self.index[p], self.index[s], dep)
                for dep in net.dependencies
                for p in below[dep.predecessor]
                for s in below[dep.successor]
            ]
        # job -> its links in: (link index, predecessor job, link)
        self.incoming: dict[int, list[tuple[int, int, Dependency]]] = defaultdict(list)
        for k, (pred, succ, dep) in enumerate(self.links):
            self.incoming[succ].append((k, pred, dep))
        self.longer: dict[int, int] = {}  # link -> periods its elapsed lag was found to run longer
        self.corrections = 0
        for tid, value in options.priorities.items():
            if not 0 <= value <= 1000:
                raise LevelingError(f"task {tid}: priority must be 0-1000, not {value}")

    # -- the problem ----------------------------------------------------------------------

    def jobs(self, current: list[ScheduleResult]) -> list[_Job]:
        axis, opts = self.axis, self.options
        out = []
        for k, t in self.leaves:
            r = current[k].tasks[t.id]
            milestone = t.kind is TaskKind.MILESTONE or t.duration == 0
            fixed = t.actual_start is not None or t.constraint_type in _PINNED
            first = r.start if fixed else r.early_start
            last = r.finish if fixed else r.early_finish
            start = axis.at(first)
            duration = 0 if milestone else max(1, axis.through(last) - start + 1)
            job = _Job(t, k, start, duration, fixed)
            priority = opts.priorities.get(t.id, 500)
            early = self.plans[k].base.tasks[t.id].early_start
            if t.actual_start is not None:
                job.why = "started work keeps its dates"
            elif t.constraint_type in _PINNED:
                job.why = f"its {t.constraint_type.value} constraint keeps its date"
            elif priority >= 1000:
                job.why = "priority 1000: never delayed by leveling"
            elif t.constraint_type in _KEPT:
                job.why = f"its {t.constraint_type.value} constraint is not delayed by leveling"
            elif (opts.level_from and early < opts.level_from) or (
                opts.level_to and early > opts.level_to
            ):
                job.why = "outside the leveling range"
            out.append(job)
        return out

    def problem(self, jobs: list[_Job]) -> Rcpsp:
        axis, n = self.axis, len(jobs)
        durations = [j.duration for j in jobs]
        empty = [0] * len(self.resources)
        demands = [
            self.demand.get(j.task.id, empty)
            if j.duration and j.task.actual_finish is None
            else empty
            for j in jobs
        ]
        horizon = max((j.release + j.duration for j in jobs), default=0)
        elapsed: dict[int, int] = {}
        exact: _Elapsed | None = None
        timed: dict[int, Callable[[int], int]] = {}
        links = []
        for k, (a, b, dep) in enumerate(self.links):
            lag = dep.lag
            if dep.lag_unit is LagUnit.ELAPSED_DAYS:
                if lag not in elapsed:
                    elapsed[lag] = axis.elapsed(lag, horizon)
                if self.on_axis[a] and self.on_axis[b] and durations[a] and durations[b]:
                    exact = exact or _Elapsed(axis, horizon)
                    rules = self.plans[jobs[b].plan].network.rules
                    fn = exact.bound(dep.type, lag, durations[a], durations[b], rules)
                    longer = self.longer.get(k, 0)
                    timed[k] = fn if not longer else _lengthened(fn, longer)
                lag = elapsed[lag] + self.longer.get(k, 0)
            da, db = durations[a], durations[b]
            distance = {
                LinkType.FS: da + lag,
                LinkType.SS: lag,
                LinkType.FF: da + lag - db,
                LinkType.SF: lag - db,
            }[dep.type]
            links.append((a, b, distance))
        pinned = {i: j.release for i, j in enumerate(jobs) if j.fixed}
        unleveled = frozenset(i for i, j in enumerate(jobs) if j.why and i not in pinned)
        latest: list[int | None] = [None] * n
        if self.options.within_slack:
            latest = [
                max(axis.at(self.plans[j.plan].base.tasks[j.task.id].late_start), j.release)
                for j in jobs
            ]
        return Rcpsp(
            durations=durations,
            demands=demands,
            capacity=[self.profile(r, horizon) for r in self.resources],
            links=links,
            release=[j.release for j in jobs],
            pinned=pinned,
            unleveled=unleveled,
            latest=latest,
            priority=[self.options.priorities.get(j.task.id, 500) for j in jobs],
            timed=timed,
        )

    def profile(self, resource: str, horizon: int) -> list[int]:
        """Units per project working day; the last value holds after. On the project's own
        calendar without days off, only the dated changes make a profile (one value when
        there are none); otherwise each day over the plan and as far again is looked at."""
        cap, axis = self.capacity, self.axis
        changes = cap.changes[resource]
        if not cap.own_calendar[resource] and not cap.by_id[resource].days_off:
            if not changes:
                return [_units(cap.by_id[resource].units, resource)]
            span = axis.through(changes[-1][0]) + 2
            return [cap.max_units(resource, o) for o in axis.ordinals(max(span, 1))]
        marks = [axis.through(d) for d, _ in changes]
        marks += [axis.through(d) for d in cap.by_id[resource].days_off]
        span = max([2 * horizon + 10, *[m + 2 for m in marks]])
        return [cap.units(resource, o) for o in axis.ordinals(span)]

    # -- applying and checking ------------------------------------------------------------

    def apply(self, jobs: list[_Job], problem: Rcpsp, solved: RcpspSchedule) -> dict[str, int]:
        """Each job's own leveling delay (periods beyond what its links and floor allow)."""
        starts = solved.starts
        bound = list(problem.release)
        for k, (a, b, distance) in enumerate(problem.links):
            fn = problem.timed.get(k)
            bound[b] = max(bound[b], fn(starts[a]) if fn else starts[a] + distance)
        return {
            jobs[i].task.id: starts[i] - bound[i]
            for i in range(len(jobs))
            if starts[i] > bound[i] and i not in problem.pinned
        }

    def early(
        self, jobs: list[_Job], problem: Rcpsp, starts: Sequence[int],
        results: list[ScheduleResult],
    ) -> dict[str, int]:  # fmt: skip
        """Jobs using a resource that the engine starts before the leveled schedule placed
        them (a link the problem counted on the safe side, such as an elapsed lag): each
        with the periods it must still wait, so that a floor holds it where the leveled
        schedule has room. (A job using none may run early: only its successors matter.)"""
        out = {}
        for i, job in enumerate(jobs):
            if job.fixed or job.why or not any(problem.demands[i]):
                continue
            got = self.axis.at(results[job.plan].tasks[job.task.id].start)
            if got < starts[i]:
                out[job.task.id] = starts[i] - got
        return out

    def correct(
        self, jobs: list[_Job], starts: Sequence[int], results: list[ScheduleResult]
    ) -> bool:
        """Lengthen the elapsed lags into each job the engine starts later than the leveled
        schedule while none of its predecessors is late: such a lag spans more working days
        where the job now sits than the problem counted. True when one was lengthened."""
        at = self.axis.at
        late = [
            at(results[j.plan].tasks[j.task.id].start) - starts[i] if not j.fixed else 0
            for i, j in enumerate(jobs)
        ]
        changed = False
        for i, by in enumerate(late):
            if by <= 0 or any(late[a] > 0 for _, a, _ in self.incoming[i]):
                continue
            for k, _, dep in self.incoming[i]:
                if dep.lag_unit is LagUnit.ELAPSED_DAYS:
                    self.longer[k] = self.longer.get(k, 0) + by
                    changed = True
        self.corrections += changed
        return changed

    def leveled(self, delays: Mapping[str, int], starts: Sequence[int]) -> list[Network]:
        """Every plan with a start-no-earlier-than date on each of its delayed tasks."""
        out = []
        for plan in self.plans:
            tasks = []
            changed = False
            for t in plan.network.tasks:
                if t.id in delays:
                    day = self.axis.day(starts[self.index[t.id]])
                    if t.leveled_start is not None:
                        day = max(day, t.leveled_start)
                    t = replace(t, leveled_start=day)
                    changed = True
                tasks.append(t)
            out.append(replace(plan.network, tasks=tasks) if changed else plan.network)
        return out

    def overfull(self, results: list[ScheduleResult]) -> dict[tuple[str, date], _Row]:
        """Every (resource, day) asked for more than it has, on the schedules' dates."""
        asked: _Asked = {}
        for plan, result in zip(self.plans, results, strict=True):
            if not plan.assignments:
                continue
            assigned = [result.tasks[a.task] for a in plan.assignments]
            first = min(t.start for t in assigned).toordinal()
            last = max(t.finish for t in assigned).toordinal()
            mine = _asked(plan.network, result, self.capacity, plan.assignments, first, last)
            for key, (units, who) in mine.items():
                entry = asked.setdefault(key, [0.0, []])
                entry[0] += units
                entry[1] += who
        out = {}
        for (rid, ordinal), (units, who) in asked.items():
            available = self.capacity.units(rid, ordinal) / _SCALE
            if units > available + 1e-9:
                out[rid, date.fromordinal(ordinal)] = (
                    round(units, 6),
                    available,
                    tuple(sorted(who)),
                )
        return out


def level(
    network: Network,
    resources: Sequence[Resource],
    assignments: Sequence[Assignment],
    options: LevelingOptions | None = None,
) -> LevelingResult:
    """Delay tasks so that no resource is asked for more than it has (module docstring).

    Raises:
        LevelingError: An assignment to an unknown task or resource, to a summary or a
            milestone, twice to the same pair, or with units <= 0; a resource with negative
            units; a priority outside 0-1000.
    """
    return level_many([(network, assignments)], resources, options)[0]


def level_many(
    plans: Sequence[tuple[Network, Sequence[Assignment]]],
    resources: Sequence[Resource],
    options: LevelingOptions | None = None,
) -> list[LevelingResult]:
    """Level several plans that share one pool of resources (the projects of a program or a
    workspace) as one problem: a person busy in one project is busy for all. Task ids must
    be unique across the plans; each result lists the over-allocations its tasks are part of.

    Raises:
        LevelingError: As ``level``, or two plans sharing a task id.
    """
    options = options or LevelingOptions()
    if not plans:
        return []
    checked = [
        _Plan(net, _checked(net, resources, assignments), schedule(net))
        for net, assignments in plans
    ]
    leveler = _Leveler(checked, resources, options)
    networks = [p.network for p in checked]
    results = [p.base for p in checked]
    if not leveler.assignments:
        return [LevelingResult(p.network, p.base, {}, (), 0, "nothing to level") for p in checked]
    current = list(results)
    delays: dict[str, int] = {}
    used, stopped = 0, "nothing to level"
    overloads: dict[str, str] = {}
    overfull: dict[tuple[str, date], _Row] = {}
    rounds = 0
    while rounds < _ROUNDS:
        jobs = leveler.jobs(current)
        problem = leveler.problem(jobs)
        n = len(jobs)
        budget = options.schedules or max(3, min(1000, 200_000 // max(n, 1)))
        if options.solver is LevelingSolver.CPSAT:
            warm = solve_rcpsp(problem, rule=options.rule, schedules=budget, seed=options.seed)
            solved = solve_rcpsp_exact(
                problem, seconds=options.seconds or _EXACT_SECONDS, seed=options.seed, warm=warm
            )
        else:
            solved = solve_rcpsp(
                problem, rule=options.rule, schedules=budget, seconds=options.seconds,
                seed=options.seed,
            )  # fmt: skip
        used += solved.schedules
        stopped = solved.stopped_by
        found = dict(delays)
        for tid, d in leveler.apply(jobs, problem, solved).items():
            found[tid] = found.get(tid, 0) + d
        networks = leveler.leveled(found, solved.starts)
        results = [schedule(net) for net in networks]
        early = leveler.early(jobs, problem, solved.starts, results)
        if early:
            for tid, d in early.items():
                found[tid] = found.get(tid, 0) + d
            networks = leveler.leveled(found, solved.starts)
            results = [schedule(net) for net in networks]
        if leveler.correct(jobs, solved.starts, results) and leveler.corrections < _CORRECTIONS:
            continue  # an elapsed lag ran longer where the job sits: solve again, corrected
        rounds += 1
        delays = found
        for o in solved.overloads:
            job = jobs[o.job]
            overloads.setdefault(job.task.id, _reason(job, o.reason, problem, o.resource, leveler))
        # Tasks that may not move explain any clash they are part of.
        overloads.update({j.task.id: j.why for j in jobs if j.why})
        overfull = leveler.overfull(results)
        if all(set(tasks) & overloads.keys() for _, _, tasks in overfull.values()):
            break
        current = results
    report = _report(overfull, overloads)
    out = []
    for plan, net, result in zip(checked, networks, results, strict=True):
        ids = {t.id for t in plan.network.tasks}
        mine = tuple(o for o in report if ids & set(o.tasks))
        own = {t: d for t, d in delays.items() if t in ids}
        out.append(LevelingResult(net, result, own, mine, used, stopped))
    return out


def _reason(job: _Job, core: str, problem: Rcpsp, resource: int, leveler: _Leveler) -> str:
    if job.why:
        return job.why
    if core == "beyond latest start":
        return "no room within its slack (leveling within slack)"
    if core == "exceeds capacity" and resource >= 0:
        rid = leveler.resources[resource]
        peak = max(problem.capacity[resource]) / _SCALE
        return f"asks more of {rid} than it ever has ({peak:g} units)"
    return core


def _report(
    overfull: Mapping[tuple[str, date], _Row],
    reasons: Mapping[str, str],
) -> tuple[Overallocation, ...]:
    """Consecutive over-full days of a resource with the same tasks, as one entry each."""
    out: list[Overallocation] = []
    approximate = "its calendar differs from the project calendar: leveled approximately"
    for (rid, day), (used, available, tasks) in sorted(overfull.items()):
        why = "; ".join(sorted({reasons[t] for t in tasks if t in reasons} or {approximate}))
        last = out[-1] if out else None
        if (
            last is not None
            and last.resource == rid
            and last.tasks == tasks
            and last.reason == why
            and (day - last.last).days <= 7
        ):
            out[-1] = replace(
                last, last=day, used=max(last.used, used), available=min(last.available, available)
            )
        else:
            out.append(Overallocation(rid, day, day, tasks, used, available, why))
    return tuple(out)
