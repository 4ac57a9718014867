"""derive(): the chain of links, lags, durations and constraints behind a value."""

from datetime import date

import pytest

from scheduler import ConstraintType, Dependency, LinkType, Network, Task, schedule

START = date(2024, 1, 1)


def result():  # type: ignore[no-untyped-def]
    tasks = [
        Task("A", 3),
        Task("B", 2, constraint_type=ConstraintType.SNET, constraint_date=date(2024, 1, 2)),
        Task("C", 2),
        Task("D", 1, deadline=date(2024, 1, 12)),
    ]
    links = [
        Dependency("A", "C", lag=1),
        Dependency("B", "C", LinkType.SS),
        Dependency("C", "D"),
    ]
    return schedule(Network(START, tasks, links))


def test_early_start_walks_back_the_driving_chain() -> None:
    der = result().derive("D", "early_start")
    assert der.value == date(2024, 1, 9)
    assert [(s.task_id, s.field, s.value) for s in der.steps] == [
        ("A", "early_start", date(2024, 1, 1)),
        ("A", "early_finish", date(2024, 1, 3)),
        ("C", "early_start", date(2024, 1, 5)),
        ("C", "early_finish", date(2024, 1, 8)),
        ("D", "early_start", date(2024, 1, 9)),
    ]
    text = der.explain()
    assert "FS link from predecessor A with lag 1 working day(s)" in text
    assert "project start 2024-01-01" in text
    assert der.to_dict()["steps"][0]["task_id"] == "A"


def test_constraint_and_deadline_reasons() -> None:
    r = result()
    assert "SNET" in r.derive("B", "early_start").steps[-1].reason
    late = r.derive("D", "late_finish")
    assert late.steps[-1].reason == "project finish 2024-01-09"
    tf = r.derive("B", "total_float")
    assert tf.value == r.tasks["B"].total_float == 3
    ff = r.derive("A", "free_float")
    assert ff.value == 0
    assert "slack of FS link to C" in ff.explain()


def test_unknown_field_is_rejected() -> None:
    with pytest.raises(ValueError, match="field must be one of"):
        result().derive("A", "colour")
