"""Leveling a network (``scheduler.level``): hand-worked plans on a Monday-Friday calendar,
every option and what may not move, bad input, and random plans whose leveled dates are
checked by counting the load day by day here, apart from the engine."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler import (
    Assignment,
    Calendar,
    ConstraintType,
    DateRules,
    Dependency,
    LagUnit,
    LevelingError,
    LevelingOptions,
    LinkType,
    Network,
    RcpspRule,
    Resource,
    Task,
    TaskKind,
    daily_usage,
    level,
    level_many,
    schedule,
    simulate,
)

MON = date(2027, 1, 4)  # a Monday; the week's working days are Jan 4-8, then Jan 11-15
R = Resource("R")


def dates(result: object, task: str) -> tuple[date, date]:
    got = result.tasks[task]  # type: ignore[attr-defined]
    return got.start, got.finish


def test_two_tasks_on_one_person_run_one_after_the_other() -> None:
    # A (3 days) and B (2 days) both need R; B has a successor C. Without resources all three
    # start on Monday. Leveled, B goes first (then C can follow it), A waits two days:
    # A Wed-Fri, B Mon-Tue, C Wed. The plan still ends on Friday.
    net = Network(MON, [Task("A", 3), Task("B", 2), Task("C", 1)], [Dependency("B", "C")])
    got = level(net, [R], [Assignment("A", "R"), Assignment("B", "R")])
    assert dates(got.result, "A") == (date(2027, 1, 6), date(2027, 1, 8))
    assert dates(got.result, "B") == (MON, date(2027, 1, 5))
    assert dates(got.result, "C") == (date(2027, 1, 6), date(2027, 1, 6))
    assert dict(got.delays) == {"A": 2}
    assert got.overallocations == ()
    assert got.stopped_by == "lower bound"  # five days of R's work: nothing ends sooner
    a = next(t for t in got.network.tasks if t.id == "A")
    assert a.leveled_start == date(2027, 1, 6)
    assert a.constraint_type is ConstraintType.ASAP  # the task's own constraint is untouched
    # Durations never change, and the leveled network is what the engine schedules.
    assert schedule(got.network).tasks == got.result.tasks
    assert "leveling delay: its resources have room from 2027-01-06" in (
        got.result.derive("A", "early_start").explain()
    )


def test_a_delayed_task_keeps_its_own_constraint_beside_the_leveling_floor() -> None:
    # B must finish no earlier than Tuesday (FNET) and shares R with A (3 days, more
    # successors' worth of slack used first). The floor from leveling sits beside the FNET
    # date: after leveling B still carries FNET, and moving the floor off again (clearing
    # leveling) restores the unleveled dates exactly.
    fnet = Task("B", 2, constraint_type=ConstraintType.FNET, constraint_date=date(2027, 1, 5))
    net = Network(MON, [Task("A", 3), fnet, Task("C", 1)], [Dependency("A", "C")])
    got = level(net, [R], [Assignment("A", "R"), Assignment("B", "R")])
    b = next(t for t in got.network.tasks if t.id == "B")
    assert (b.constraint_type, b.constraint_date) == (ConstraintType.FNET, date(2027, 1, 5))
    assert b.leveled_start == date(2027, 1, 7)
    assert dates(got.result, "B") == (date(2027, 1, 7), date(2027, 1, 8))
    assert dict(got.delays) == {"B": 3}
    cleared = Network(MON, [replace(t, leveled_start=None) for t in got.network.tasks],
                      net.dependencies)  # fmt: skip
    assert schedule(cleared).tasks == schedule(net).tasks


def test_single_pass_in_the_standard_order_and_logic_moving_successors() -> None:
    # One pass in Project's standard order: equal priorities, so the least slack first: A
    # (4 days, slack 0) before B (2 days, then C: slack 1). B waits for A (Fri and Mon);
    # C, after B, follows by its link to Tuesday without a delay of its own.
    net = Network(MON, [Task("A", 4), Task("B", 2), Task("C", 1)], [Dependency("B", "C")])
    got = level(
        net, [R], [Assignment("A", "R"), Assignment("B", "R")], LevelingOptions(schedules=1)
    )
    assert dates(got.result, "A") == (MON, date(2027, 1, 7))
    assert dates(got.result, "B") == (date(2027, 1, 8), date(2027, 1, 11))
    assert dates(got.result, "C") == (date(2027, 1, 12), date(2027, 1, 12))
    assert dict(got.delays) == {"B": 4}
    assert got.schedules == 1


def test_priority_orders_the_standard_rule_and_1000_never_moves() -> None:
    net = Network(MON, [Task("A", 3), Task("B", 2)])
    both = [Assignment("A", "R"), Assignment("B", "R")]
    first_b = level(net, [R], both, LevelingOptions(schedules=1, priorities={"B": 800}))
    assert dict(first_b.delays) == {"A": 2}
    never = level(net, [R], both, LevelingOptions(priorities={"A": 1000, "B": 1000}))
    assert never.delays == {}
    (over,) = never.overallocations
    assert (over.resource, over.first, over.last, over.tasks) == (
        "R",
        MON,
        date(2027, 1, 5),
        ("A", "B"),
    )
    assert (over.used, over.available) == (2.0, 1.0)
    assert over.reason == "priority 1000: never delayed by leveling"


def test_leveling_within_slack_leaves_what_does_not_fit() -> None:
    # B has one day of slack but would need three: within slack it stays, over-allocated.
    net = Network(MON, [Task("A", 3), Task("B", 2)])
    got = level(
        net,
        [R],
        [Assignment("A", "R"), Assignment("B", "R")],
        LevelingOptions(within_slack=True, rule=RcpspRule.MINIMUM_SLACK, schedules=1),
    )
    assert got.delays == {}
    (over,) = got.overallocations
    assert over.reason == "no room within its slack (leveling within slack)"
    # With three days of slack (a longer task beside it) it is delayed.
    net = Network(MON, [Task("A", 3), Task("B", 2), Task("L", 5)])
    got = level(
        net,
        [R],
        [Assignment("A", "R"), Assignment("B", "R")],
        LevelingOptions(within_slack=True, rule=RcpspRule.MINIMUM_SLACK, schedules=1),
    )
    assert dict(got.delays) == {"B": 3}
    assert got.overallocations == ()


def test_started_work_and_must_start_on_keep_their_dates() -> None:
    # S started on Monday, a third done: its remaining two days run Tue-Wed (after the status
    # date). P must start on Thursday. F, not started, could start Tuesday (after the status
    # date) but R is busy through Friday: it waits four working days, to the 11th.
    started = Task("S", 3, actual_start=MON, percent_complete=34)
    pinned = Task("P", 2, constraint_type=ConstraintType.MSO, constraint_date=date(2027, 1, 7))
    free = Task("F", 2)
    net = Network(MON, [started, pinned, free], status_date=MON)
    got = level(net, [R], [Assignment(t, "R") for t in ("S", "P", "F")])
    assert dates(got.result, "S")[0] == MON
    assert dates(got.result, "P") == (date(2027, 1, 7), date(2027, 1, 8))
    assert dates(got.result, "F") == (date(2027, 1, 11), date(2027, 1, 12))
    assert dates(got.result, "S") == (MON, date(2027, 1, 6))
    assert dict(got.delays) == {"F": 4}
    assert got.overallocations == ()
    # Started a day later, S would run into P's Thursday: both keep their dates, and the
    # clash is reported with its reasons.
    late = replace(started, percent_complete=None)
    got = level(
        Network(MON, [late, pinned], status_date=MON), [R], [Assignment(t, "R") for t in "SP"]
    )
    (over,) = got.overallocations
    assert (over.first, over.last, over.tasks) == (date(2027, 1, 7), date(2027, 1, 7), ("P", "S"))
    assert over.reason == "its MSO constraint keeps its date; started work keeps its dates"


def test_half_time_until_a_date_and_days_off() -> None:
    net = Network(MON, [Task("A", 2)])
    half = Resource("R", units=0.5, changes=((date(2027, 1, 11), 1.0),))
    got = level(net, [half], [Assignment("A", "R", 1.0)])
    assert dates(got.result, "A") == (date(2027, 1, 11), date(2027, 1, 12))
    # Half a person is enough for a half-time assignment: no delay.
    got = level(net, [half], [Assignment("A", "R", 0.5)])
    assert got.delays == {}
    away = Resource("R", days_off=frozenset({date(2027, 1, 5), date(2027, 1, 6)}))
    got = level(net, [away], [Assignment("A", "R")])
    assert dates(got.result, "A") == (date(2027, 1, 7), date(2027, 1, 8))


def test_a_resource_with_no_units_is_reported_with_the_reason() -> None:
    net = Network(MON, [Task("A", 2), Task("B", 1)], [Dependency("A", "B")])
    got = level(net, [Resource("R", units=0)], [Assignment("A", "R")])
    assert got.delays == {}
    (over,) = got.overallocations
    assert (over.tasks, over.used, over.available) == (("A",), 1.0, 0.0)
    assert over.reason == "asks more of R than it ever has (0 units)"


def test_links_of_every_type_hold_after_leveling() -> None:
    tasks = [Task("A", 3), Task("B", 2), Task("C", 2), Task("D", 4), Task("E", 1)]
    links = [
        Dependency("A", "B", LinkType.SS, 1),
        Dependency("A", "C", LinkType.FF),
        Dependency("B", "D", LinkType.SF, 2),
        Dependency("C", "E", LinkType.FS, -1),
    ]
    net = Network(MON, tasks, links)
    got = level(net, [R], [Assignment(t.id, "R") for t in tasks])
    assert got.overallocations == ()
    _assert_no_overlap(got.result, [t.id for t in tasks])
    for dep in links:
        _assert_link_holds(got.result, dep)


def test_summary_links_and_leveling_range() -> None:
    phase = Task("P", kind=TaskKind.SUMMARY)
    tasks = [phase, Task("A", 2, parent="P"), Task("B", 2, parent="P"), Task("Z", 1)]
    net = Network(MON, tasks, [Dependency("P", "Z")])
    got = level(net, [R], [Assignment("A", "R"), Assignment("B", "R")])
    assert sorted(got.delays.values()) == [2]
    _assert_no_overlap(got.result, ["A", "B"])
    assert got.result.tasks["Z"].start == date(2027, 1, 8)  # after the summary's last leaf
    # Levelling only from the 11th on: neither task is in range, so neither moves.
    late = level(
        net,
        [R],
        [Assignment("A", "R"), Assignment("B", "R")],
        LevelingOptions(level_from=date(2027, 1, 11)),
    )
    assert late.delays == {}
    assert late.overallocations[0].reason == "outside the leveling range"


@pytest.mark.parametrize(
    ("assignments", "resources", "message"),
    [
        ([Assignment("X", "R")], [R], "unknown task 'X'"),
        ([Assignment("A", "Q")], [R], "unknown resource 'Q'"),
        ([Assignment("M", "R")], [R], "a milestone takes no work"),
        ([Assignment("P", "R")], [R], "a summary task takes no assignment"),
        ([Assignment("A", "R"), Assignment("A", "R")], [R], "assigned twice"),
        ([Assignment("A", "R", -0.5)], [R], "units must be a finite number >= 0"),
        ([Assignment("A", "R", 0)], [R], "units must be > 0"),
        ([Assignment("A", "R")], [Resource("R", units=-1)], "units must be a finite number"),
        ([Assignment("A", "R")], [R, R], "two resources share an id"),
        ([Assignment("A", "R")], [Resource("R", calendar="nope")], "unknown calendar 'nope'"),
    ],
)
def test_bad_input_is_refused(
    assignments: list[Assignment], resources: list[Resource], message: str
) -> None:
    net = Network(
        MON,
        [
            Task("P", kind=TaskKind.SUMMARY),
            Task("A", 2, parent="P"),
            Task("M", 0, TaskKind.MILESTONE),
        ],
    )
    with pytest.raises(LevelingError, match=message):
        level(net, resources, assignments)


def test_priority_out_of_range_is_refused() -> None:
    net = Network(MON, [Task("A", 2)])
    with pytest.raises(LevelingError, match="priority must be 0-1000"):
        level(net, [R], [Assignment("A", "R")], LevelingOptions(priorities={"A": 1001}))


# -- an independent check on random plans ---------------------------------------------------


def _working(calendar: Calendar | None, day: date) -> bool:
    weekdays = calendar.working_weekdays if calendar else 0b0011111
    if calendar and day in calendar.holidays:
        return False
    if calendar and day in calendar.extra_working_days:
        return True
    return bool(weekdays >> day.weekday() & 1)


def _load(
    net: Network, result: object, assignments: list[Assignment]
) -> dict[tuple[str, date], float]:
    """Units asked per resource and day, counted here from the dates alone: every working
    day of the task's calendar from its start through its finish."""
    load: dict[tuple[str, date], float] = defaultdict(float)
    tasks = {t.id: t for t in net.tasks}
    for a in assignments:
        start, finish = dates(result, a.task)
        calendar = net.calendars.get(tasks[a.task].calendar or net.default_calendar or "")
        day = start
        while day <= finish:
            if _working(calendar, day):
                load[a.resource, day] += a.units
            day += timedelta(days=1)
    return load


