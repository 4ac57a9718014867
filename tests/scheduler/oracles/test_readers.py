"""The PSPLIB and MSPDI readers turn real files into exactly the network they describe."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from _data import require

from scheduler import (
    ConstraintType,
    LagUnit,
    LinkType,
    MspdiFormatError,
    PsplibFormatError,
    TaskKind,
    read_mspdi,
    read_psplib,
)


def test_psplib_instance_fields() -> None:
    inst = read_psplib(require("psplib") / "j30" / "j301_1.sm")
    assert (inst.name, inst.mpm_time, inst.horizon, inst.due_date) == ("j301_1", 38, 158, 38)
    assert len(inst.network.tasks) == 32
    assert inst.network.tasks[0].kind == TaskKind.MILESTONE  # dummy source
    assert inst.durations[2] == 8
    assert inst.successors[1] == (2, 3, 4)
    assert all(d.type == LinkType.FS and d.lag == 0 for d in inst.network.dependencies)
    assert len(inst.network.dependencies) == sum(len(s) for s in inst.successors.values())


def test_psplib_rejects_a_multi_mode_or_truncated_file(tmp_path: Path) -> None:
    text = (require("psplib") / "j30" / "j301_1.sm").read_text()
    broken = tmp_path / "broken.sm"
    broken.write_text(text.replace("   2        1          3", "   2        2          3", 1))
    with pytest.raises(PsplibFormatError, match="modes"):
        read_psplib(broken)
    broken.write_text(text.split("REQUESTS/DURATIONS")[0])
    with pytest.raises(PsplibFormatError):
        read_psplib(broken)


def test_mspdi_links_lags_and_types() -> None:
    project = read_mspdi(require("mspdi") / "task-links-project2019-mspdi.xml")
    links = {(d.predecessor, d.successor): (d.type, d.lag) for d in project.network.dependencies}
    assert links == {
        ("1", "2"): (LinkType.FS, 0),
        ("3", "4"): (LinkType.FS, 1),
        ("5", "6"): (LinkType.FS, 2),
        ("7", "8"): (LinkType.FS, 5),  # one week
        ("9", "10"): (LinkType.FS, 10),  # two weeks
        ("11", "12"): (LinkType.SF, 2),
        ("13", "14"): (LinkType.SS, 2),
        ("15", "16"): (LinkType.FF, 2),
    }
    assert project.network.start == date(2018, 10, 18)
    assert {t.duration for t in project.network.tasks} == {1}


def test_mspdi_expected_dates_use_engine_day_convention() -> None:
    project = read_mspdi(require("mspdi") / "task-links-project2016-mspdi.xml")
    first = project.expected["1"]
    # Project stored LateFinish 2016-02-23T08:00, the next working moment after Feb 22 17:00.
    assert (first.late_start, first.late_finish) == (date(2016, 2, 22), date(2016, 2, 22))
    assert (first.total_slack, first.free_slack) == (10, 0)
    sf_successor = project.expected["12"]
    assert sf_successor.early_finish == date(2016, 2, 9)


def test_mspdi_outline_summaries_constraints_and_leads() -> None:
    project = read_mspdi(require("mspdi") / "legacy-sample.xml")
    tasks = {t.id: t for t in project.network.tasks}
    assert "0" not in tasks  # the project summary row is not a task
    assert tasks["1"].kind == TaskKind.SUMMARY
    assert tasks["2"].parent == "1"
    assert tasks["3"].kind == TaskKind.MILESTONE
    assert tasks["3"].parent == "1"
    assert tasks["7"].parent == "6"
    assert tasks["10"].parent == "19"
    # SNET on Saturday 2003-02-01 08:00 is the following Monday in working days.
    assert (tasks["7"].constraint_type, tasks["7"].constraint_date) == (
        ConstraintType.SNET,
        date(2003, 2, 3),
    )
    lead = next(d for d in project.network.dependencies if d.successor == "14")
    assert (lead.type, lead.lag) == (LinkType.FS, -1)
    assert project.network.calendars["2"].working_weekdays == 0b0111111  # night shift: Mon-Sat


def test_mspdi_calendar_exceptions_and_minutes_per_day() -> None:
    cal = read_mspdi(require("mspdi") / "calendar-recurring-exceptions-project2016-mspdi.xml")
    standard = cal.network.calendars["1"]
    assert date(2000, 1, 3) in standard.holidays  # "Daily 1": Jan 1-3 2000, only Monday counts
    assert date(2000, 1, 1) not in standard.holidays  # a Saturday is already non-working
    assert date(2010, 1, 2) in standard.extra_working_days  # a worked Saturday
    nulls = read_mspdi(require("mspdi") / "mspdinulltasks.xml")
    assert nulls.minutes_per_day == 450
    assert [t.duration for t in nulls.network.tasks if t.kind == TaskKind.TASK] == [10, 10, 10]
    assert len(nulls.network.tasks) == 5  # three blank rows skipped


def test_mspdi_elapsed_lag_and_rounding_warnings(tmp_path: Path) -> None:
    source = (require("mspdi") / "mspdirelations.xml").read_text(encoding="utf-8")
    # Three elapsed days: LagFormat 8 ("ed"), LinkLag in tenths of a minute.
    patched = re.sub(
        r"<LinkLag>0</LinkLag>(\s*)<LagFormat>7</LagFormat>",
        r"<LinkLag>43200</LinkLag>\1<LagFormat>8</LagFormat>",
        source,
        count=1,
    )
    assert patched != source
    path = tmp_path / "elapsed.xml"
    path.write_text(patched, encoding="utf-8")
    link = read_mspdi(path).network.dependencies[0]
    assert (link.lag, link.lag_unit) == (3, LagUnit.ELAPSED_DAYS)
    durations = read_mspdi(require("mspdi") / "mspdiduration.xml")
    assert any("rounded" in str(w) for w in durations.warnings)


def test_mspdi_rejects_a_primavera_file() -> None:
    with pytest.raises(MspdiFormatError, match="not an MSPDI"):
        read_mspdi(require("mspdi") / "PredecessorCalendar.xml")
