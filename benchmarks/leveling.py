"""Leveling benchmark: PSPLIB j30 and j120 against the best-known makespans, ours vs PyJobShop.

Every instance of each set is solved by our heuristic (``solve_rcpsp``: serial schedule
generation, justification, genetic search) with a time limit per instance, and, in the same
run with the same limit, by PyJobShop (OR-Tools CP-SAT, one worker, like our one thread).
Also shown: the single latest-finish pass and that pass justified, the starting points.

    .venv/bin/python -m benchmarks.leveling                       # both sets, 1 s each
    .venv/bin/python -m benchmarks.leveling --sets j30 --every 10 --seconds 0.5
    .venv/bin/python -m benchmarks.leveling --no-peer
    .venv/bin/python -m benchmarks.leveling --network 10000 --resources 200
    .venv/bin/python -m benchmarks.leveling --cpsat --seconds 10 --sets j30   # the exact solver

``--cpsat`` scores the exact solver instead (``solve_rcpsp_exact``: our heuristic for a tenth
of the limit, then OR-Tools CP-SAT from its schedule; ``--workers`` CP-SAT workers, 1 by
default) beside PyJobShop with the same limit and workers.

Per set and method: instances at the best-known makespan, mean % above best-known, mean %
above the critical path (the usual figure for j120; the best-known average 28.96 %), and
the mean time per instance. Every schedule is checked by the tests' independent checker.

``--network N`` instead levels one generated plan of N tasks (1-10 days, two finish-to-start
links each to recent tasks) sharing ``--resources`` resources of 1-3 units, one or two per
task, with the default options (``scheduler.level``), and reports the time end to end.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks._timing import ROOT, load, machine
from scheduler import (
    Assignment,
    Dependency,
    Network,
    Rcpsp,
    Resource,
    Task,
    level,
    read_psplib,
    schedule,
    solve_rcpsp,
    solve_rcpsp_exact,
)
from tests.scheduler.rcpsp_checker import violations

DATA = ROOT.parent / "shared" / "data" / "psplib"


def _peer(problem: Rcpsp, seconds: float, workers: int = 1) -> int:
    from pyjobshop import Model

    model = Model()
    resources = [model.add_renewable(capacity=int(c[0])) for c in problem.capacity]
    tasks = [model.add_task() for _ in problem.durations]
    for task, duration, demands in zip(tasks, problem.durations, problem.demands, strict=True):
        model.add_mode(task, resources, duration=duration, demands=list(demands))
    for a, b, _ in problem.links:
        model.add_end_before_start(tasks[a], tasks[b])
    model.set_objective(weight_makespan=1)
    result = model.solve(time_limit=seconds, display=False, num_workers=workers)
    return int(result.objective)


def _score(
    name: str, paths: list[Path], best: dict[str, dict[str, str]], solve: Callable[[Rcpsp], int]
) -> dict[str, Any]:
    at_best, above_best, above_cp, seconds = 0, [], [], []
    for path in paths:
        problem = read_psplib(path).rcpsp()
        t0 = time.perf_counter()
        makespan = solve(problem)
        seconds.append(time.perf_counter() - t0)
        row = best[path.name]
        known, cp = int(row["best_known"]), int(row["critical_path"])
        at_best += makespan <= known
        above_best.append((makespan - known) / known * 100)
        above_cp.append((makespan - cp) / cp * 100)
    return {
        "method": name,
        "instances": len(paths),
        "at_best_known": at_best,
        "mean_pct_above_best_known": round(statistics.fmean(above_best), 3),
        "mean_pct_above_critical_path": round(statistics.fmean(above_cp), 2),
        "mean_seconds": round(statistics.fmean(seconds), 3),
    }


def _ours(schedules: int, seconds: float | None) -> Callable[[Rcpsp], int]:
    def solve(problem: Rcpsp) -> int:
        result = solve_rcpsp(problem, schedules=schedules, seconds=seconds)
        wrong = violations(problem, result)
        if wrong:
            raise AssertionError(wrong)
        return result.makespan

    return solve


def _exact(seconds: float, workers: int) -> Callable[[Rcpsp], int]:
    def solve(problem: Rcpsp) -> int:
        warm = solve_rcpsp(problem, schedules=10**9, seconds=min(1.0, seconds / 10))
        result = solve_rcpsp_exact(problem, seconds=seconds * 0.9, workers=workers, warm=warm)
        wrong = violations(problem, result)
        if wrong:
            raise AssertionError(wrong)
        return result.makespan

    return solve


def plan(
    tasks: int, resources: int, seed: int = 3
) -> tuple[Network, list[Resource], list[Assignment]]:
    rng = random.Random(seed)
    rows = [Task(f"T{i}", rng.randint(1, 10)) for i in range(tasks)]
    links = [
        Dependency(f"T{a}", f"T{b}")
        for b in range(1, tasks)
        for a in rng.sample(range(max(0, b - 200), b), min(b, 2))
    ]
    pool = [Resource(f"R{k}", units=rng.choice((1.0, 2.0, 3.0))) for k in range(resources)]
    assignments = [
        Assignment(t.id, r.id) for t in rows for r in rng.sample(pool, rng.randint(1, 2))
    ]
    return Network(date(2027, 1, 4), rows, links), pool, assignments


def level_plan(tasks: int, resources: int) -> dict[str, Any]:
    network, pool, assignments = plan(tasks, resources)
    before = schedule(network).project_finish
    t0 = time.perf_counter()
    got = level(network, pool, assignments)
    seconds = time.perf_counter() - t0
    return {
        "tasks": tasks,
        "links": len(network.dependencies),
        "resources": resources,
        "assignments": len(assignments),
        "seconds": round(seconds, 2),
        "schedules": got.schedules,
        "stopped_by": got.stopped_by,
        "delayed_tasks": len(got.delays),
        "overallocations": len(got.overallocations),
        "finish_without_resources": before.isoformat(),
        "finish_leveled": got.result.project_finish.isoformat(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="+", default=["j30", "j120"])
    parser.add_argument("--seconds", type=float, default=1.0, help="time limit per instance")
    parser.add_argument("--every", type=int, default=1, help="every k-th instance only")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--network", type=int, help="level one generated plan of N tasks")
    parser.add_argument("--resources", type=int, default=200)
    parser.add_argument("--cpsat", action="store_true", help="score the exact solver")
    parser.add_argument("--workers", type=int, default=1, help="CP-SAT workers (--cpsat)")
    args = parser.parse_args()
    if args.network:
        print(json.dumps(level_plan(args.network, args.resources)))  # noqa: T201
        print(machine(), "- load", load())  # noqa: T201
        return
    with (DATA / "bks.csv").open() as handle:
        best = {row["instance"]: row for row in csv.DictReader(handle)}
    rows = []
    peer_workers = args.workers if args.cpsat else 1
    for name in args.sets:
        paths = sorted((DATA / name).glob("*.sm"))[:: args.every]
        limit, workers = f"{args.seconds:g} s", args.workers
        methods: list[tuple[str, Callable[[Rcpsp], int]]] = [
            ("latest finish, one pass", _ours(1, None)),
            ("latest finish, justified", _ours(3, None)),
        ]
        if args.cpsat:
            label = f"ours + CP-SAT, {limit}, {workers} worker(s)"
            methods.append((label, _exact(args.seconds, workers)))
        else:
            methods.append((f"ours, {limit}", _ours(10**9, args.seconds)))
        if not args.no_peer:
            methods.append(
                (
                    f"PyJobShop CP-SAT, {limit}, {peer_workers} worker(s)",
                    lambda p: _peer(p, args.seconds, peer_workers),
                )
            )
        for label, solve in methods:
            row = {"set": name, **_score(label, paths, best, solve)}
            rows.append(row)
            print(json.dumps(row), flush=True)  # noqa: T201 - a benchmark reports on stdout
    print(machine(), "- load", load())  # noqa: T201


if __name__ == "__main__":
    main()
