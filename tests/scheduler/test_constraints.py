"""Constraints and deadlines, Microsoft Project semantics (Mon-Fri, January 2024).

January 2024: Mon 1, Tue 2, Wed 3, Thu 4, Fri 5, Mon 8, Tue 9, Wed 10, Thu 11, Fri 12, Mon 15.
"""

from datetime import date

import pytest

from scheduler import Calendar, Dependency, Network, Task, TaskKind, schedule, working_days
from scheduler import ConstraintType as C

START = date(2024, 1, 1)


def d(day: int) -> date:
    return date(2024, 1, day)


def chain(b: Task):  # type: ignore[no-untyped-def]
    """A(3) -> B -> Z(2), plus a 10-day task P so that the project runs to Fri 12."""
    tasks = [Task("A", 3), b, Task("Z", 2), Task("P", 10)]
    links = [Dependency("A", b.id), Dependency(b.id, "Z")]
    return schedule(Network(START, tasks, links))


def test_asap_baseline() -> None:
    r = chain(Task("B", 2))
    b = r.tasks["B"]
    assert (b.early_start, b.early_finish, b.late_start, b.late_finish) == (d(4), d(5), d(9), d(10))
    assert b.total_float == 3


def test_snet_pushes_the_start() -> None:
    b = chain(Task("B", 2, constraint_type=C.SNET, constraint_date=d(8))).tasks["B"]
    assert (b.early_start, b.early_finish, b.total_float) == (d(8), d(9), 1)
    assert b.driving_predecessors == ()


def test_snet_on_a_weekend_moves_to_monday() -> None:
    b = chain(Task("B", 2, constraint_type=C.SNET, constraint_date=d(6))).tasks["B"]
    assert b.early_start == d(8)


def test_fnet() -> None:
    b = chain(Task("B", 2, constraint_type=C.FNET, constraint_date=d(9))).tasks["B"]
    assert (b.early_start, b.early_finish) == (d(8), d(9))


def test_snlt_caps_the_late_start() -> None:
    b = chain(Task("B", 2, constraint_type=C.SNLT, constraint_date=d(5))).tasks["B"]
    assert (b.early_start, b.late_start, b.late_finish, b.total_float) == (d(4), d(5), d(8), 1)


def test_fnlt_before_the_early_finish_gives_negative_float() -> None:
    r = chain(Task("B", 2, constraint_type=C.FNLT, constraint_date=d(4)))
    b = r.tasks["B"]
    assert (b.early_finish, b.late_finish, b.total_float) == (d(5), d(4), -1)
    assert r.tasks["A"].total_float == -1
    assert b.is_critical


def test_snlt_before_the_early_start_gives_negative_float() -> None:
    b = chain(Task("B", 2, constraint_type=C.SNLT, constraint_date=d(2))).tasks["B"]
    assert (b.early_start, b.late_start, b.total_float) == (d(4), d(2), -2)


def test_mso_pins_both_passes() -> None:
    b = chain(Task("B", 2, constraint_type=C.MSO, constraint_date=d(8))).tasks["B"]
    assert (b.early_start, b.early_finish, b.late_start, b.late_finish) == (d(8), d(9), d(8), d(9))
    assert b.total_float == 0


def test_mso_before_the_predecessor_breaks_the_link_visibly() -> None:
    r = chain(Task("B", 2, constraint_type=C.MSO, constraint_date=d(2)))
    b = r.tasks["B"]
    assert (b.early_start, b.early_finish) == (d(2), d(3))
    # A must finish by Mon 1 to feed B on Tue 2: two days of negative float.
    assert r.tasks["A"].total_float == -2
    assert r.violations == (("A", "B", 2),)


def test_mfo() -> None:
    b = chain(Task("B", 2, constraint_type=C.MFO, constraint_date=d(10))).tasks["B"]
    assert (b.early_start, b.early_finish, b.late_finish, b.total_float) == (d(9), d(10), d(10), 0)


def test_mfo_too_early_gives_negative_float() -> None:
    r = chain(Task("B", 2, constraint_type=C.MFO, constraint_date=d(3)))
    assert (r.tasks["B"].early_finish, r.tasks["A"].total_float) == (d(3), -2)


def test_deadline_gives_negative_float_without_moving_dates() -> None:
    r = chain(Task("B", 2, deadline=d(4)))
    b = r.tasks["B"]
    assert (b.early_start, b.early_finish, b.late_finish, b.total_float) == (d(4), d(5), d(4), -1)


def test_deadline_on_a_milestone() -> None:
    tasks = [Task("A", 5), Task("M", kind=TaskKind.MILESTONE, deadline=d(3))]
    r = schedule(Network(START, tasks, [Dependency("A", "M")]))
    assert (r.tasks["M"].early_start, r.tasks["M"].total_float) == (d(5), -2)


def test_alap_is_scheduled_late_but_float_is_measured_as_usual() -> None:
    tasks = [Task("A", 2, constraint_type=C.ALAP), Task("B", 5), Task("Z", 1)]
    links = [Dependency("A", "Z"), Dependency("B", "Z")]
    a = schedule(Network(START, tasks, links)).tasks["A"]
    assert (a.early_start, a.total_float, a.free_float) == (d(1), 3, 3)
    assert (a.start, a.finish) == (d(4), d(5))


@pytest.mark.parametrize("kind", [C.SNET, C.SNLT, C.FNET, C.FNLT, C.MSO, C.MFO])
def test_every_dated_constraint_on_a_milestone(kind: C) -> None:
    tasks = [
        Task("A", 3),
        Task("M", kind=TaskKind.MILESTONE, constraint_type=kind, constraint_date=d(4)),
    ]
    m = schedule(Network(START, tasks, [Dependency("A", "M")])).tasks["M"]
    expected = {
        C.SNET: (d(4), 0), C.SNLT: (d(3), 0), C.FNET: (d(4), 0),
        C.FNLT: (d(3), 0), C.MSO: (d(4), 0), C.MFO: (d(4), 0),
    }[kind]  # fmt: skip
    assert (m.early_start, m.total_float) == expected


def test_working_days_counts_both_ends_on_the_calendar() -> None:
    plain = Calendar("std")
    assert working_days(plain, date(2026, 1, 5), date(2026, 1, 13)) == 7  # over a weekend
    assert working_days(plain, date(2026, 1, 5), date(2026, 1, 5)) == 1
    assert working_days(plain, date(2026, 1, 10), date(2026, 1, 11)) == 0  # a weekend
    assert working_days(plain, date(2026, 1, 6), date(2026, 1, 5)) == 0
    holiday = Calendar("h", holidays=frozenset({date(2026, 1, 7)}))
    assert working_days(holiday, date(2026, 1, 5), date(2026, 1, 13)) == 6
    saturday = Calendar("s", extra_working_days=frozenset({date(2026, 1, 10)}))
    assert working_days(saturday, date(2026, 1, 5), date(2026, 1, 13)) == 8
