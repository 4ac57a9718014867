"""Progress against a status date, WBS summaries, calendars and elapsed lags.

January 2024: Mon 1, Tue 2, Wed 3, Thu 4, Fri 5, Mon 8, Tue 9, Wed 10, Thu 11, Fri 12, Mon 15.
"""

from datetime import date

import pytest

from scheduler import (
    Calendar,
    Dependency,
    LagUnit,
    LinkType,
    Network,
    Task,
    TaskKind,
    schedule,
)

START = date(2024, 1, 1)


def d(day: int) -> date:
    return date(2024, 1, day)


def test_completed_task_is_fixed_at_its_actuals() -> None:
    tasks = [Task("A", 3, actual_start=d(2), actual_finish=d(5)), Task("B", 2)]
    r = schedule(Network(START, tasks, [Dependency("A", "B")], status_date=d(5)))
    a, b = r.tasks["A"], r.tasks["B"]
    assert (a.early_start, a.early_finish, a.is_critical) == (d(2), d(5), False)
    assert (b.early_start, b.early_finish) == (d(8), d(9))


def test_in_progress_remaining_work_starts_after_the_status_date() -> None:
    tasks = [Task("A", 4, actual_start=d(1), percent_complete=25), Task("B", 1)]
    r = schedule(Network(START, tasks, [Dependency("A", "B")], status_date=d(4)))
    a = r.tasks["A"]
    # 3 days remain (ceil of 4 * 0.75), from Fri 5: Fri 5, Mon 8, Tue 9.
    assert (a.early_start, a.early_finish) == (d(1), d(9))
    assert r.tasks["B"].early_start == d(10)


def test_remaining_duration_wins_over_percent() -> None:
    tasks = [Task("A", 4, actual_start=d(1), percent_complete=25, remaining_duration=1)]
    r = schedule(Network(START, tasks, status_date=d(2)))
    assert r.tasks["A"].early_finish == d(3)


def test_unstarted_tasks_wait_for_the_status_date() -> None:
    r = schedule(Network(START, [Task("A", 2)], status_date=d(3)))
    assert (r.tasks["A"].early_start, r.tasks["A"].early_finish) == (d(4), d(5))


def test_retained_logic_holds_remaining_work_behind_an_open_predecessor() -> None:
    tasks = [
        Task("A", 5, actual_start=d(1), remaining_duration=3),
        Task("B", 4, actual_start=d(2), remaining_duration=1),
    ]
    r = schedule(Network(START, tasks, [Dependency("A", "B")], status_date=d(3)))
    # A's remaining 3 days: Thu 4 - Mon 8; B's remaining day waits for A: Tue 9.
    assert r.tasks["A"].early_finish == d(8)
    assert (r.tasks["B"].early_start, r.tasks["B"].early_finish) == (d(2), d(9))


def test_summary_rolls_up_and_links_apply_to_children() -> None:
    tasks = [
        Task("S", kind=TaskKind.SUMMARY),
        Task("A", 2, parent="S"),
        Task("B", 4, parent="S"),
        Task("X", 3),
        Task("Z", 1),
    ]
    links = [Dependency("X", "S"), Dependency("S", "Z")]
    r = schedule(Network(START, tasks, links))
    assert (r.tasks["A"].early_start, r.tasks["B"].early_start) == (d(4), d(4))
    s = r.tasks["S"]
    assert (s.early_start, s.early_finish, s.total_float) == (d(4), d(9), 0)
    assert r.tasks["A"].total_float == 2
    assert r.tasks["Z"].early_start == d(10)
    assert r.critical_path == ("X", "B", "Z")