def _assert_no_overlap(result: object, ids: list[str]) -> None:
    spans = sorted(dates(result, t) for t in ids)
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start > end


def _assert_link_holds(result: object, dep: Dependency) -> None:
    (ps, pf), (ss, sf) = dates(result, dep.predecessor), dates(result, dep.successor)

    # Working days on Mon-Fri between two dates (a lag of k moves k working days).
    def shift(day: date, k: int) -> date:
        step = 1 if k >= 0 else -1
        while k:
            day += timedelta(days=step)
            if day.weekday() < 5:
                k -= step
        return day

    if dep.type is LinkType.FS:
        assert ss >= shift(pf, 1 + dep.lag) or ss >= shift(pf, 1)
    elif dep.type is LinkType.SS:
        assert ss >= shift(ps, dep.lag)
    elif dep.type is LinkType.FF:
        assert sf >= shift(pf, dep.lag)
    else:
        assert sf >= shift(ps, dep.lag - 1)


@st.composite
def plans(draw: st.DrawFn) -> tuple[Network, list[Resource], list[Assignment]]:
    rng = random.Random(draw(st.integers(0, 10**6)))
    n = draw(st.integers(2, 12))
    tasks = [Task(f"T{i}", rng.randint(1, 5)) for i in range(n)]
    links = []
    for b in range(1, n):
        for a in rng.sample(range(b), min(b, rng.randint(0, 2))):
            kind = rng.choice(list(LinkType))
            links.append(Dependency(f"T{a}", f"T{b}", kind, rng.randint(-1, 2)))
    resources = [
        Resource(f"R{k}", units=rng.choice((0.5, 1.0, 2.0))) for k in range(rng.randint(1, 3))
    ]
    assignments = []
    for t in tasks:
        for r in rng.sample(resources, rng.randint(0, len(resources))):
            assignments.append(Assignment(t.id, r.id, rng.choice((0.5, 1.0))))
    return Network(MON, tasks, links), resources, assignments


