"""An independent check of a resource-constrained schedule, written apart from the solver.

It recomputes every resource's load period by period from the starts alone and compares it
with the capacity the problem states; it checks every link (a timed link by its function),
release and pinned start. It
knows nothing of schedule generation schemes, jumps or justification.
"""

from __future__ import annotations

from collections import defaultdict

from scheduler import Rcpsp, RcpspSchedule


def capacity_at(problem: Rcpsp, resource: int, period: int) -> int:
    profile = problem.capacity[resource]
    return profile[period] if period < len(profile) else profile[-1]


def overloaded(problem: Rcpsp, starts: tuple[int, ...]) -> dict[tuple[int, int], int]:
    """(resource, period) -> units above capacity, for every over-full period."""
    load: dict[tuple[int, int], int] = defaultdict(int)
    for job, start in enumerate(starts):
        for period in range(start, start + problem.durations[job]):
            for resource, units in enumerate(problem.demands[job]):
                if units:
                    load[resource, period] += units
    return {
        key: used - capacity_at(problem, *key)
        for key, used in load.items()
        if used > capacity_at(problem, *key)
    }


def violations(problem: Rcpsp, result: RcpspSchedule) -> list[str]:
    """Everything wrong with ``result``: an empty list for a valid schedule. Over-full
    periods are wrong unless a job using that resource there is reported as an overload."""
    starts = result.starts
    wrong = []
    if len(starts) != len(problem.durations):
        return [f"{len(starts)} starts for {len(problem.durations)} jobs"]
    for k, (a, b, lag) in enumerate(problem.links):
        timed = problem.timed.get(k)
        if timed is not None:
            if starts[b] < timed(starts[a]):
                wrong.append(f"timed link {a}->{b}: {starts[b]} < {timed(starts[a])}")
        elif starts[b] < starts[a] + lag:
            wrong.append(f"link {a}->{b}: {starts[b]} < {starts[a]} + {lag}")
    for job, release in enumerate(problem.release):
        if starts[job] < release and job not in problem.pinned:
            wrong.append(f"job {job} starts at {starts[job]} before its release {release}")
    for job, start in problem.pinned.items():
        if starts[job] != start:
            wrong.append(f"pinned job {job} moved from {start} to {starts[job]}")
    if min(starts, default=0) < 0:
        wrong.append("a job starts before period 0")
    reported = {(o.job, o.resource) for o in result.overloads}
    bounded = {o.job for o in result.overloads if o.reason == "beyond latest start"}
    for (resource, period), excess in overloaded(problem, starts).items():
        culprits = [
            job
            for job, start in enumerate(starts)
            if start <= period < start + problem.durations[job] and problem.demands[job][resource]
        ]
        if not any((job, resource) in reported or job in bounded for job in culprits):
            wrong.append(f"resource {resource} over by {excess} in period {period}, unreported")
    makespan = max((s + d for s, d in zip(starts, problem.durations, strict=True)), default=0)
    if makespan != result.makespan:
        wrong.append(f"makespan {result.makespan} but the starts end at {makespan}")
    if result.makespan < result.lower_bound:
        wrong.append(f"makespan {result.makespan} below the lower bound {result.lower_bound}")
    return wrong
