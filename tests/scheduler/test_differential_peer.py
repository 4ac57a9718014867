"""Differential tests against the peer engine ``trueppm_scheduler`` on random networks.

Both engines are asked the same question only where their semantics coincide (the mapping
is in ``oracles/peer_adapter.py``): whole working-day durations, all four link types,
zero working-day lags and elapsed-day lags (the peer's only kind of lag) on every link type,
leads included, weekly patterns and holidays. There every task's early/late dates, total and
free float and critical flag must be identical. Two places where the engines deliberately
differ are left out:

- the peer lets a task driven by an SF link start before the project start; ours, like
  Microsoft Project, never schedules work before the start (such draws are discarded);
- milestones: ours measures a milestone's float in working time from its instant (an
  unlinked milestone at the project start sits at 08:00, as in Microsoft Project, whose
  stored slack the MSPDI oracle confirms); the peer counts from the day it is shown on,
  one day less. Networks here have no zero-duration tasks.

For PERT inputs the P50/P80 of both Monte Carlo engines must agree within Monte Carlo
error plus one working day of discretisation (ours rounds each sampled duration to whole
days, the peer keeps them continuous and reports the day the finish instant falls on).
"""

from __future__ import annotations

import importlib
import random
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scheduler import Calendar, Dependency, LagUnit, LinkType, Network, Task, schedule, simulate

peer = pytest.importorskip("trueppm_scheduler")

# The adapter lives beside the oracle tests; put the repository root on the path so it
# imports the same way whatever ``__init__.py`` layout the tests folder has.
_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))
adapter: Any = importlib.import_module("tests.scheduler.oracles.peer_adapter")

CAL = "cal"
MON = date(2026, 1, 5)
START_LINKS = (LinkType.FS, LinkType.SS)


@st.composite
def calendars(draw: st.DrawFn, start: date) -> Calendar:
    """A weekly pattern with at least three working days and some holidays near the start."""
    mask = draw(st.integers(1, 0b1111111).filter(lambda m: bin(m).count("1") >= 3))
    offsets = draw(st.sets(st.integers(1, 120), max_size=12))
    holidays = frozenset(start + timedelta(days=o) for o in offsets)
    return Calendar(CAL, working_weekdays=mask, holidays=holidays)


@st.composite
def networks(draw: st.DrawFn, *, elapsed: bool) -> Network:
    """A random acyclic network: links only go from a lower to a higher task index."""
    calendar = draw(calendars(date(2026, 1, 5)))
    # Start on a working day so "the project start" means the same day to both engines.
    start = next(
        d
        for d in (date(2026, 1, 5) + timedelta(days=i) for i in range(7))
        if calendar.working_weekdays >> d.weekday() & 1
    )
    n = draw(st.integers(2, 14))
    durations = draw(st.lists(st.integers(1, 8), min_size=n, max_size=n))
    tasks = [Task(f"t{i}", d) for i, d in enumerate(durations)]
    pairs = draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2 * n))
    links = []
    for a, b in sorted({(min(p), max(p)) for p in pairs if p[0] != p[1]}):
        kind = draw(st.sampled_from(tuple(LinkType)))
        lag, unit = 0, LagUnit.WORKING_DAYS
        if elapsed and draw(st.booleans()):
            lag, unit = draw(st.integers(-3, 6)), LagUnit.ELAPSED_DAYS
        links.append(Dependency(f"t{a}", f"t{b}", kind, lag, unit))
    return Network(start, tasks, links, {CAL: calendar}, default_calendar=CAL)


def describe(network: Network) -> str:
    """A compact, readable form of a network for failure messages."""
    cal = network.calendars[CAL]
    lines = [
        f"start {network.start:%a %Y-%m-%d}, working Mon..Sun "
        f"{format(cal.working_weekdays, '07b')[::-1]}, "
        f"holidays {sorted(h.isoformat() for h in cal.holidays)}",
        "durations " + " ".join(f"{t.id}={t.duration}" for t in network.tasks),
    ]
    for d in network.dependencies:
        unit = "ed" if d.lag_unit == LagUnit.ELAPSED_DAYS else "wd"
        lines.append(f"  {d.predecessor} -{d.type.value}{d.lag:+d}{unit}-> {d.successor}")
    return "\n".join(lines)


def compare(network: Network) -> None:
    ours = adapter.our_dates(schedule(network))
    theirs = adapter.peer_dates(peer.schedule(adapter.to_peer(network)))
    assume(all(d.early_start >= network.start for d in theirs.values()))
    diffs = {tid: (ours[tid], theirs[tid]) for tid in ours if ours[tid] != theirs[tid]}
    shown = "\n".join(f"{t}:\n  ours {a}\n  peer {b}" for t, (a, b) in diffs.items())
    assert not diffs, describe(network) + "\n" + shown


SETTINGS = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@SETTINGS
@given(networks(elapsed=False))
def test_all_link_types_with_holidays_match_peer(network: Network) -> None:
    compare(network)


