"""The passes over many iterations at once (Monte Carlo's ``(rows, K)`` arrays).

Each column of a chunk must be exactly the CPM of the network with that column's durations,
and the passes' shortcuts (skipping a floor the logic already guarantees, see
``_layout.Sweep``) must change no time, on random networks with every link type, leads and
lags in both units, two calendars, constraints, deadlines, milestones and progress.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scheduler import (
    Calendar,
    DateRules,
    Dependency,
    LagUnit,
    LinkType,
    Network,
    ScheduleInputError,
    Task,
)
from scheduler import ConstraintType as C
from scheduler._compile import Plan, compile_network
from scheduler._cpm import solve
from scheduler._frame import time_frame
from scheduler._passes import backward, forward, project_finish
from scheduler._slots import slotted
from scheduler._tasks import NOT_STARTED, span_of

START = date(2024, 1, 3)
HOLIDAYS = frozenset({date(2024, 1, 9), date(2024, 1, 19), date(2024, 2, 1)})
SIX_DAYS = 0b0111111  # Monday to Saturday
_CONSTRAINTS = [C.SNET, C.FNET, C.SNLT, C.FNLT, C.MSO, C.MFO, C.ALAP]


@st.composite
def _task(draw: st.DrawFn, i: int, calendars: bool, progress: bool, plain: bool) -> Task:
    task = Task(f"t{i}", draw(st.integers(1 if plain else 0, 6)))
    if plain:
        return task
    if calendars and draw(st.booleans()):
        task = dataclasses.replace(task, calendar="six")
    day = START + timedelta(days=draw(st.integers(0, 25)))
    if draw(st.integers(0, 4)) == 0:
        task = dataclasses.replace(
            task, constraint_type=draw(st.sampled_from(_CONSTRAINTS)), constraint_date=day
        )
    if draw(st.integers(0, 5)) == 0:
        task = dataclasses.replace(task, deadline=day)
    if progress and task.duration and draw(st.integers(0, 3)) == 0:
        begun = START + timedelta(days=draw(st.integers(0, 6)))
        task = dataclasses.replace(task, actual_start=begun)
        if draw(st.booleans()):
            task = dataclasses.replace(task, actual_finish=begun + timedelta(days=2))
    return task


@st.composite
def networks(draw: st.DrawFn) -> Network:
    n = draw(st.integers(1, 14))
    # A third are plain (no milestones, constraints, progress or second calendar, no leads):
    # where the passes skip floors the logic guarantees.
    plain = draw(st.integers(0, 2)) == 0
    calendars, progress = draw(st.booleans()) and not plain, draw(st.booleans()) and not plain
    tasks = [draw(_task(i, calendars, progress, plain)) for i in range(n)]
    pairs = draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n))
    links = []
    for a, b in sorted({(min(p), max(p)) for p in pairs if p[0] != p[1]}):
        kind = draw(st.sampled_from(list(LinkType)))
        unit = LagUnit.ELAPSED_DAYS if draw(st.integers(0, 4)) == 0 else LagUnit.WORKING_DAYS
        lag = draw(st.integers(0 if plain else -3, 4))
        links.append(Dependency(f"t{a}", f"t{b}", kind, lag, unit))
    cals = {"c": Calendar("c", holidays=HOLIDAYS)}
    if calendars:
        cals["six"] = Calendar("six", SIX_DAYS)
    status = START + timedelta(days=8) if progress else None
    try:
        return Network(START, tasks, links, cals, "c", status, draw(st.sampled_from(DateRules)))
    except ScheduleInputError:
        assume(False)
        raise


def _spans(plan: Plan, durations: np.ndarray) -> np.ndarray:
    """Spans of ``durations`` (tasks x K) where Monte Carlo samples, the plan's elsewhere."""
    fresh = plan.bounds.state[:, None] == NOT_STARTED
    return np.asarray(np.where(fresh, span_of(durations), plan.bounds.span[:, None]))


def _slotted(plan: Plan) -> Plan:
    """The plan as Monte Carlo runs it: edges in slots."""
    return dataclasses.replace(plan, layout=slotted(plan.layout))


def _chunk(
    plan: Plan, durations: np.ndarray, dtype: type = np.int32, origin: int = 0
) -> dict[str, np.ndarray]:
    """Both passes over ``durations`` (tasks x K, in task order) on layout rows in ``dtype``;
    results back in task order and on the absolute time axis."""
    lay = plan.layout
    rows = _spans(plan, durations)[lay.order].astype(dtype)
    es, ef, _ = forward(plan, rows)
    pf, day = project_finish(plan, ef, origin)
    ls, lf = backward(plan, rows, es, ef, pf)
    times = {"es": es, "ef": ef, "ls": ls, "lf": lf}
    out = {k: v[lay.row].astype(np.int64) + origin for k, v in times.items()}
    out["day"] = day
    return out


