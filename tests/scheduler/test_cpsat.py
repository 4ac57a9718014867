"""The exact solver (``solve_rcpsp_exact``, OR-Tools CP-SAT, the optional ``trueppm[cpsat]``):
PSPLIB j30 instances proven optimal, every schedule checked by the independent checker,
capacity profiles, pinned jobs and timed links held, what it hands back to the heuristic
and why, and leveling a plan with it."""

from __future__ import annotations

import random
from datetime import date

import pytest

from scheduler import (
    Assignment,
    Dependency,
    LevelingOptions,
    LevelingSolver,
    Network,
    Rcpsp,
    RcpspError,
    Resource,
    Task,
    left_justified,
    level,
    read_psplib,
    solve_rcpsp,
    solve_rcpsp_exact,
)
from tests.scheduler.oracles._data import files
from tests.scheduler.rcpsp_checker import violations
from tests.scheduler.test_rcpsp import _best_known, small


def test_j30_instances_are_solved_to_their_optimum() -> None:
    """Instances the heuristic alone leaves above the optimum (at 300 schedules): CP-SAT
    proves the optimum from its schedule within a few seconds."""
    best = _best_known()
    solved = 0
    for path in files("psplib", "j30/*.sm")[::40]:
        problem = read_psplib(path).rcpsp()
        optimum = int(best[path.name]["best_known"])
        heuristic = solve_rcpsp(problem, schedules=300)
        got = solve_rcpsp_exact(problem, seconds=5, warm=heuristic)
        assert violations(problem, got) == [], path.name
        assert got.makespan == optimum, path.name
        assert got.stopped_by == "optimal", path.name
        assert got.lower_bound == optimum
        solved += heuristic.makespan > optimum
    assert solved >= 1  # at least one of these is one the heuristic did not solve


def test_the_small_problem_by_hand() -> None:
    # Twelve unit-periods on two units: nothing ends before 6, and 6 is reached.
    got = solve_rcpsp_exact(small(), seconds=2)
    assert got.makespan == 6
    assert got.stopped_by == "optimal"
    assert violations(small(), got) == []


def _random_problem(rng: random.Random) -> Rcpsp:
    n = rng.randint(6, 14)
    durations = [rng.randint(1, 5) for _ in range(n)]
    demands = [[rng.randint(0, 2), rng.randint(0, 3)] for _ in range(n)]
    links = [(a, b, durations[a]) for b in range(1, n) for a in range(b) if rng.random() < 0.15]
    capacity = [[2, 2, 1, 1, 2], [3, 3, 3, 2, 2, 2, 3]]  # lower for a while, then the tail
    return Rcpsp(durations=durations, demands=demands, capacity=capacity, links=links)


@pytest.mark.parametrize("seed", range(8))
def test_random_problems_with_profiles_are_feasible_and_no_longer(seed: int) -> None:
    problem = _random_problem(random.Random(seed))
    heuristic = solve_rcpsp(problem, schedules=50, seed=seed)
    got = solve_rcpsp_exact(problem, seconds=3, warm=heuristic)
    assert violations(problem, got) == []
    assert got.makespan <= heuristic.makespan
    assert got.lower_bound <= got.makespan


def test_pinned_jobs_keep_their_start_and_use_the_capacity() -> None:
    # Job 0 is pinned at 2 on the only unit; 1 and 2 need the unit for 2 periods each.
    problem = Rcpsp(durations=[2, 2, 2], demands=[[1], [1], [1]], capacity=[[1]], pinned={0: 2})
    got = solve_rcpsp_exact(problem, seconds=2)
    assert got.starts[0] == 2
    assert violations(problem, got) == []
    assert got.makespan == 6  # one of the others before it (0-1), one after (4-5)
    assert sorted(got.starts) == [0, 2, 4]


def test_timed_links_are_held_by_their_function() -> None:
    # Job 1 may start only on an even period at least 3 after job 0 starts (a weekday rule
    # in miniature): from 0 -> 4, from 1 -> 4, from 2 -> 6.
    def even_after(start: int) -> int:
        t = start + 3
        return t + (t % 2)

    problem = Rcpsp(
        durations=[2, 1, 2],
        demands=[[1], [1], [1]],
        capacity=[[1]],
        links=[(0, 1, 3)],
        timed={0: even_after},
    )
    got = solve_rcpsp_exact(problem, seconds=2)
    assert violations(problem, got) == []
    assert got.starts[1] >= even_after(got.starts[0])
    assert got.makespan == 5  # 0 at 0-1, 2 at 2-3, 1 at 4


def test_left_justified_never_moves_a_job_later() -> None:
    problem = small()
    late = (0, 5, 7, 9)  # feasible, with room before B, C and D
    assert violations(problem, left_justified(problem, late)) == []
    got = left_justified(problem, late)
    assert all(a <= b for a, b in zip(got.starts, late, strict=True))
    assert got.makespan == 6


def test_what_cpsat_cannot_hold_goes_back_to_the_heuristic_with_the_reason() -> None:
    never_delayed = small(unleveled=frozenset({1}))
    got = solve_rcpsp_exact(never_delayed, seconds=1)
    assert got.stopped_by.startswith("heuristic: tasks that are never delayed")
    within_slack = small(latest=[None, 0, None, None])
    got = solve_rcpsp_exact(within_slack, seconds=1)
    assert got.stopped_by.startswith("heuristic: leveling within slack")
    too_big = Rcpsp(durations=[1], demands=[[3]], capacity=[[2]])
    got = solve_rcpsp_exact(too_big, seconds=1)
    assert got.stopped_by.startswith("heuristic: its schedule still over-allocates")
    assert [o.reason for o in got.overloads] == ["exceeds capacity"]


def test_bad_input_is_refused() -> None:
    with pytest.raises(RcpspError, match="time limit above 0"):
        solve_rcpsp_exact(small(), seconds=0)
    with pytest.raises(RcpspError, match="timed link is not a link"):
        solve_rcpsp_exact(small(timed={5: lambda s: s}), seconds=1)


def test_leveling_a_plan_with_cpsat() -> None:
    """R1 does T0 (4 days) and T1 (2); R2 does T2 (2) and T3 (4), which follows T1. By hand:
    T1 first on R1 (Mon-Tue), then T0 (Wed-Mon); T2 on R2 Mon-Tue, T3 after T1 (Wed-Mon):
    the plan ends Monday 11 January, proven optimal, and the engine's dates agree."""
    tasks = [Task("T0", 4), Task("T1", 2), Task("T2", 2), Task("T3", 4)]
    net = Network(date(2027, 1, 4), tasks, [Dependency("T1", "T3")])
    pool = [Resource("R1"), Resource("R2")]
    assignments = [
        Assignment("T0", "R1"), Assignment("T1", "R1"),
        Assignment("T2", "R2"), Assignment("T3", "R2"),
    ]  # fmt: skip
    got = level(net, pool, assignments, LevelingOptions(solver=LevelingSolver.CPSAT, seconds=3))
    assert got.stopped_by in ("optimal", "lower bound")
    assert got.overallocations == ()
    assert got.result.project_finish == date(2027, 1, 11)
    assert got.result.tasks["T1"].start == date(2027, 1, 4)
    assert got.result.tasks["T0"].start == date(2027, 1, 6)
    assert got.result.tasks["T3"].start == date(2027, 1, 6)
    assert got.delays == {"T0": 2}
