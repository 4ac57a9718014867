"""Property-based tests on random networks (hypothesis)."""

from __future__ import annotations

import itertools
import random
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler import Calendar, Dependency, LinkType, Network, Task, schedule
from scheduler._cpm import solve
from scheduler._passes import work

START = date(2024, 1, 3)
HOLIDAYS = frozenset({date(2024, 1, 9), date(2024, 1, 19), date(2024, 2, 1)})


@st.composite
def networks(draw: st.DrawFn) -> Network:
    n = draw(st.integers(1, 16))
    durations = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    tasks = [Task(f"t{i}", dur) for i, dur in enumerate(durations)]
    pairs = draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n))
    links = []
    for a, b in sorted({(min(p), max(p)) for p in pairs if p[0] != p[1]}):
        kind = draw(st.sampled_from(list(LinkType)))
        links.append(Dependency(f"t{a}", f"t{b}", kind, draw(st.integers(-3, 4))))
    cal = Calendar("c", holidays=HOLIDAYS)
    return Network(START, tasks, links, {"c": cal}, "c")


def _link_holds(net: Network, r, dep: Dependency) -> bool:  # type: ignore[no-untyped-def]
    s = solve(net)
    p, q = s.plan.index[dep.predecessor], s.plan.index[dep.successor]
    t = s.times
    src = t.es[p, 0] if dep.type in (LinkType.SS, LinkType.SF) else t.ef[p, 0]
    dst = t.es[q, 0] if dep.type in (LinkType.FS, LinkType.SS) else t.ef[q, 0]
    # One calendar, so the relation is plain arithmetic on working time.
    return bool(work(dst) >= work(src + 2 * dep.lag) or t.es[q, 0] == s.plan.bounds.lo_start[q])


@settings(max_examples=150, deadline=None)
@given(networks())
def test_links_hold_and_floats_are_consistent(net: Network) -> None:
    r = schedule(net)
    for dep in net.dependencies:
        assert _link_holds(net, r, dep), dep
    for t in r.tasks.values():
        assert t.early_start <= t.late_start
        assert t.early_finish <= t.late_finish
        assert t.total_float >= 0
        assert 0 <= t.free_float <= t.total_float
        assert t.late_finish <= r.project_finish
        assert t.is_critical == (t.total_float <= 0)
    assert r.project_finish == max(t.early_finish for t in r.tasks.values())


@settings(max_examples=150, deadline=None)
@given(networks())
def test_critical_path_runs_from_a_start_to_the_finish(net: Network) -> None:
    r = schedule(net)
    path = r.critical_path
    assert path
    first, last = r.tasks[path[0]], r.tasks[path[-1]]
    assert last.early_finish == r.project_finish
    assert not any(r.tasks[p].is_critical for p in first.driving_predecessors)
    for a, b in itertools.pairwise(path):
        assert a in r.tasks[b].driving_predecessors
        assert r.tasks[a].is_critical
        assert r.tasks[b].is_critical


@settings(max_examples=100, deadline=None)
@given(networks(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_input_order(net: Network, rnd: random.Random) -> None:
    tasks, links = list(net.tasks), list(net.dependencies)
    rnd.shuffle(tasks)
    rnd.shuffle(links)
    shuffled = Network(net.start, tasks, links, net.calendars, net.default_calendar)
    a, b = schedule(net), schedule(shuffled)
    assert dict(a.tasks) == dict(b.tasks)
    assert a.project_finish == b.project_finish
    assert set(a.critical_paths) == set(b.critical_paths)
    assert dict(schedule(net).tasks) == dict(a.tasks)


@settings(max_examples=60, deadline=None)
@given(networks())
def test_deterministic_simulation_matches_cpm(net: Network) -> None:
    from scheduler import simulate

    sim = simulate(net, iterations=3, chunk_size=2)
    assert sim.percentiles[50.0] == schedule(net).project_finish