@settings(max_examples=120, deadline=None)
@given(plans(), st.sampled_from(list(RcpspRule)), st.sampled_from((1, 60)))
def test_random_plans_leveled_and_checked_day_by_day(
    plan: tuple[Network, list[Resource], list[Assignment]], rule: RcpspRule, schedules: int
) -> None:
    net, resources, assignments = plan
    base = schedule(net)
    got = level(net, resources, assignments, LevelingOptions(rule=rule, schedules=schedules))
    units = {r.id: r.units for r in resources}
    reported = {(o.resource, day) for o in got.overallocations for day in _span(o.first, o.last)}
    for (resource, day), used in _load(net, got.result, assignments).items():
        if used > units[resource] + 1e-9:
            assert (resource, day) in reported, (resource, day, used)
    # One calendar, no pins: a plan levels fully but for a task asking more of a resource
    # than it has.
    too_big = {a.task for a in assignments if a.units > units[a.resource]}
    for over in got.overallocations:
        assert set(over.tasks) & too_big, over
        assert over.reason.startswith("asks more of"), over
    for t in net.tasks:
        before, after = base.tasks[t.id], got.result.tasks[t.id]
        assert after.start >= before.start  # leveling only ever delays
        assert (after.finish - after.start) >= timedelta(0)
    assert schedule(got.network).tasks == got.result.tasks
    # The engine's own day-by-day usage agrees with the count made here.
    usage = daily_usage(net, got.result, resources, assignments, MON, MON + timedelta(days=120))
    mine = _load(net, got.result, assignments)
    for rid, days in usage.items():
        for day, (used, available, _) in days.items():
            assert used == pytest.approx(mine.get((rid, day), 0.0))
            assert available == (units[rid] if day.weekday() < 5 else 0.0)