@SETTINGS
@given(networks(elapsed=True))
def test_elapsed_lags_match_peer(network: Network) -> None:
    compare(network)


# --- Monte Carlo ------------------------------------------------------------------------
# Ours samples the lambda=4 Beta-PERT (alpha = 1 + 4(M-O)/(P-O)); the peer fits a Beta by
# moments to mean (O+4M+P)/6 and sd (P-O)/6. A Beta on [O, P] is fixed by its mean and
# variance, and the two coincide exactly when (M-O)/(P-O) = (2-sqrt 2)/4 ~ 0.1464 or its
# mirror, so the estimates below put the mode at 6/41 or 35/41 of a 41-day range. The
# peer floors every sample at the task's duration: duration = O makes that a no-op.


def pert_network(seed: int) -> Network:
    rng = random.Random(seed)
    tasks = []
    for i in range(15):
        low = rng.randint(2, 6)
        mode = low + (6 if rng.random() < 0.5 else 35)
        tasks.append(Task(f"t{i}", low, optimistic=low, most_likely=mode, pessimistic=low + 41))
    links = [
        Dependency(f"t{i}", f"t{j}", rng.choice(START_LINKS))
        for j in range(1, 15)
        for i in rng.sample(range(j), min(j, 2))
    ]
    holidays = frozenset(MON + timedelta(days=rng.randrange(400)) for _ in range(15))
    cal = Calendar(CAL, holidays=holidays)
    return Network(MON, tasks, links, {CAL: cal}, default_calendar=CAL)


def working_days_between(cal: Calendar, a: date, b: date) -> int:
    lo, hi = sorted((a, b))
    days = (lo + timedelta(days=i) for i in range((hi - lo).days))
    return sum(1 for d in days if cal.working_weekdays >> d.weekday() & 1 and d not in cal.holidays)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pert_percentiles_match_peer(seed: int) -> None:
    network = pert_network(seed)
    runs = 20_000
    ours = simulate(network, iterations=runs, seed=seed)
    theirs = peer.monte_carlo(adapter.to_peer(network), runs=runs, seed=seed)
    for level, peer_date in ((50, theirs.p50), (80, theirs.p80)):
        # Standard error of a sample quantile under a normal approximation, for each of the
        # two independent runs; plus one day for the rounding conventions (module docstring).
        z_density = {50: 0.399, 80: 0.280}[level]
        se = (level / 100 * (1 - level / 100) / runs) ** 0.5 * ours.std / z_density
        tolerance = 1 + 3 * 2**0.5 * se
        gap = working_days_between(network.calendars[CAL], ours.percentiles[level], peer_date)
        assert gap <= tolerance, f"P{level}: ours {ours.percentiles[level]}, peer {peer_date}"


# --- Minimal cases of the elapsed-lag bugs the comparison once found (E1-E3) -------------
# Each asserts the textbook answer, which the peer also gives. The backward conversion of an
# elapsed lag is now the exact inverse of the forward one (``_passes._elapsed_backward``), and
# an elapsed lag's free float is measured through it.


def _pair(kind: LinkType, lag: int, mask: int = 0b0011111, da: int = 3, db: int = 2) -> Any:
    cal = Calendar(CAL, working_weekdays=mask)
    link = Dependency("A", "B", kind, lag, LagUnit.ELAPSED_DAYS)
    net = Network(MON, [Task("A", da), Task("B", db)], [link], {CAL: cal}, default_calendar=CAL)
    return schedule(net).tasks


def test_ff_elapsed_lag_over_weekend_has_no_negative_float() -> None:
    # A runs Mon-Wed; B must finish 3 calendar days after A (Sat) -> B ends on Mon 12.
    # Nothing is constrained, so no task may have negative float.
    tasks = _pair(LinkType.FF, 3)
    assert tasks["A"].total_float >= 0
    assert tasks["A"].late_finish >= tasks["A"].early_finish


def test_ss_elapsed_lag_late_start_is_feasible() -> None:
    # Working days Mon, Tue, Fri. A (1 day) on Mon 5; B >= A's start + 2 calendar days
    # (Wed) -> Fri 9, the project finish. Starting A on Fri would push B to Mon 12, so A's
    # latest start is Tue 6 (total float 1), not Fri 9.
    tasks = _pair(LinkType.SS, 2, mask=0b0010011, da=1, db=1)
    assert tasks["A"].late_start == date(2026, 1, 6)
    assert tasks["A"].total_float == 1


def test_fs_elapsed_lag_free_float_counts_absorbed_weekend() -> None:
    # A runs Mon-Wed; B starts after A's finish + 2 calendar days, i.e. Mon 12. A could
    # finish as late as Fri 9 without moving B, so its free float is 2 (= its total float).
    tasks = _pair(LinkType.FS, 2)
    assert tasks["B"].early_start == date(2026, 1, 12)
    assert tasks["A"].free_float == 2
