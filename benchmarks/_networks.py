"""Seeded random networks shared by the benchmark scripts.

A *layered* network puts tasks in consecutive layers and gives every task outside the
first layer about ``links_per_task`` predecessors drawn from the previous three layers,
which is how real plans look (mostly local logic, a few long jumps) and keeps the graph
acyclic by construction. The calendar is Monday-Friday with ten public holidays a year,
so every date computation has to skip both weekends and holidays.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from scheduler import Calendar, Dependency, LagUnit, LinkType, Network, Task

START = date(2025, 1, 6)  # a Monday
CALENDAR_ID = "std-holidays"


def holiday_calendar(years: int = 60, seed: int = 7) -> Calendar:
    """Mon-Fri with ten random weekday holidays in each of ``years`` years from START."""
    rng = random.Random(seed)
    holidays: set[date] = set()
    for year in range(START.year, START.year + years):
        while sum(1 for h in holidays if h.year == year) < 10:
            day = date(year, 1, 1) + timedelta(days=rng.randrange(365))
            if day.weekday() < 5:
                holidays.add(day)
    return Calendar(id=CALENDAR_ID, holidays=frozenset(holidays))


def layered_network(
    n_tasks: int,
    *,
    links_per_task: float = 3.0,
    layer_size: int = 100,
    seed: int = 1,
    mixed_links: bool = True,
    elapsed_lags: bool = False,
    three_point: bool = False,
) -> Network:
    """A random layered network of ``n_tasks`` tasks and ~``links_per_task`` links each.

    With ``mixed_links`` a quarter of the links are SS or FF, otherwise all are FS. With
    ``elapsed_lags`` a fifth of the links carry a 1-4 elapsed-day lag (the only lag kind
    both engines share).
    With ``three_point`` every task gets a PERT estimate around its duration.
    """
    rng = random.Random(seed)
    tasks = []
    for i in range(n_tasks):
        d = rng.randint(1, 10)
        extra = {}
        if three_point:
            extra = {
                "optimistic": d,
                "most_likely": d + 1,
                "pessimistic": d + 1 + rng.randint(1, 8),
            }
        tasks.append(Task(id=f"t{i}", duration=d, **extra))
    links: list[Dependency] = []
    seen: set[tuple[int, int]] = set()
    for i in range(layer_size, n_tasks):
        layer_start = i - i % layer_size
        low = max(0, layer_start - 3 * layer_size)
        count = int(links_per_task) + (rng.random() < links_per_task % 1)
        for _ in range(count):
            p = rng.randrange(low, layer_start)
            if (p, i) in seen:
                continue
            seen.add((p, i))
            links.append(_link(rng, f"t{p}", f"t{i}", mixed_links, elapsed_lags))
    return Network(
        start=START,
        tasks=tasks,
        dependencies=links,
        calendars={CALENDAR_ID: holiday_calendar()},
        default_calendar=CALENDAR_ID,
    )


def _link(rng: random.Random, pred: str, succ: str, mixed: bool, elapsed: bool) -> Dependency:
    kind = LinkType.FS
    if mixed:
        kind = rng.choices([LinkType.FS, LinkType.SS, LinkType.FF], weights=[75, 13, 12])[0]
    if elapsed and rng.random() < 0.2:
        return Dependency(pred, succ, kind, rng.randint(1, 4), LagUnit.ELAPSED_DAYS)
    return Dependency(pred, succ, kind)
