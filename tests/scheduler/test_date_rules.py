"""`Network.rules`: the engine's date rules and Microsoft Project's, where the two differ.

Each case is worked by hand on a Monday-Friday calendar from Monday 2024-01-01 (Project's
working day 08:00-17:00); `test_microsoft_scheduler.py` checks the same rules against MPXJ's
MicrosoftScheduler on random networks.
"""

import dataclasses
import json
from datetime import date

import numpy as np
import pytest

from scheduler import (
    DateRules,
    Dependency,
    LinkType,
    Network,
    ScheduleInputError,
    Task,
    TaskKind,
    network_from_dict,
    network_to_dict,
    schedule,
    simulate,
)
from scheduler._compile import compile_network
from scheduler._frame import time_frame

START = date(2024, 1, 1)


def dates(net: Network, rules: DateRules) -> dict[str, tuple[str, str, str, str]]:
    result = schedule(dataclasses.replace(net, rules=rules))
    return {
        uid: (str(t.early_start), str(t.early_finish), str(t.late_start), str(t.late_finish))
        for uid, t in result.tasks.items()
    }


def test_a_lead_reaches_before_the_project_start_only_under_project_rules() -> None:
    # B may start 2 days before A starts (Monday 08:00): Thursday 2023-12-28 08:00.
    net = Network(START, [Task("A", 3), Task("B", 2)], [Dependency("A", "B", LinkType.SS, -2)])
    assert dates(net, DateRules.TRUEPPM)["B"][:2] == ("2024-01-01", "2024-01-02")
    assert dates(net, DateRules.MS_PROJECT)["B"] == (
        "2023-12-28", "2023-12-29", "2024-01-02", "2024-01-03",
    )  # fmt: skip


def test_a_milestone_two_days_after_a_start_sits_at_the_earlier_evening() -> None:
    # A starts Monday 08:00; +2 working days is Wednesday 08:00, which Project writes as
    # Tuesday 17:00 for a milestone. The engine's own rule starts the next day.
    net = Network(
        START,
        [Task("A", 2), Task("M", 0, kind=TaskKind.MILESTONE), Task("C", 4)],
        [Dependency("A", "M", LinkType.SS, 2)],
    )
    assert dates(net, DateRules.TRUEPPM)["M"][0] == "2024-01-03"
    assert dates(net, DateRules.MS_PROJECT)["M"] == (
        "2024-01-02", "2024-01-02", "2024-01-04", "2024-01-04",
    )  # fmt: skip


def test_sf_successor_finishes_a_day_after_its_predecessor_starts() -> None:
    # B must finish 1 day after A starts (Tuesday 08:00 = Monday 17:00), so it runs
    # Thursday 2023-12-28 .. Monday; the project then finishes with A on Tuesday.
    net = Network(START, [Task("A", 2), Task("B", 3)], [Dependency("A", "B", LinkType.SF, 1)])
    ours = schedule(dataclasses.replace(net, rules=DateRules.MS_PROJECT))
    assert ours.project_finish == date(2024, 1, 2)
    assert dates(net, DateRules.MS_PROJECT) == {
        "A": ("2024-01-01", "2024-01-02", "2024-01-01", "2024-01-02"),
        "B": ("2023-12-28", "2024-01-01", "2023-12-29", "2024-01-02"),
    }
    assert dates(net, DateRules.TRUEPPM)["B"][:2] == ("2024-01-01", "2024-01-03")


def test_rules_change_the_network_identity() -> None:
    net = Network(START, [Task("A", 1)], [])
    other = dataclasses.replace(net, rules=DateRules.MS_PROJECT)
    assert net != other
    assert hash(net) != hash(other)


def test_rules_round_trip_through_json_and_are_omitted_by_default() -> None:
    net = Network(START, [Task("A", 3), Task("B", 2)], [Dependency("A", "B", LinkType.SS, -2)])
    assert "rules" not in network_to_dict(net)
    project = dataclasses.replace(net, rules=DateRules.MS_PROJECT)
    data = json.loads(json.dumps(network_to_dict(project)))
    assert data["rules"] == "ms_project"
    assert network_from_dict(data) == project


def test_unknown_rules_are_refused_by_name() -> None:
    with pytest.raises(ScheduleInputError) as info:
        network_from_dict({"start": "2024-01-01", "tasks": [], "rules": "primavera"})
    assert [p.field for p in info.value.problems] == ["rules"]
    with pytest.raises(ScheduleInputError) as info:
        Network(START, [Task("A", 1)], [], rules="ms_project")  # type: ignore[arg-type]
    assert [p.field for p in info.value.problems] == ["rules"]


@pytest.mark.parametrize("milestone_lag", [0, 1])
def test_simulation_follows_the_rules_before_the_project_start(milestone_lag: int) -> None:
    # Deterministic durations: every iteration must be the CPM schedule, leads before the
    # start included. Without a lagged milestone link the passes run in int16 frames, which
    # must keep "no floor" apart from real bounds; with one, Project's rules go through real
    # dates (int32, absolute times).
    tasks = [Task("A", 2), Task("B", 3), Task("C", 4), Task("M", 0, kind=TaskKind.MILESTONE)]
    links = [
        Dependency("A", "B", LinkType.SF, 1),
        Dependency("B", "C", LinkType.SS, -1),
        Dependency("C", "M", LinkType.FS, milestone_lag),
    ]
    for rules in DateRules:
        net = Network(START, tasks, links, rules=rules)
        converted = rules is DateRules.MS_PROJECT and milestone_lag != 0
        dtype = np.int32 if converted else np.int16
        assert time_frame(compile_network(net), 8).dtype is dtype
        result = schedule(net)
        sim = simulate(net, iterations=64, chunk_size=16)
        assert sim.deterministic_finish == sim.mean_finish == result.project_finish
        assert sim.histogram == [(result.project_finish, 64)]
    assert result.tasks["B"].early_start == date(2023, 12, 28)


def test_derivations_name_the_rules_where_they_can_differ() -> None:
    net = Network(
        START,
        [Task("A", 2), Task("M", 0, kind=TaskKind.MILESTONE), Task("C", 4)],
        [Dependency("A", "M", LinkType.SS, 2), Dependency("A", "C")],
        rules=DateRules.MS_PROJECT,
    )
    result = schedule(net)
    lagged = result.derive("M", "early_start").steps[-1]
    assert lagged.value == date(2024, 1, 2)
    assert lagged.reason == (
        "SS link from predecessor A with lag 2 working day(s); the lag counts on calendar "
        "standard; Microsoft Project's date rules"
    )
    assert result.derive("C", "early_start").steps[-1].reason == "FS link from predecessor A"
