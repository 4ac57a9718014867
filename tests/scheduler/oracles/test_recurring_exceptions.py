"""Recurring calendar exceptions given only as a rule (MSPDI `Exceptions/Exception` with a
`Type`, and no expanded `WeekDay` occurrences).

Two oracles: Microsoft Project's own expansion (a Project 2016 file that holds every rule type
and, as Project writes them, each occurrence: with the occurrences removed the reader must
arrive at the same calendars), and MPXJ's reading of random rules of every type (real MPXJ,
Java 17).
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

from mpxj_calendars import calendars_xml, random_rule

from scheduler import read_mspdi
from scheduler._mspdi_calendars import parse_calendars
from scheduler._mspdi_xml import MspdiWarning
from tests.scheduler.oracles._data import require

HERE = Path(__file__).resolve().parent
FIRST, LAST = date(2026, 1, 1), date(2031, 12, 31)


def test_rules_expand_to_the_occurrences_project_wrote(tmp_path: Path) -> None:
    source = require("mspdi") / "calendar-recurring-exceptions-project2016-mspdi.xml"
    text = source.read_text(encoding="utf-8")
    rules = re.findall(r"<Exception>.*?<Type>(\d)</Type>", text, flags=re.S)
    assert sorted(set(rules)) == ["1", "2", "3", "4", "5", "6", "7"]
    rule_only = re.sub(r"<WeekDay>\s*<DayType>0</DayType>.*?</WeekDay>", "", text, flags=re.S)
    assert "<DayType>0</DayType>" in text
    assert "<DayType>0</DayType>" not in rule_only
    path = tmp_path / "rule-only.xml"
    path.write_text(rule_only, encoding="utf-8")
    written, ruled = read_mspdi(source), read_mspdi(path)
    assert ruled.network.calendars == written.network.calendars
    assert len(written.network.calendars["1"].holidays) == 89
    assert not [w for w in ruled.warnings if w.subject == "calendar"]


def test_random_rules_agree_with_mpxj(tmp_path: Path) -> None:
    rng = random.Random(12)
    exceptions = []
    for _ in range(300):
        first = FIRST + timedelta(days=rng.randint(0, 700))
        rule = random_rule(rng, first)
        working = rng.random() < 0.3
        # As Project writes them: the occurrence count, and the last occurrence as ToDate.
        probe = calendars_xml([(first, LAST, rng.randint(1, 12), rule, working)])
        ours = _exception_days(probe)
        last = max(ours) if ours else first
        exceptions.append((first, last, len(ours), rule, working))
    document = calendars_xml(exceptions)
    path = tmp_path / "calendars.xml"
    path.write_text(document, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(HERE / "mpxj_calendars.py"), str(path), str(FIRST), str(LAST)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout)
    warnings: list[MspdiWarning] = []
    parsed = parse_calendars(ET.fromstring(document), warnings)
    assert warnings == []
    days = [FIRST + timedelta(days=k) for k in range((LAST - FIRST).days + 1)]
    differ = [
        f"calendar {uid} {day}: MPXJ {theirs[uid][k]}, ours {int(cal.is_working(day))}"
        for uid, cal in parsed.items()
        for k, day in enumerate(days)
        if theirs[uid][k] != str(int(cal.is_working(day)))
    ]
    assert len(parsed) == 300
    assert sum(len(c.exceptions) for c in parsed.values()) > 1000
    assert not differ, "\n".join(differ[:20])


def _exception_days(document: str) -> list[date]:
    warnings: list[MspdiWarning] = []
    (calendar,) = parse_calendars(ET.fromstring(document), warnings).values()
    assert warnings == []
    return sorted(calendar.exceptions)


def test_runaway_and_unknown_rules_are_bounded_and_reported() -> None:
    runaway = (
        date(2027, 1, 4),
        date(9999, 12, 31),
        10**9,
        "<Type>7</Type><Period>2</Period>",
        False,
    )
    unknown = (date(2027, 1, 4), date(2027, 12, 31), 3, "<Type>9</Type>", False)
    weekly_none = (
        date(2027, 1, 4),
        date(2027, 12, 31),
        3,
        "<Type>6</Type><DaysOfWeek>0</DaysOfWeek>",
        False,
    )
    warnings: list[MspdiWarning] = []
    parsed = parse_calendars(
        ET.fromstring(calendars_xml([runaway, unknown, weekly_none])), warnings
    )
    assert len(parsed["1"].exceptions) == 10_000
    assert max(parsed["1"].exceptions) == date(2027, 1, 4) + timedelta(days=2 * 9_999)
    assert parsed["2"].exceptions == parsed["3"].exceptions == {}
    assert [(w.subject, w.ref, w.message) for w in warnings] == [
        ("calendar", "C1", "recurring exception 'R1' cut at 10000 occurrences"),
        ("calendar", "C2", "recurring exception 'R2' with an unknown rule skipped"),
        ("calendar", "C3", "recurring exception 'R3' with an unknown rule skipped"),
    ]