HOLIDAYS = Calendar("std", holidays=frozenset({date(2027, 1, 13), date(2027, 1, 27)}))


@st.composite
def elapsed_plans(draw: st.DrawFn) -> tuple[Network, list[Resource], list[Assignment]]:
    """Plans on a calendar with holidays whose links carry elapsed lags (over weekends an
    elapsed lag stands for fewer working days than it counts), under either date rules."""
    rng = random.Random(draw(st.integers(0, 10**6)))
    n = draw(st.integers(2, 12))
    tasks = [Task(f"T{i}", rng.randint(1, 5)) for i in range(n)]
    links = []
    for b in range(1, n):
        for a in rng.sample(range(b), min(b, rng.randint(1, 2))):
            unit = rng.choice((LagUnit.ELAPSED_DAYS, LagUnit.ELAPSED_DAYS, LagUnit.WORKING_DAYS))
            kind = rng.choice(list(LinkType))
            links.append(Dependency(f"T{a}", f"T{b}", kind, rng.randint(-2, 4), unit))
    resources = [Resource(f"R{k}", units=1.0) for k in range(rng.randint(1, 2))]
    assignments = [
        Assignment(t.id, r.id, 1.0)
        for t in tasks
        for r in rng.sample(resources, rng.randint(0, len(resources)))
    ]
    rules = rng.choice(list(DateRules))
    net = Network(MON, tasks, links, {"std": HOLIDAYS}, "std", rules=rules)
    return net, resources, assignments


