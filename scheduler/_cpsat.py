"""An exact solver for ``Rcpsp`` on OR-Tools CP-SAT: the optional ``trueppm[cpsat]``.

``solve_rcpsp_exact`` first solves the problem with the heuristic (``solve_rcpsp``), then
hands CP-SAT a model whose horizon is the heuristic's makespan and whose search starts from
the heuristic's schedule (a hint), and asks for the least makespan within a time limit. What
comes back is shifted left by one pass of the serial scheme in its start order (CP-SAT only
minimises the end; the pass never moves a job later, and it puts every job that is not
critical as early as the load allows, as leveling wants). The better of the two is returned,
with ``stopped_by`` ``"optimal"`` when CP-SAT proved no schedule ends earlier.

The model: an interval per job; ``start[b] >= start[a] + lag`` per link, or, for a timed
link, ``start[b] >= table[start[a]]`` over the horizon (an element constraint); one
cumulative constraint per resource at its highest capacity, with fixed intervals taking up
the difference wherever the capacity is lower, and where pinned jobs already use it (pinned
jobs are not variables: their starts are constants). A demand no period can hold is left out,
as the heuristic leaves it out.

Not taken to CP-SAT (the heuristic's answer is returned, with the reason in
``stopped_by``): jobs never delayed for resources or with a latest start (they may overload
by design, which a cumulative constraint cannot express), and a heuristic schedule that
still overloads. OR-Tools is imported only when this runs.
"""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from typing import Any

from ._rcpsp import Rcpsp, RcpspError, RcpspRule, RcpspSchedule, left_justified, solve_rcpsp

__all__ = ["exact_solver_available", "solve_rcpsp_exact"]

_HEURISTIC_SHARE = 0.1  # of the time limit, for the heuristic's warm start (at most 1 s)


def exact_solver_available() -> bool:
    """Whether OR-Tools is installed (without importing it)."""
    return importlib.util.find_spec("ortools") is not None


def _cp_model() -> Any:
    try:
        from ortools.sat.python import cp_model
    except ImportError as exc:  # pragma: no cover - the test environment has OR-Tools
        raise RcpspError("the exact solver needs OR-Tools: pip install 'trueppm[cpsat]'") from exc
    return cp_model


def _not_for_cpsat(problem: Rcpsp, warm: RcpspSchedule) -> str | None:
    if problem.unleveled:
        return "heuristic: tasks that are never delayed may overload, which CP-SAT cannot hold"
    if any(x is not None for x in problem.latest):
        return "heuristic: leveling within slack may overload, which CP-SAT cannot hold"
    if warm.overloads:
        return "heuristic: its schedule still over-allocates, so no exact schedule exists"
    return None


def _profile(capacity: list[int], horizon: int) -> list[int]:
    return (list(capacity) + [capacity[-1]] * horizon)[:horizon]


def solve_rcpsp_exact(
    problem: Rcpsp,
    *,
    seconds: float = 10.0,
    seed: int = 0,
    workers: int = 1,
    rule: RcpspRule = RcpspRule.LATEST_FINISH,
    warm: RcpspSchedule | None = None,
) -> RcpspSchedule:
    """The least makespan CP-SAT finds within ``seconds`` (module docstring).

    Args:
        problem: As for ``solve_rcpsp``.
        seconds: Time limit of the CP-SAT search (wall clock), after the warm start.
        seed: Seed of the heuristic and of CP-SAT.
        workers: CP-SAT search workers (1: one thread, like the heuristic).
        rule: The heuristic's priority rule for the warm start.
        warm: A heuristic schedule to start from (solved here when None).

    Raises:
        RcpspError: The problem is malformed, or OR-Tools is not installed.
    """
    if not seconds > 0:
        raise RcpspError(f"the exact solver needs a time limit above 0 s, not {seconds!r}")
    cp_model = _cp_model()
    if warm is None:
        share = min(1.0, seconds * _HEURISTIC_SHARE)
        warm = solve_rcpsp(problem, rule=rule, schedules=100_000, seconds=share, seed=seed)
    why = _not_for_cpsat(problem, warm)
    if why is not None:
        return replace(warm, stopped_by=why)
    if warm.makespan <= warm.lower_bound:
        return replace(warm, stopped_by="optimal")
    model, starts = _model(cp_model, problem, warm)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return replace(warm, stopped_by="time")
    found = [solver.Value(s) if not isinstance(s, int) else s for s in starts]
    best = left_justified(problem, found)
    if (best.makespan, sum(best.starts)) > (warm.makespan, sum(warm.starts)):
        best = warm
    bound = max(warm.lower_bound, int(solver.BestObjectiveBound()))
    optimal = status == cp_model.OPTIMAL or best.makespan <= bound
    return replace(
        best,
        lower_bound=min(bound, best.makespan),
        schedules=warm.schedules,
        stopped_by="optimal" if optimal else "time",
    )


