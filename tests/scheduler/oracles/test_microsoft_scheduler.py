"""MPXJ's MicrosoftScheduler as a differential oracle on random networks (real MPXJ, Java 17).

Seeded random networks (`ms_differential.py`) of every link type, working and elapsed lags,
leads and milestones, on a calendar with a holiday, are scheduled by MicrosoftScheduler and by
the engine with `DateRules.MS_PROJECT`: every early and late start and finish is equal,
compared in working days with the rules the Microsoft Project oracle uses (`scheduler._mspdi`).

With the engine's own rules (`DateRules.TRUEPPM`) FS/SS/FF networks with working lags still
agree; the other flavours differ where docs/scheduler.md ("Which rules apply") says they do.
One JVM schedules every network of the module.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from ms_differential import Flavour, network_xml

from scheduler import DateRules, read_mspdi, schedule

HERE = Path(__file__).resolve().parent
FIELDS = ("early_start", "early_finish", "late_start", "late_finish")
SEEDS = range(40)
FLAVOURS = {
    "fs-ss-ff": Flavour(),
    "milestones": Flavour(milestones=True),
    "elapsed": Flavour(elapsed=True),
    "leads": Flavour(leads=True),
    "sf": Flavour(types=("FS", "SS", "FF", "SF")),
    "everything": Flavour(
        types=("FS", "SS", "FF", "SF"), milestones=True, elapsed=True, leads=True
    ),
}


@pytest.fixture(scope="module")
def scheduled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every flavour's networks, each next to MicrosoftScheduler's result."""
    tmp = tmp_path_factory.mktemp("ms")
    pairs = []
    for name, flavour in FLAVOURS.items():
        for seed in SEEDS:
            source = tmp / f"{name}-{seed}.xml"
            source.write_text(network_xml(seed, flavour), encoding="utf-8")
            pairs += [source, tmp / f"{name}-{seed}.ms.xml"]
    done = subprocess.run(
        [sys.executable, str(HERE / "ms_differential.py"), *map(str, pairs)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return tmp


def differences(tmp: Path, name: str, rules: DateRules) -> tuple[int, list[str]]:
    compared, out = 0, []
    for seed in SEEDS:
        network = dataclasses.replace(read_mspdi(tmp / f"{name}-{seed}.xml").network, rules=rules)
        ours = schedule(network).tasks
        theirs = read_mspdi(tmp / f"{name}-{seed}.ms.xml").expected
        assert set(theirs) == set(ours)
        for uid, expected in theirs.items():
            for field in FIELDS:
                compared += 1
                if getattr(expected, field) != getattr(ours[uid], field):
                    out.append(
                        f"seed {seed} task {uid} {field}: MicrosoftScheduler "
                        f"{getattr(expected, field)}, engine {getattr(ours[uid], field)}"
                    )
    return compared, out


@pytest.mark.parametrize("name", list(FLAVOURS))
def test_project_rules_match_microsoft_scheduler(scheduled: Path, name: str) -> None:
    compared, out = differences(scheduled, name, DateRules.MS_PROJECT)
    assert compared == len(SEEDS) * 30 * len(FIELDS)
    assert not out, "\n".join(out[:20])


def test_engine_rules_match_on_fs_ss_ff_with_working_lags(scheduled: Path) -> None:
    assert differences(scheduled, "fs-ss-ff", DateRules.TRUEPPM)[1] == []


@pytest.mark.parametrize("name", ["milestones", "elapsed", "leads", "sf"])
def test_engine_rules_differ_where_documented(scheduled: Path, name: str) -> None:
    """The engine's own rules are a choice, not an accident: the switch changes these dates."""
    assert differences(scheduled, name, DateRules.TRUEPPM)[1]