@settings(max_examples=150, deadline=None)
@given(elapsed_plans())
def test_elapsed_lags_level_exactly_and_delay_nothing_that_fits(
    plan: tuple[Network, list[Resource], list[Assignment]],
) -> None:
    """The leveled plan is what the engine computes from its floors, no day is over-full
    (the plan levels fully in one go, nothing left 'approximately'), and with room for
    everyone nothing is delayed: elapsed lags are placed as the engine reads them, not
    rounded to an average."""
    net, resources, assignments = plan
    got = level(net, resources, assignments)
    assert got.overallocations == ()
    assert schedule(got.network).tasks == got.result.tasks
    for (resource, day), used in _load(net, got.result, assignments).items():
        assert used <= 1.0, (resource, day, used)
    base = schedule(net)
    for t in net.tasks:
        assert got.result.tasks[t.id].start >= base.tasks[t.id].start
    roomy = [replace(r, units=100.0) for r in resources]
    free = level(net, roomy, assignments)
    assert free.delays == {}
    assert free.result.tasks == base.tasks


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def test_a_plan_of_1500_tasks_on_30_resources_levels_fully() -> None:
    # A slice of the benchmark's 10,000-task plan (benchmarks/leveling.py --network):
    # chains of finish-to-start links, one or two resources of 1-3 units per task.
    rng = random.Random(3)
    tasks = [Task(f"T{i}", rng.randint(1, 10)) for i in range(1500)]
    links = [
        Dependency(f"T{a}", f"T{b}")
        for b in range(1, len(tasks))
        for a in rng.sample(range(max(0, b - 100), b), min(b, 2))
    ]
    pool = [Resource(f"R{k}", units=rng.choice((1.0, 2.0, 3.0))) for k in range(30)]
    assignments = [
        Assignment(t.id, r.id) for t in tasks for r in rng.sample(pool, rng.randint(1, 2))
    ]
    net = Network(MON, tasks, links)
    base = schedule(net)
    got = level(net, pool, assignments)
    assert got.overallocations == ()
    units = {r.id: r.units for r in pool}
    for (resource, day), used in _load(net, got.result, assignments).items():
        assert used <= units[resource], (resource, day, used)
    assert all(got.result.tasks[t.id].start >= base.tasks[t.id].start for t in tasks)
    assert got.result.project_finish > base.project_finish  # the people were the bottleneck
    assert len(got.delays) > 100


