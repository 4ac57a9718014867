"""Hand-worked CPM cases for every link type, lag and lead (Mon-Fri, January 2024).

January 2024: Mon 1, Tue 2, Wed 3, Thu 4, Fri 5, Mon 8, Tue 9, Wed 10, Thu 11, Fri 12, Mon 15.
"""

from datetime import date

import pytest

from scheduler import Dependency, LinkType, Network, Task, TaskKind, schedule

START = date(2024, 1, 1)


def d(day: int) -> date:
    return date(2024, 1, day)


def run(tasks: list[Task], links: list[Dependency]):  # type: ignore[no-untyped-def]
    return schedule(Network(START, tasks, links))


def test_finish_to_start_chain() -> None:
    r = run([Task("A", 3), Task("B", 2)], [Dependency("A", "B")])
    a, b = r.tasks["A"], r.tasks["B"]
    assert (a.early_start, a.early_finish) == (d(1), d(3))
    assert (b.early_start, b.early_finish) == (d(4), d(5))
    assert (b.late_start, b.late_finish) == (d(4), d(5))
    assert r.project_finish == d(5)
    assert r.critical_path == ("A", "B")
    assert b.driving_predecessors == ("A",)


def test_finish_to_start_crosses_the_weekend() -> None:
    r = run([Task("A", 4), Task("B", 3)], [Dependency("A", "B")])
    assert (r.tasks["B"].early_start, r.tasks["B"].early_finish) == (d(5), d(9))


@pytest.mark.parametrize(
    ("lag", "start", "finish"),
    [(0, 4, 5), (2, 8, 9), (-1, 3, 4), (-3, 1, 2), (5, 11, 12)],
)
def test_finish_to_start_lag_and_lead(lag: int, start: int, finish: int) -> None:
    r = run([Task("A", 3), Task("B", 2)], [Dependency("A", "B", lag=lag)])
    assert (r.tasks["B"].early_start, r.tasks["B"].early_finish) == (d(start), d(finish))


def test_lead_never_starts_before_the_project() -> None:
    r = run([Task("A", 1), Task("B", 2)], [Dependency("A", "B", lag=-5)])
    assert r.tasks["B"].early_start == d(1)


def test_start_to_start_with_lag() -> None:
    r = run([Task("A", 5), Task("B", 2)], [Dependency("A", "B", LinkType.SS, 2)])
    b = r.tasks["B"]
    assert (b.early_start, b.early_finish) == (d(3), d(4))
    # B may slip until it finishes with the project (Fri 5): 1 working day of float.
    assert (b.late_start, b.late_finish, b.total_float, b.free_float) == (d(4), d(5), 1, 1)
    assert r.tasks["A"].total_float == 0


def test_finish_to_finish() -> None:
    r = run([Task("A", 3), Task("B", 1)], [Dependency("A", "B", LinkType.FF)])
    assert (r.tasks["B"].early_start, r.tasks["B"].early_finish) == (d(3), d(3))
    r = run([Task("A", 3), Task("B", 2)], [Dependency("A", "B", LinkType.FF, 2)])
    assert (r.tasks["B"].early_start, r.tasks["B"].early_finish) == (d(4), d(5))


def test_finish_to_finish_longer_successor_starts_at_project_start() -> None:
    r = run([Task("A", 1), Task("B", 3)], [Dependency("A", "B", LinkType.FF)])
    assert (r.tasks["B"].early_start, r.tasks["B"].early_finish) == (d(1), d(3))


def test_start_to_finish() -> None:
    # B must finish no earlier than A starts (Wed 3, 08:00): B may finish Tue 2 at 17:00.
    tasks = [Task("Z", 2), Task("A", 1), Task("B", 2)]
    links = [Dependency("Z", "A"), Dependency("A", "B", LinkType.SF)]
    b = run(tasks, links).tasks["B"]
    assert (b.early_start, b.early_finish) == (d(1), d(2))
    links = [Dependency("Z", "A"), Dependency("A", "B", LinkType.SF, 2)]
    b = run(tasks, links).tasks["B"]
    assert (b.early_start, b.early_finish) == (d(3), d(4))


def test_milestone_sits_on_its_predecessors_finish_day() -> None:
    tasks = [Task("A", 3), Task("M", kind=TaskKind.MILESTONE), Task("B", 2)]
    r = run(tasks, [Dependency("A", "M"), Dependency("M", "B")])
    m = r.tasks["M"]
    assert (m.early_start, m.early_finish, m.late_start, m.late_finish) == (d(3),) * 4
    assert r.tasks["B"].early_start == d(4)
    assert r.critical_path == ("A", "M", "B")


def test_start_milestone_sits_on_the_project_start() -> None:
    tasks = [Task("S", kind=TaskKind.MILESTONE), Task("A", 2)]
    r = run(tasks, [Dependency("S", "A")])
    assert r.tasks["S"].early_start == d(1)
    assert (r.tasks["A"].early_start, r.tasks["A"].early_finish) == (d(1), d(2))


def test_textbook_network_floats() -> None:
    # A(3) -> B(4) -> D(2); A -> C(2) -> D. C has 2 days of float, free float 2.
    tasks = [Task("A", 3), Task("B", 4), Task("C", 2), Task("D", 2)]
    links = [Dependency("A", "B"), Dependency("A", "C"), Dependency("B", "D"), Dependency("C", "D")]
    r = run(tasks, links)
    c = r.tasks["C"]
    assert (c.early_start, c.early_finish, c.late_start, c.late_finish) == (d(4), d(5), d(8), d(9))
    assert (c.total_float, c.free_float, c.is_critical) == (2, 2, False)
    assert r.tasks["D"].early_finish == d(11)
    assert r.critical_path == ("A", "B", "D")
    assert r.critical_paths == (("A", "B", "D"),)


def test_critical_threshold() -> None:
    tasks = [Task("A", 3), Task("B", 4), Task("C", 2), Task("D", 2)]
    links = [Dependency("A", "B"), Dependency("A", "C"), Dependency("B", "D"), Dependency("C", "D")]
    r = schedule(Network(START, tasks, links), critical_threshold=2)
    assert r.tasks["C"].is_critical


def test_parallel_paths_give_two_critical_paths() -> None:
    tasks = [Task("A", 2), Task("B", 2), Task("C", 2), Task("D", 1)]
    links = [Dependency("A", "B"), Dependency("A", "C"), Dependency("B", "D"), Dependency("C", "D")]
    r = run(tasks, links)
    assert set(r.critical_paths) == {("A", "B", "D"), ("A", "C", "D")}
    assert r.critical_path == ("A", "B", "D")
