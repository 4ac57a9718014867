"""Leveling benchmark: PSPLIB j30 and j120 against the best-known makespans, ours vs PyJobShop.

Every instance of each set is solved by our heuristic (``solve_rcpsp``: serial schedule
generation, justification, genetic search) with a time limit per instance, and, in the same
run with the same limit, by PyJobShop (OR-Tools CP-SAT, one worker, like our one thread).
Also shown: the single latest-finish pass and that pass justified, the starting points.

    .venv/bin/python -m benchmarks.leveling                       # both sets, 1 s each
    .venv/bin/python -m benchmarks.leveling --sets j30 --every 10 --seconds 0.5
    .venv/bin/python -m benchmarks.leveling --no-peer

Per set and method: instances at the best-known makespan, mean % above best-known, mean %
above the critical path (the usual figure for j120; the best-known average 28.96 %), and
the mean time per instance. Every schedule is checked by the tests' independent checker.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._timing import ROOT, load, machine
from scheduler import Rcpsp, read_psplib, solve_rcpsp
from tests.scheduler.rcpsp_checker import violations

DATA = ROOT.parent / "shared" / "data" / "psplib"


def _peer(problem: Rcpsp, seconds: float) -> int:
    from pyjobshop import Model

    model = Model()
    resources = [model.add_renewable(capacity=int(c[0])) for c in problem.capacity]
    tasks = [model.add_task() for _ in problem.durations]
    for task, duration, demands in zip(tasks, problem.durations, problem.demands, strict=True):
        model.add_mode(task, resources, duration=duration, demands=list(demands))
    for a, b, _ in problem.links:
        model.add_end_before_start(tasks[a], tasks[b])
    model.set_objective(weight_makespan=1)
    result = model.solve(time_limit=seconds, display=False, num_workers=1)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="+", default=["j30", "j120"])
    parser.add_argument("--seconds", type=float, default=1.0, help="time limit per instance")
    parser.add_argument("--every", type=int, default=1, help="every k-th instance only")
    parser.add_argument("--no-peer", action="store_true")
    args = parser.parse_args()
    with (DATA / "bks.csv").open() as handle:
        best = {row["instance"]: row for row in csv.DictReader(handle)}
    rows = []
    for name in args.sets:
        paths = sorted((DATA / name).glob("*.sm"))[:: args.every]
        methods: list[tuple[str, Callable[[Rcpsp], int]]] = [
            ("latest finish, one pass", _ours(1, None)),
            ("latest finish, justified", _ours(3, None)),
            (f"ours, {args.seconds:g} s", _ours(10**9, args.seconds)),
        ]
        if not args.no_peer:
            methods.append(
                (f"PyJobShop CP-SAT, {args.seconds:g} s", lambda p: _peer(p, args.seconds))
            )
        for label, solve in methods:
            row = {"set": name, **_score(label, paths, best, solve)}
            rows.append(row)
            print(json.dumps(row), flush=True)  # noqa: T201 - a benchmark reports on stdout
    print(machine(), "- load", load())  # noqa: T201


if __name__ == "__main__":
    main()
