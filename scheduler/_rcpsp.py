"""Resource-constrained scheduling on a period axis: the core of resource leveling.

A problem is a set of jobs on integer periods (working days of one calendar, or PSPLIB's
periods): each job has a duration, a demand on each renewable resource, an earliest start,
and start-to-start distances to its successors (``start[s] >= start[p] + lag``: an FS link
of lag ``L`` is ``d[p] + L``, SS ``L``, FF ``d[p] + L - d[s]``, SF ``L - d[s]``). A
resource's capacity may change over time (a profile, the last value holding after it).

Jobs are placed by the **serial schedule generation scheme**: in a precedence-feasible
order, each job goes to the earliest period at which its predecessors allow it and every
resource it uses has room for its whole duration. Which order:

- a **priority rule** gives one order (latest finish, minimum slack, or Microsoft Project's
  standard order: priority, then total slack, then number of successors, then job number);
- **justification** (forward-backward improvement) shifts every job as late as the schedule's
  end allows, in order of decreasing finish, then back as early as possible in order of
  start; a schedule never gets longer by it and often gets shorter;
- an **activity-list genetic search** recombines orders (two-point crossover, swap mutation,
  the best kept), every child justified, within a budget of schedules and of time.

The search is deterministic for a seed and a schedule budget: the result records how many
schedules it evaluated and why it stopped, so a run stopped by its time limit can be repeated
exactly with that count. It stops early at a lower bound (the longest path, or a resource's
total work over its capacity), where no order can do better.

Jobs that must not move (started work, or fixed by the caller) are *pinned*: they are placed
first and keep their start. Jobs that must not be delayed for resources (priority 1000) are
*unleveled*: they start as early as their predecessors allow, whatever the load. A job may
have a latest start (leveling within slack): when no room is found by then, it starts as
early as its predecessors allow. Both, and a demand no period can ever hold, leave an
over-allocation; it is reported with its reason, never hidden.
"""

from __future__ import annotations

import heapq
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from ._errors import SchedulerError

__all__ = [
    "Overload",
    "Rcpsp",
    "RcpspError",
    "RcpspRule",
    "RcpspSchedule",
    "left_justified",
    "solve_rcpsp",
]


class RcpspError(SchedulerError, ValueError):
    """The problem is malformed: a bad index, a negative duration or demand, a cycle."""


class RcpspRule(StrEnum):
    """Priority rules for the order jobs are placed in."""

    LATEST_FINISH = "latest_finish"  # least latest finish first (LFT)
    MINIMUM_SLACK = "minimum_slack"  # least total slack first (MSLK)
    STANDARD = "standard"  # Microsoft Project's: priority, slack, successors, job number