def test_projects_sharing_one_person_are_leveled_together() -> None:
    # X starts Monday with X1 (3 days); Y starts Tuesday with Y1 (2 days); both need R.
    # Apart, neither plan is over-allocated; together R is asked twice on Tue and Wed.
    x = Network(MON, [Task("X1", 3)])
    y = Network(date(2027, 1, 5), [Task("Y1", 2)])
    alone = [level(x, [R], [Assignment("X1", "R")]), level(y, [R], [Assignment("Y1", "R")])]
    assert [g.delays for g in alone] == [{}, {}]
    gx, gy = level_many([(x, [Assignment("X1", "R")]), (y, [Assignment("Y1", "R")])], [R])
    # Equal priority and slack: X1 (first in order) keeps Monday; Y1 waits to Thursday.
    assert dates(gx.result, "X1") == (MON, date(2027, 1, 6))
    assert dates(gy.result, "Y1") == (date(2027, 1, 7), date(2027, 1, 8))
    assert (dict(gx.delays), dict(gy.delays)) == ({}, {"Y1": 2})
    assert gx.overallocations == gy.overallocations == ()
    assert gy.network.start == date(2027, 1, 5)  # each plan keeps its own settings
    # With Y1 first by priority, X1 cannot fit three days in a row before Thursday.
    gx, gy = level_many(
        [(x, [Assignment("X1", "R")]), (y, [Assignment("Y1", "R")])],
        [R],
        LevelingOptions(priorities={"Y1": 900}, schedules=1),
    )
    assert dates(gy.result, "Y1") == (date(2027, 1, 5), date(2027, 1, 6))
    assert dates(gx.result, "X1") == (date(2027, 1, 7), date(2027, 1, 11))
    assert dict(gx.delays) == {"X1": 3}
    # A clash across projects is listed in both results.
    gx, gy = level_many(
        [(x, [Assignment("X1", "R")]), (y, [Assignment("Y1", "R")])],
        [R],
        LevelingOptions(priorities={"X1": 1000, "Y1": 1000}),
    )
    assert gx.overallocations == gy.overallocations
    assert gx.overallocations[0].tasks == ("X1", "Y1")
    with pytest.raises(LevelingError, match="must not share task ids"):
        level_many([(x, [Assignment("X1", "R")]), (x, [])], [R])


def test_monte_carlo_runs_on_the_leveled_plan() -> None:
    # A waits two days for B when leveled; without estimates every iteration is the
    # deterministic leveled plan, so P50 = P95 = Friday (unleveled: Wednesday).
    net = Network(MON, [Task("A", 3), Task("B", 2), Task("C", 1)], [Dependency("B", "C")])
    got = level(net, [R], [Assignment("A", "R"), Assignment("B", "R")])
    leveled = simulate(got.network, iterations=200, seed=1)
    plain = simulate(net, iterations=200, seed=1)
    assert leveled.percentiles[50] == leveled.percentiles[95] == date(2027, 1, 8)
    assert plain.percentiles[95] == date(2027, 1, 6)