def test_task_table_is_a_full_mapping_whatever_is_read_first() -> None:
    """Results are built on first access; a summary or an unknown id read first must not
    leave the table half built, and every id stays reachable afterwards."""
    tasks = [Task("S", kind=TaskKind.SUMMARY), Task("A", 2, parent="S"), Task("X", 3)]
    net = Network(START, tasks, [Dependency("X", "S")])
    first_summary = schedule(net).tasks
    assert first_summary["S"].early_start == d(4)
    assert first_summary["A"].early_start == d(4)
    first_unknown = schedule(net).tasks
    with pytest.raises(KeyError):
        first_unknown["nope"]
    assert first_unknown["X"].early_finish == d(3)
    assert "S" in first_unknown
    assert "nope" not in first_unknown
    assert list(first_unknown) == ["S", "A", "X"]
    assert len(first_unknown) == 3
    assert dict(first_unknown) == dict(first_summary)


def test_nested_summaries() -> None:
    tasks = [
        Task("S", kind=TaskKind.SUMMARY),
        Task("T", kind=TaskKind.SUMMARY, parent="S"),
        Task("A", 2, parent="T"),
        Task("B", 3, parent="S"),
    ]
    r = schedule(Network(START, tasks, [Dependency("A", "B")]))
    assert (r.tasks["S"].early_start, r.tasks["S"].early_finish) == (d(1), d(5))
    assert (r.tasks["T"].early_start, r.tasks["T"].early_finish) == (d(1), d(2))


def test_holidays_and_extra_working_days() -> None:
    cal = Calendar("c", holidays=frozenset({d(2), d(3)}), extra_working_days=frozenset({d(6)}))
    tasks = [Task("A", 3), Task("B", 2)]
    r = schedule(Network(START, tasks, [Dependency("A", "B")], {"c": cal}, "c"))
    # Working days: Mon 1, Thu 4, Fri 5, Sat 6, Mon 8 ...
    assert (r.tasks["A"].early_start, r.tasks["A"].early_finish) == (d(1), d(5))
    assert (r.tasks["B"].early_start, r.tasks["B"].early_finish) == (d(6), d(8))


def test_calendar_from_ranges() -> None:
    cal = Calendar.from_ranges("c", [(d(1), d(3))])
    assert cal.holidays == frozenset({d(1), d(2), d(3)})


def test_per_task_calendar_and_lag_on_the_successor_calendar() -> None:
    week = Calendar("week")
    seven = Calendar("seven", working_weekdays=0b1111111)
    tasks = [Task("A", 5), Task("B", 2, calendar="seven")]
    links = [Dependency("A", "B", lag=2)]
    r = schedule(Network(START, tasks, links, {"week": week, "seven": seven}, "week"))
    # A ends Fri 5; the 2-day lag runs Sat 6 and Sun 7 on B's seven-day calendar.
    assert (r.tasks["B"].early_start, r.tasks["B"].early_finish) == (d(8), d(9))


def test_elapsed_lag_counts_calendar_days_then_snaps_to_work() -> None:
    tasks = [Task("A", 3), Task("B", 1)]
    r = schedule(
        Network(START, tasks, [Dependency("A", "B", lag=2, lag_unit=LagUnit.ELAPSED_DAYS)])
    )
    # A ends Wed 3 17:00; +2 elapsed days = Fri 5 17:00; B starts Mon 8.
    assert r.tasks["B"].early_start == d(8)
    r = schedule(
        Network(START, tasks, [Dependency("A", "B", lag=1, lag_unit=LagUnit.ELAPSED_DAYS)])
    )
    assert r.tasks["B"].early_start == d(5)


def test_two_identical_calendars_match_the_single_calendar_path() -> None:
    tasks = [Task("A", 3), Task("B", 2, calendar="twin"), Task("C", 4)]
    links = [
        Dependency("A", "B", LinkType.SS, 1),
        Dependency("B", "C", LinkType.FF, -1),
        Dependency("A", "C", LinkType.SF, 2),
    ]
    hol = frozenset({d(4)})
    one = schedule(Network(START, [*tasks[:1], Task("B", 2), tasks[2]], links,
                           {"c": Calendar("c", holidays=hol)}, "c"))  # fmt: skip
    two = schedule(
        Network(START, tasks, links,
                {"c": Calendar("c", holidays=hol), "twin": Calendar("twin", holidays=hol)}, "c")
    )  # fmt: skip
    assert dict(one.tasks) == dict(two.tasks)
