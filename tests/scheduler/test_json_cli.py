"""The JSON format and the command line."""

import json
from datetime import date
from pathlib import Path

import pytest

from scheduler import (
    Calendar,
    ConstraintType,
    Dependency,
    LinkType,
    Network,
    ScheduleInputError,
    Task,
    network_from_dict,
    network_to_dict,
    result_to_dict,
    schedule,
)
from scheduler.__main__ import main

PLAN = {
    "start": "2024-01-01",
    "default_calendar": "std",
    "calendars": [
        {"id": "std", "holidays": ["2024-01-02"], "holiday_ranges": [["2024-01-10", "2024-01-11"]]}
    ],
    "tasks": [
        {"id": "A", "duration": 3, "optimistic": 2, "most_likely": 3, "pessimistic": 6},
        {"id": "B", "duration": 2, "constraint_type": "SNET", "constraint_date": "2024-01-08"},
        {"id": "M", "kind": "milestone"},
    ],
    "dependencies": [
        {"predecessor": "A", "successor": "B"},
        {"predecessor": "B", "successor": "M", "type": "FF", "lag": 1},
    ],
    "risks": [{"id": "R", "probability": 0.3, "impact": 2, "task_ids": ["B"]}],
}


def test_network_from_dict_reads_every_section() -> None:
    net = network_from_dict(PLAN)
    assert net.calendars["std"].holidays == frozenset(
        {date(2024, 1, 2), date(2024, 1, 10), date(2024, 1, 11)}
    )
    assert net.tasks[1].constraint_type is ConstraintType.SNET
    assert net.dependencies[1].type is LinkType.FF
    r = schedule(net)
    assert r.tasks["B"].early_start == date(2024, 1, 8)
    assert r.project_finish == date(2024, 1, 12)  # B ends Tue 9, +1 day on FF, skipping 10, 11


def test_round_trip() -> None:
    net = Network(
        date(2024, 1, 1),
        [Task("A", 2), Task("B", 1, deadline=date(2024, 1, 5))],
        [Dependency("A", "B", LinkType.SS, -1)],
        {"c": Calendar("c", holidays=frozenset({date(2024, 1, 3)}))},
        "c",
    )
    assert network_from_dict(json.loads(json.dumps(network_to_dict(net)))) == net


def test_bad_json_lists_every_problem() -> None:
    bad = {
        "start": "yesterday",
        "tasks": [{"id": "A", "kind": "epic", "deadline": "soon"}],
        "dependencies": [{"predecessor": "A", "successor": "A", "type": "XX"}],
    }
    with pytest.raises(ScheduleInputError) as info:
        network_from_dict(bad)
    assert [p.field for p in info.value.problems] == ["start", "start", "deadline", "kind", "type"]


def test_cli_schedule_and_simulate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN))
    assert main(["schedule", str(plan)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == result_to_dict(schedule(network_from_dict(PLAN)))
    assert out["project_finish"] == "2024-01-12"
    assert main(["simulate", str(plan), "--iterations", "200", "--seed", "3"]) == 0
    sim = json.loads(capsys.readouterr().out)
    assert (sim["iterations"], sim["seed"]) == (200, 3)
    assert sim["deterministic_finish"] == "2024-01-12"


def test_cli_bad_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"start": "2024-01-01", "tasks": [{"id": "A", "duration": -2}]}))
    assert main(["schedule", str(plan)]) == 2
    err = capsys.readouterr().err
    assert "task 'A', duration" in err
    assert main(["schedule", str(tmp_path / "missing.json")]) == 2