def _model(cp_model: Any, p: Rcpsp, warm: RcpspSchedule) -> tuple[Any, list[Any]]:
    n, horizon = len(p.durations), warm.makespan
    model = cp_model.CpModel()
    release = list(p.release) if p.release else [0] * n
    pinned = dict(p.pinned)
    starts: list[Any] = []
    intervals: list[Any] = []
    for j in range(n):
        d = int(p.durations[j])
        if j in pinned:
            starts.append(int(pinned[j]))
            intervals.append(None)
            continue
        s = model.NewIntVar(int(release[j]), max(int(release[j]), horizon - d), f"s{j}")
        model.AddHint(s, warm.starts[j])
        starts.append(s)
        intervals.append(model.NewFixedSizeIntervalVar(s, d, f"i{j}") if d else None)
    tables: dict[Any, list[int]] = {}  # a function shared by several links: tabulated once
    for k, (a, b, lag) in enumerate(p.links):
        if isinstance(starts[b], int):
            continue  # a pinned successor keeps its start whatever its links say
        fn = p.timed.get(k)
        if fn is None:
            model.Add(starts[b] >= starts[a] + int(lag))
        elif isinstance(starts[a], int):
            model.Add(starts[b] >= fn(starts[a]))
        else:
            table = tables.get(fn)
            if table is None:
                table = tables[fn] = [fn(t) for t in range(horizon + 1)]
            bound = model.NewIntVar(min(table), max(table), f"t{k}")
            model.AddElement(starts[a], table, bound)
            model.Add(starts[b] >= bound)
    for r, capacity in enumerate(p.capacity):
        _cumulative(model, p, r, _profile(list(capacity), horizon), starts, intervals)
    makespan = model.NewIntVar(max(warm.lower_bound, 0), horizon, "makespan")
    for j in range(n):
        model.Add(makespan >= starts[j] + int(p.durations[j]))
    model.Minimize(makespan)
    return model, starts


def _cumulative(
    model: Any, p: Rcpsp, r: int, profile: list[int], starts: list[Any], intervals: list[Any]
) -> None:
    """Resource ``r``: the jobs' demands, pinned use and lower capacity as fixed blocks."""
    peak = max(profile, default=0)
    free = list(profile)
    for j, s in enumerate(starts):
        q, d = int(p.demands[j][r]), int(p.durations[j])
        if isinstance(s, int) and q and d:
            for t in range(s, min(s + d, len(free))):
                free[t] = max(0, free[t] - q)
    jobs, demands = [], []
    for j, interval in enumerate(intervals):
        q = int(p.demands[j][r])
        if interval is None or not q or q > peak:
            continue  # pinned, no use, or a demand no period holds (reported by the heuristic)
        jobs.append(interval)
        demands.append(q)
    if not jobs:
        return
    t = 0
    while t < len(free):
        gap = peak - free[t]
        if not gap:
            t += 1
            continue
        end = t
        while end < len(free) and peak - free[end] == gap:
            end += 1
        jobs.append(model.NewFixedSizeIntervalVar(t, end - t, f"b{r}_{t}"))
        demands.append(gap)
        t = end
    model.AddCumulative(jobs, demands, peak)