@dataclass(frozen=True, slots=True)
class Rcpsp:
    """A resource-constrained scheduling problem on integer periods.

    Attributes:
        durations: Periods per job (0 for a milestone, which uses no resource).
        demands: Per job, units of each resource (one value per resource).
        capacity: Per resource, units available in each period from 0; the last value holds
            for every later period.
        links: ``(pred, succ, lag)``: ``start[succ] >= start[pred] + lag``.
        release: Earliest start per job (empty: 0 for all).
        pinned: Jobs with a fixed start (started work): placed first, never moved.
        unleveled: Jobs never delayed for resources (they may overload).
        latest: Latest start per job for leveling within slack (``None``: unbounded).
        priority: Per job, 0-1000 (higher first in the standard rule; empty: all 500).
        timed: Links whose distance depends on when the predecessor starts (an elapsed lag
            over a calendar's weekends): link index -> the successor's earliest start for a
            predecessor start. Placement uses it instead of the link's lag; orders and
            bounds use the lag, which should be the link's usual distance.
    """

    durations: Sequence[int]
    demands: Sequence[Sequence[int]]
    capacity: Sequence[Sequence[int]]
    links: Sequence[tuple[int, int, int]] = ()
    release: Sequence[int] = ()
    pinned: Mapping[int, int] = field(default_factory=dict)
    unleveled: frozenset[int] = frozenset()
    latest: Sequence[int | None] = ()
    priority: Sequence[int] = ()
    timed: Mapping[int, Callable[[int], int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Overload:
    """A job placed where a resource has less room than it asks for, and why."""

    job: int
    resource: int
    reason: str  # "pinned", "unleveled", "beyond latest start", "exceeds capacity"


@dataclass(frozen=True, slots=True)
class RcpspSchedule:
    """A resource-feasible schedule (but for ``overloads``).

    Attributes:
        starts: Start period of every job.
        makespan: The latest finish.
        lower_bound: No schedule can end earlier (longest path or resource work).
        schedules: Schedule generation passes evaluated (justification passes included).
        stopped_by: ``"lower bound"``, ``"schedules"`` (the budget) or ``"time"``.
        overloads: Jobs placed over a resource's capacity, with the reason.
    """

    starts: tuple[int, ...]
    makespan: int
    lower_bound: int
    schedules: int
    stopped_by: str
    overloads: tuple[Overload, ...] = ()


class _Budget:
    def __init__(self, schedules: int, seconds: float | None) -> None:
        self.left = schedules
        self.used = 0
        self.deadline = None if seconds is None else time.perf_counter() + seconds
        self.stopped_by = "schedules"

    def take(self, passes: int = 1) -> bool:
        """Count ``passes``; false when the budget was already spent."""
        if self.left < passes:
            return False
        if self.deadline is not None and time.perf_counter() > self.deadline:
            self.stopped_by = "time"
            return False
        self.left -= passes
        self.used += passes
        return True


_SAMPLED_EXACTLY = 300  # jobs up to which sampling weighs every eligible job at each step
_Placed = tuple[list[int], list["Overload"]]  # starts, and the overloads they leave


class _Instance:
    """The problem as flat lists for the generation scheme, in one direction of time."""

    def __init__(
        self,
        durations: list[int],
        uses: list[tuple[tuple[int, int], ...]],
        preds: list[tuple[tuple[int, int], ...]],
        release: list[int],
        capacity: list[list[int]],
        tails: list[int],
        special: frozenset[int] | None = None,
        timed: list[tuple[tuple[int, Callable[[int], int]], ...]] | None = None,
    ) -> None:
        self.durations = durations
        self.uses = uses
        self.preds = preds  # the links placement reads as lags
        self.timed = timed  # per job, the links placement reads as functions (or None)
        self.release = release
        self.capacity = capacity  # per resource, per period, long enough for the profile
        self.tails = tails  # capacity after the profile
        # Jobs asking more of a resource than it holds after its profile: placed carefully.
        if special is None:
            special = frozenset(
                j for j, mine in enumerate(uses) if any(q > tails[r] for r, q in mine)
            )
        self.special = special


def _validate(p: Rcpsp) -> int:
    n = len(p.durations)
    if len(p.demands) != n:
        raise RcpspError(f"{len(p.demands)} demand rows for {n} jobs")
    resources = len(p.capacity)
    for j, (d, row) in enumerate(zip(p.durations, p.demands, strict=True)):
        if d < 0:
            raise RcpspError(f"job {j}: negative duration {d}")
        if len(row) != resources:
            raise RcpspError(f"job {j}: {len(row)} demands for {resources} resources")
        if any(q < 0 for q in row):
            raise RcpspError(f"job {j}: negative demand")
    for r, profile in enumerate(p.capacity):
        if not profile or any(c < 0 for c in profile):
            raise RcpspError(f"resource {r}: capacity must be a non-empty list of units >= 0")
    for a, b, _ in p.links:
        if not (0 <= a < n and 0 <= b < n) or a == b:
            raise RcpspError(f"link {a} -> {b}: not two distinct jobs")
    if any(not 0 <= k < len(p.links) for k in p.timed):
        raise RcpspError("a timed link is not a link")
    for name, values in (("release", p.release), ("latest", p.latest), ("priority", p.priority)):
        if values and len(values) != n:
            raise RcpspError(f"{len(values)} {name} values for {n} jobs")
    if any(not 0 <= j < n for j in (*p.pinned, *p.unleveled)):
        raise RcpspError("a pinned or unleveled job is not a job")
    return n


def _topological(n: int, links: Sequence[tuple[int, int, int]]) -> list[int]:
    indegree = [0] * n
    succs: list[list[int]] = [[] for _ in range(n)]
    for a, b, _ in links:
        succs[a].append(b)
        indegree[b] += 1
    ready = [j for j in range(n) if not indegree[j]]
    order = []
    while ready:
        j = ready.pop()
        order.append(j)
        for k in succs[j]:
            indegree[k] -= 1
            if not indegree[k]:
                ready.append(k)
    if len(order) != n:
        raise RcpspError("the links form a cycle")
    return order


class _Solver:
    def __init__(self, p: Rcpsp) -> None:
        n = self.n = _validate(p)
        dur = self.durations = [int(d) for d in p.durations]
        release = [int(x) for x in p.release] if p.release else [0] * n
        self.pinned = {int(j): int(s) for j, s in p.pinned.items()}
        self.unleveled = frozenset(p.unleveled)
        self.latest = list(p.latest) if p.latest else [None] * n
        self.bounded = frozenset(j for j, x in enumerate(self.latest) if x is not None)
        self.priority = list(p.priority) if p.priority else [500] * n
        profiles = [list(map(int, c)) for c in p.capacity]
        span = max(map(len, profiles), default=0)  # every resource over the same periods
        profiles = [c + [c[-1]] * (span - len(c)) for c in profiles]
        self.flat = [min(c) == max(c) for c in profiles]  # the same capacity in every period
        tails = [c[-1] for c in profiles]
        peak = [max(c) for c in profiles]
        # A demand that no period can ever hold is left out of the check and reported.
        self.never: list[tuple[int, int]] = []
        uses: list[tuple[tuple[int, int], ...]] = []
        for j, row in enumerate(p.demands):
            mine = []
            for r, q in enumerate(row):
                if q and dur[j]:
                    if q > peak[r]:
                        self.never.append((j, r))
                    else:
                        mine.append((r, int(q)))
            # The tightest demand first: a window that fails, fails there soonest.
            mine.sort(key=lambda u: -u[1] / max(peak[u[0]], 1))
            uses.append(tuple(mine))
        self.links = [(int(a), int(b), int(lag)) for a, b, lag in p.links]
        self.topo = _topological(n, self.links)
        self.rank = [0] * n
        for i, j in enumerate(self.topo):
            self.rank[j] = i
        preds: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        succs: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        lagged: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        timed: list[list[tuple[int, Callable[[int], int]]]] = [[] for _ in range(n)]
        for k, (a, b, lag) in enumerate(self.links):
            preds[b].append((a, lag))
            succs[a].append((b, lag))
            fn = p.timed.get(k)
            if fn is None:
                lagged[b].append((a, lag))
            else:
                timed[b].append((a, fn))
        self.preds = [tuple(x) for x in preds]  # every link: what orders must respect
        self.succs = [tuple(s) for s in succs]
        self.direct = [frozenset(b for b, _ in s) for s in succs]
        self.forward = _Instance(
            dur, uses, [tuple(x) for x in lagged], release, profiles, tails,
            timed=[tuple(x) for x in timed] if p.timed else None,
        )  # fmt: skip
        self.es, self.ls, self.lower_bound = self._bounds(release)
        # Periods every pass starts with (more are added when a schedule runs longer): twice
        # the longest path, so most passes never grow their lists.
        reach = 2 * max((e + d for e, d in zip(self.es, dur, strict=True)), default=0) + 16
        for profile, tail in zip(profiles, tails, strict=True):
            profile.extend([tail] * (reach - len(profile)))
        # Sorting by start is precedence-feasible when no link lets a successor start first
        # and nothing is pinned out of order; by decreasing finish, when none lets it finish
        # first. Otherwise each order is checked, and rebuilt link by link when it must be.
        fixed = bool(self.pinned or self.unleveled or p.timed)  # timed: orders are checked
        self.starts_in_order = not fixed and all(lag >= 0 for _, _, lag in self.links)
        self.finishes_in_order = not fixed and all(
            lag + dur[b] >= dur[a] for a, b, lag in self.links
        )
        self._reversed_preds: list[tuple[tuple[int, int], ...]] | None = None

    def _bounds(self, release: list[int]) -> tuple[list[int], list[int], int]:
        """Resource-free earliest and latest starts, and a lower bound on the makespan."""
        dur, es = self.durations, list(release)
        for j, s in self.pinned.items():
            es[j] = s
        for j in self.topo:
            for b, lag in self.succs[j]:
                if b not in self.pinned and es[j] + lag > es[b]:
                    es[b] = es[j] + lag
        end = max((es[j] + dur[j] for j in range(self.n)), default=0)
        ls = [end - d for d in dur]
        for j in reversed(self.topo):
            for b, lag in self.succs[j]:
                if ls[b] - lag < ls[j]:
                    ls[j] = ls[b] - lag
        if self.pinned or self.unleveled or self.bounded or self.never:
            return es, ls, end  # jobs may overload: only the longest path bounds the end
        work = [0] * len(self.forward.capacity)
        tight = [False] * len(work)  # some job asks more than the resource's tail: it may overload
        for j, mine in enumerate(self.forward.uses):
            for r, q in mine:
                work[r] += q * dur[j]
                tight[r] = tight[r] or q > self.forward.tails[r]
        bound = end
        for r, total in enumerate(work):
            if total and not tight[r]:
                bound = max(bound, _periods_for(total, self.forward.capacity[r]))
        return es, ls, bound

    # -- orders -------------------------------------------------------------------------

    def rule_order(self, rule: RcpspRule) -> list[int]:
        ls, es = self.ls, self.es
        keys: list[tuple[int, ...]]
        if rule is RcpspRule.LATEST_FINISH:
            dur = self.durations
            keys = [(ls[j] + dur[j], j) for j in range(self.n)]
        elif rule is RcpspRule.MINIMUM_SLACK:
            keys = [(ls[j] - es[j], j) for j in range(self.n)]
        else:
            keys = [
                (-self.priority[j], ls[j] - es[j], -len(self.succs[j]), j) for j in range(self.n)
            ]
        return self._list_by(keys)

    def _list_by(self, keys: Sequence[tuple[float, ...]], *, reverse: bool = False) -> list[int]:
        """The precedence-feasible order taking, among the jobs whose predecessors are all
        placed, the one with the least key (``reverse``: successors for predecessors)."""
        before = self.succs if reverse else self.preds
        after = self.preds if reverse else self.succs
        indegree = [len(p) for p in before]
        heap = [(keys[j], j) for j in range(self.n) if not indegree[j]]
        heapq.heapify(heap)
        order = []
        while heap:
            _, j = heapq.heappop(heap)
            order.append(j)
            for b, _ in after[j]:
                indegree[b] -= 1
                if not indegree[b]:
                    heapq.heappush(heap, (keys[b], b))
        return order

    def sampled_order(self, rng: random.Random) -> list[int]:
        """Regret-biased random sampling on latest finish: a job's chance grows with how much
        later the latest eligible job may finish."""
        lf = [self.ls[j] + self.durations[j] for j in range(self.n)]
        if self.n > _SAMPLED_EXACTLY:
            # Each step above weighs every eligible job; for a large plan, perturb the latest
            # finishes instead (a random key per job, up to twice the mean duration).
            spread = 2 * max(1, sum(self.durations) // max(self.n, 1))
            return self._list_by([(lf[j] + rng.random() * spread, j) for j in range(self.n)])
        indegree = [len(p) for p in self.preds]
        eligible = [j for j in range(self.n) if not indegree[j]]
        order = []
        while eligible:
            worst = max(lf[j] for j in eligible)
            weights = [worst - lf[j] + 1 for j in eligible]
            k = rng.choices(range(len(eligible)), weights)[0]
            j = eligible[k]
            eligible[k] = eligible[-1]
            eligible.pop()
            order.append(j)
            for b, _ in self.succs[j]:
                indegree[b] -= 1
                if not indegree[b]:
                    eligible.append(b)
        return order

    # -- the generation scheme ----------------------------------------------------------

    def place(
        self,
        inst: _Instance,
        order: Sequence[int],
        fixed: Mapping[int, int],
        loose: frozenset[int],
        latest: Sequence[int | None] | None,
        overloads: list[Overload] | None = None,
    ) -> list[int]:
        """The serial scheme: starts of every job of ``order`` (``fixed`` jobs at their
        start, placed first; jobs in ``loose`` at their earliest logical start, whatever the
        load; a job that finds no room by its ``latest`` start also starts there). Reasons
        for every over-allocation go to ``overloads`` when given."""
        dur, uses, preds, release = inst.durations, inst.uses, inst.preds, inst.release
        timed = inst.timed
        avail = [c[:] for c in inst.capacity]
        length = len(avail[0]) if avail else 0
        special = inst.special if latest is None else inst.special | self.bounded
        if loose:
            special = special | loose
        start = [0] * self.n
        for j, t in fixed.items():
            start[j] = t
            if dur[j] and uses[j]:
                _reserve(avail, inst, uses[j], t, t + dur[j], j, "pinned", overloads)
                length = len(avail[0])
        for j in order:
            if j in fixed:
                continue
            t = release[j]
            for i, lag in preds[j]:
                v = start[i] + lag
                if v > t:
                    t = v
            if timed is not None:
                for i, fn in timed[j]:
                    v = fn(start[i])
                    if v > t:
                        t = v
            d = dur[j]
            mine = uses[j]
            if d and mine:
                if j in special:
                    t = self._place_special(inst, avail, j, t, loose, latest, overloads)
                    length = len(avail[0])
                    start[j] = t
                    continue
                # The common case: ``_fit`` without its never-again check, inlined (calling
                # it costs 8 % of a j120 search): the earliest window where every resource of
                # the job has room, jumping past the last short period of a failed check.
                end = t + d
                while True:
                    if end > length:
                        _grow(avail, inst.tails, end)
                        length = len(avail[0])
                    for r, q in mine:
                        a = avail[r]
                        if min(a[t:end]) < q:
                            k = end - 1
                            while a[k] >= q:
                                k -= 1
                            t = k + 1
                            end = t + d
                            break
                    else:
                        break
                for r, q in mine:
                    a = avail[r]
                    for k in range(t, end):
                        a[k] -= q
            start[j] = t
        return start

    def _place_special(
        self,
        inst: _Instance,
        avail: list[list[int]],
        j: int,
        t: int,
        loose: frozenset[int],
        latest: Sequence[int | None] | None,
        overloads: list[Overload] | None,
    ) -> int:
        """Place an unleveled job, one with a latest start, or one whose demand a resource
        never holds after its profile; return its start."""
        d, mine = inst.durations[j], inst.uses[j]
        reason = "unleveled" if j in loose else None
        if reason is None:
            found = _fit(avail, inst, mine, t, d)
            bound = latest[j] if latest is not None else None
            if bound is not None and found > bound:
                reason = "beyond latest start"
            else:
                t = found
        _reserve(avail, inst, mine, t, t + d, j, reason, overloads)
        return t

    # -- improvement ----------------------------------------------------------------------

    def schedule(self, order: Sequence[int]) -> _Placed:
        """One forward pass of the serial scheme over ``order``: starts and overloads."""
        overloads: list[Overload] = []
        start = self.place(self.forward, order, self.pinned, self.unleveled, self.latest, overloads)
        return start, overloads

    def makespan(self, start: Sequence[int]) -> int:
        dur = self.durations
        return max((s + d for s, d in zip(start, dur, strict=True)), default=0)

    def justify(self, start: list[int]) -> _Placed:
        """Forward-backward improvement: every job as late as the makespan allows (in order
        of decreasing finish), then as early as possible (in order of start)."""
        dur, n = self.durations, self.n
        end = self.makespan(start)
        rank = self.rank
        back = self._feasible([(-start[j] - dur[j], -rank[j]) for j in range(n)], reverse=True)
        inst = self._backward(end)
        stay = self.pinned.keys() | self.unleveled
        fixed = {j: end - start[j] - dur[j] for j in stay}
        rev = self.place(inst, back, fixed, frozenset(), None)
        late = [end - rev[j] - dur[j] for j in range(n)]
        return self.schedule(self.start_order(late))

    def start_order(self, start: Sequence[int]) -> list[int]:
        """The jobs by start (then topological rank), kept precedence-feasible."""
        rank = self.rank
        return self._feasible([(start[j], rank[j]) for j in range(self.n)])

    def _feasible(self, keys: list[tuple[int, int]], *, reverse: bool = False) -> list[int]:
        """The jobs sorted by ``keys`` when that order respects every link (it does unless a
        link lets a successor start, or finish, first, or a pinned job sits out of order),
        else built link by link taking the least key (``reverse``: for the backward pass)."""
        order = sorted(range(self.n), key=keys.__getitem__)
        if self.finishes_in_order if reverse else self.starts_in_order:
            return order
        position = [0] * self.n
        for i, j in enumerate(order):
            position[j] = i
        if reverse:
            ok = all(position[b] < position[a] for a, b, _ in self.links)
        else:
            ok = all(position[a] < position[b] for a, b, _ in self.links)
        return order if ok else self._list_by(keys, reverse=reverse)

    def _backward(self, end: int) -> _Instance:
        """The problem in reversed time over ``[0, end)``: a job at ``s`` sits at
        ``end - s - d``; each link reversed, its distance ``lag + d[succ] - d[pred]``. (Before
        period 0 the capacity is the forward tail: a backward pass never goes there, as the
        forward positions are feasible, and only its order is used.)"""
        inst = self.forward
        if self._reversed_preds is None:
            dur = self.durations
            preds: list[list[tuple[int, int]]] = [[] for _ in range(self.n)]
            for a, b, lag in self.links:
                preds[a].append((b, lag + dur[b] - dur[a]))
            self._reversed_preds = [tuple(x) for x in preds]
        capacity = []
        for profile, tail, flat in zip(inst.capacity, inst.tails, self.flat, strict=True):
            if flat:
                capacity.append([tail] * max(end, 1))
            else:
                window = (profile + [tail] * (end - len(profile)))[:end]
                capacity.append(window[::-1] or [tail])
        return _Instance(
            self.durations, inst.uses, self._reversed_preds, [0] * self.n, capacity, inst.tails,
            inst.special,
        )  # fmt: skip


def _periods_for(work: int, profile: list[int]) -> int:
    """The fewest periods from 0 whose capacity adds up to ``work`` (the profile's last
    value holding after it): no schedule does that work sooner."""
    total = 0
    for t, units in enumerate(profile):
        total += units
        if total >= work:
            return t + 1
    return len(profile) + -(-(work - total) // profile[-1])  # the tail holds every demand


def _grow(avail: list[list[int]], tails: Sequence[int], needed: int) -> None:
    """Extend every resource's periods to at least ``needed`` (doubling), at its tail."""
    target = max(needed, 2 * len(avail[0]))
    for a, tail in zip(avail, tails, strict=True):
        a.extend([tail] * (target - len(a)))


def _fit(
    avail: list[list[int]], inst: _Instance, mine: tuple[tuple[int, int], ...], t: int, d: int
) -> int:
    """The earliest start at or after ``t`` where every resource of ``mine`` has room for
    ``d`` periods. A resource that will never have room again (its capacity after the
    profile is below the demand) stops being checked: the job then overloads it."""
    first = t
    while True:
        end = t + d
        if end > len(avail[0]):
            _grow(avail, inst.tails, end)
        for r, q in mine:
            a = avail[r]
            if min(a[t:end]) < q:
                k = end - 1
                while a[k] >= q:
                    k -= 1
                t = k + 1
                if q > inst.tails[r] and t + d > len(inst.capacity[r]):
                    mine = tuple(u for u in mine if u[0] != r)
                    t = first
                break
        else:
            return t


def _reserve(
    avail: list[list[int]],
    inst: _Instance,
    mine: tuple[tuple[int, int], ...],
    t: int,
    end: int,
    job: int,
    reason: str | None,
    overloads: list[Overload] | None,
) -> None:
    if end > len(avail[0]):
        _grow(avail, inst.tails, end)
    for r, q in mine:
        a = avail[r]
        a[t:end] = [x - q for x in a[t:end]]
        if overloads is not None and min(a[t:end]) < 0:
            overloads.append(Overload(job, r, reason or "exceeds capacity"))


class _Search:
    """Activity-list genetic search with justified children (Hartmann's crossover and
    mutation; every child decoded by the serial scheme and forward-backward improvement)."""

    def __init__(self, solver: _Solver, budget: _Budget, rng: random.Random) -> None:
        self.solver = solver
        self.budget = budget
        self.rng = rng
        self.best: tuple[tuple[int, int], _Placed] | None = None

    def evaluate(
        self, order: list[int], placed: _Placed | None = None
    ) -> tuple[tuple[int, int], list[int]] | None:
        """Decode (unless ``placed`` already is its schedule) and justify ``order``: its score
        and the order of the justified starts, or None when the budget is spent."""
        s = self.solver
        if not self.budget.take(3 if placed is None else 2):
            return None
        if placed is None:
            placed = s.schedule(order)
        improved = s.justify(placed[0])
        if s.makespan(improved[0]) <= s.makespan(placed[0]):
            placed = improved
        start = placed[0]
        score = (s.makespan(start), sum(start))
        if self.best is None or score < self.best[0]:
            self.best = (score, placed)
        return score, s.start_order(start)

    def done(self) -> bool:
        return self.best is not None and self.best[0][0] <= self.solver.lower_bound

    def crossover(self, mother: list[int], father: list[int]) -> list[int]:
        n = len(mother)
        a, b = sorted(self.rng.sample(range(n + 1), 2))
        child = mother[:a]
        taken = set(child)
        middle = [j for j in father if j not in taken][: b - a]
        taken.update(middle)
        return child + middle + [j for j in mother if j not in taken]

    def mutate(self, order: list[int], rate: float) -> list[int]:
        direct = self.solver.direct
        rng = self.rng
        for i in range(len(order) - 1):
            if rng.random() < rate and order[i + 1] not in direct[order[i]]:
                order[i], order[i + 1] = order[i + 1], order[i]
        return order

    def run(self, first: list[int], placed: _Placed, size: int) -> None:
        """Search from the rule's order ``first`` (already ``placed``) until the budget is
        spent or the lower bound is reached."""
        got = self.evaluate(first, placed)
        if got is None or self.done():
            return
        population = [got]
        while len(population) < size:
            got = self.evaluate(self.solver.sampled_order(self.rng))
            if got is None or self.done():
                return
            population.append(got)
        rate = 0.2  # per adjacent pair; with 12 orders kept (tuned on j120: docs/benchmarks.md)
        while len(population) > 1:  # one distinct order left: nothing to recombine
            self.rng.shuffle(population)
            children = []
            for k in range(0, len(population) - 1, 2):
                mother, father = population[k][1], population[k + 1][1]
                for a, b in ((mother, father), (father, mother)):
                    got = self.evaluate(self.mutate(self.crossover(a, b), rate))
                    if got is None or self.done():
                        return
                    children.append(got)
            merged = sorted(population + children, key=lambda x: x[0])
            population, seen = [], set()
            for item in merged:
                key = tuple(item[1])
                if key not in seen:
                    seen.add(key)
                    population.append(item)
                if len(population) == size:
                    break


def solve_rcpsp(
    problem: Rcpsp,
    *,
    rule: RcpspRule = RcpspRule.LATEST_FINISH,
    schedules: int = 1000,
    seconds: float | None = None,
    seed: int = 0,
    population: int = 12,
) -> RcpspSchedule:
    """Schedule ``problem`` within its resources (see the module docstring).

    Args:
        problem: The jobs, links and resources.
        rule: The priority rule of the first order (the only one when ``schedules`` is 1).
        schedules: Budget of generation passes; 1 is the rule's schedule alone, 3 adds its
            justification, more runs the genetic search.
        seconds: Time limit for the search (``None``: the budget alone decides).
        seed: Seed of the search's random choices.
        population: Orders kept by the genetic search.

    Raises:
        RcpspError: The problem is malformed (see ``Rcpsp``).
    """
    solver = _Solver(problem)
    first = solver.rule_order(rule)
    best = solver.schedule(first)
    budget = _Budget(max(schedules, 1) - 1, seconds)
    budget.used = 1  # the rule's pass
    if schedules >= 3 and solver.makespan(best[0]) > solver.lower_bound:
        # The search starts from the rule's schedule, justified.
        search = _Search(solver, budget, random.Random(seed))
        search.run(first, best, population)
        if search.best is not None and search.best[0] < (solver.makespan(best[0]), sum(best[0])):
            best = search.best[1]
    return _result(solver, best, budget.used, budget.stopped_by)


def _result(solver: _Solver, placed: _Placed, schedules: int, stopped_by: str) -> RcpspSchedule:
    starts, overloads = placed
    makespan = solver.makespan(starts)
    found = {(o.job, o.resource): o for o in overloads}
    for j, r in solver.never:
        found.setdefault((j, r), Overload(j, r, "exceeds capacity"))
    return RcpspSchedule(
        starts=tuple(starts),
        makespan=makespan,
        lower_bound=solver.lower_bound,
        schedules=schedules,
        stopped_by="lower bound" if makespan <= solver.lower_bound else stopped_by,
        overloads=tuple(found[k] for k in sorted(found)),
    )


def left_justified(problem: Rcpsp, starts: Sequence[int]) -> RcpspSchedule:
    """One pass of the serial scheme over the jobs in the order of ``starts`` (then
    topological rank): each job as early as its links and the load allow. For a feasible
    ``starts`` no job ends up later, so the makespan is never longer."""
    solver = _Solver(problem)
    if len(starts) != solver.n:
        raise RcpspError(f"{len(starts)} starts for {solver.n} jobs")
    return _result(solver, solver.schedule(solver.start_order(starts)), 1, "schedules")
