"""Invalid input: one ScheduleInputError listing every problem; cycles name their tasks."""

from datetime import date
from typing import Any

import pytest

from scheduler import (
    Calendar,
    ConstraintType,
    CyclicDependencyError,
    Dependency,
    Network,
    ScheduleInputError,
    Task,
    TaskKind,
    schedule,
)

START = date(2024, 1, 1)


def test_every_problem_is_listed_at_once() -> None:
    tasks = [
        Task("A", -1),
        Task("M", 2, kind=TaskKind.MILESTONE),
        Task("B", 1, parent="A"),
        Task("C", 1, calendar="nope"),
        Task("D", 1, constraint_type=ConstraintType.SNET),
        Task("E", 1, percent_complete=150),
        Task("F", 1, optimistic=5, most_likely=3, pessimistic=9),
        Task("A", 2),
    ]
    links = [
        Dependency("X", "B"),
        Dependency("C", "C"),
        Dependency("C", "D"),
        Dependency("C", "D"),
    ]
    with pytest.raises(ScheduleInputError) as info:
        Network(START, tasks, links)
    found = {(p.task_id, p.field) for p in info.value.problems}
    assert found == {
        ("A", "duration"),
        ("M", "duration"),
        ("B", "parent"),
        ("C", "calendar"),
        ("D", "constraint_date"),
        ("E", "percent_complete"),
        ("F", "estimates"),
        ("A", "id"),
        ("B", "predecessor"),
        ("C", "predecessor"),
        ("D", "predecessor"),
    }
    assert len(info.value.problems) == 11
    assert "unknown predecessor 'X'" in str(info.value)


def test_wrong_enum_and_date_types_are_listed() -> None:
    tasks: list[Any] = [
        Task("A", 1, kind="task"),  # a plain string, not a TaskKind
        Task("B", 1, constraint_type="SNET", constraint_date=date(2024, 1, 3)),
        Task("C", 1, deadline="2024-01-05"),
        Task("D", 1, optimistic=1, most_likely=2, pessimistic=3, distribution="beta"),
    ]
    links: list[Any] = [
        Dependency("A", "B", type="XX"),
        Dependency("B", "C", lag=1, lag_unit="days"),
    ]
    with pytest.raises(ScheduleInputError) as info:
        Network(START, tasks, links)
    found = {(p.task_id, p.field) for p in info.value.problems}
    assert found == {
        ("A", "kind"),
        ("B", "constraint_type"),
        ("C", "deadline"),
        ("D", "distribution"),
        ("B", "type"),
        ("C", "lag_unit"),
    }
    assert "'XX' is not a LinkType" in str(info.value)


def test_progress_and_calendar_problems() -> None:
    tasks = [
        Task("A", 2, actual_finish=date(2024, 1, 3)),
        Task("B", 2, actual_start=date(2024, 1, 5), actual_finish=date(2024, 1, 4)),
        Task("S", kind=TaskKind.SUMMARY),
    ]
    cals = {"c": Calendar("c", working_weekdays=0)}
    with pytest.raises(ScheduleInputError) as info:
        Network(START, tasks, calendars=cals, default_calendar="d", status_date=date(2024, 1, 4))
    fields = [(p.task_id, p.field) for p in info.value.problems]
    assert fields == [
        (None, "default_calendar"),
        (None, "calendars['c'].working_weekdays"),
        ("A", "actual_finish"),
        ("B", "actual_finish"),
        ("B", "actual_start"),
        ("S", "kind"),
    ]


def test_cycle_reports_its_tasks_in_order() -> None:
    tasks = [Task(t, 1) for t in "ABCD"]
    links = [Dependency("A", "B"), Dependency("B", "C"), Dependency("C", "D"), Dependency("D", "B")]
    with pytest.raises(CyclicDependencyError) as info:
        schedule(Network(START, tasks, links))
    cycle = info.value.cycle
    assert sorted(cycle) == ["B", "C", "D"]
    k = cycle.index("B")
    assert cycle[k:] + cycle[:k] == ("B", "C", "D")
    assert "B -> C -> D -> B" in str(info.value)


def test_cycle_through_a_summary() -> None:
    tasks = [Task("S", kind=TaskKind.SUMMARY), Task("A", 1, parent="S"), Task("B", 1)]
    with pytest.raises(CyclicDependencyError) as info:
        schedule(Network(START, tasks, [Dependency("S", "B"), Dependency("B", "A")]))
    assert sorted(info.value.cycle) == ["A", "B"]