def _random_durations(net: Network, k: int, seed: int) -> np.ndarray:
    """Per task and column: a random positive duration where the plan has one and the task
    has not started (what Monte Carlo samples), else the plan's duration."""
    rng = np.random.default_rng(seed)
    plan_dur = np.array([t.duration for t in net.tasks])
    varies = (plan_dur > 0) & np.array([t.actual_start is None for t in net.tasks])
    return np.where(varies[:, None], rng.integers(1, 8, (plan_dur.size, k)), plan_dur[:, None])


@settings(max_examples=150, deadline=None)
@given(networks(), st.integers(0, 2**32 - 1))
def test_each_column_is_the_cpm_of_its_durations(net: Network, seed: int) -> None:
    k = 5
    durations = _random_durations(net, k, seed)
    got = _chunk(_slotted(compile_network(net)), durations)
    for col in range(k):
        tasks = [
            dataclasses.replace(t, duration=int(d))
            for t, d in zip(net.tasks, durations[:, col], strict=True)
        ]
        s = solve(dataclasses.replace(net, tasks=tasks))
        times = s.times
        assert got["es"][:, col].tolist() == times.es[:, 0].tolist()
        assert got["ef"][:, col].tolist() == times.ef[:, 0].tolist()
        assert got["ls"][:, col].tolist() == times.ls[:, 0].tolist()
        assert got["lf"][:, col].tolist() == times.lf[:, 0].tolist()
        assert int(got["day"][col]) == s.finish_day


@settings(max_examples=150, deadline=None)
@given(networks(), st.integers(0, 2**32 - 1))
def test_skipping_guaranteed_floors_changes_nothing(net: Network, seed: int) -> None:
    plan = _slotted(compile_network(net))
    lay = plan.layout
    slots = dataclasses.replace(
        lay.slots,
        forward=tuple(dataclasses.replace(s, floor=False) for s in lay.slots.forward),
        backward=tuple(dataclasses.replace(s, floor=False) for s in lay.slots.backward),
    )
    plain = dataclasses.replace(plan, layout=dataclasses.replace(lay, slots=slots))
    durations = _random_durations(net, 7, seed)
    got, want = _chunk(plan, durations), _chunk(plain, durations)
    for key in ("es", "ef", "ls", "lf", "day"):
        assert got[key].tolist() == want[key].tolist(), key


def test_floors_are_taken_on_a_plain_network() -> None:
    """The shortcut must actually be used where it applies, or the test above proves nothing."""
    tasks = [Task(f"t{i}", 2) for i in range(4)]
    links = [Dependency("t0", "t1"), Dependency("t1", "t2"), Dependency("t0", "t3", LinkType.SS)]
    lay = _slotted(compile_network(Network(START, tasks, links))).layout
    assert all(s.floor for s in lay.slots.forward[1:])
    assert all(s.floor for s in lay.slots.backward[:-1])


@settings(max_examples=150, deadline=None)
@given(networks(), st.integers(0, 2**32 - 1))
def test_the_narrow_frame_gives_the_same_times(net: Network, seed: int) -> None:
    plan = compile_network(net)
    durations = _random_durations(net, 6, seed)
    frame = time_frame(_slotted(plan), int(_spans(plan, durations).max(initial=0)))
    got = _chunk(frame.plan, durations, frame.dtype, frame.origin)
    want = _chunk(plan, durations, np.int64)
    for key in ("es", "ef", "ls", "lf", "day"):
        assert got[key].tolist() == want[key].tolist(), key


def test_int16_right_up_to_its_bound() -> None:
    """A chain whose times reach ~30,000 above the start still fits int16, exactly."""
    tasks = [Task(f"t{i}", 50) for i in range(300)]
    links = [Dependency(f"t{i}", f"t{i + 1}") for i in range(299)]
    net = Network(START, tasks, links)
    plan = compile_network(net)
    durations = np.full((300, 3), 50)
    durations[::7, 1] = 1
    frame = time_frame(_slotted(plan), 99)
    assert frame.dtype is np.int16
    got = _chunk(frame.plan, durations, frame.dtype, frame.origin)
    want = _chunk(plan, durations, np.int64)
    assert int(want["lf"].max()) - frame.origin > 29_000
    for key in ("es", "ef", "ls", "lf", "day"):
        assert got[key].tolist() == want[key].tolist(), key


def test_wide_frames_where_int16_is_not_proven() -> None:
    tasks = [Task(f"t{i}", 50) for i in range(400)]
    links = [Dependency(f"t{i}", f"t{i + 1}") for i in range(399)]
    assert time_frame(compile_network(Network(START, tasks, links)), 99).dtype is np.int32
    elapsed = [Task("a", 1), Task("b", 1)]
    lag = [Dependency("a", "b", LinkType.FS, 2, LagUnit.ELAPSED_DAYS)]
    assert time_frame(compile_network(Network(START, elapsed, lag)), 1).dtype is np.int32
