"""Read PSPLIB single-mode RCPSP instances (``.sm`` files) into a :class:`Network`.

PSPLIB (Kolisch & Sprecher) describes a project as numbered jobs with one mode each, a
precedence list of finish-to-start successors and, per job, a duration and resource
requests. The network ignores resources (it is a resource-free CPM input, and the file's
``MPM-Time``, the resource-free critical-path length, is the oracle a CPM pass must
reproduce); the requests and the resources' availabilities are kept for leveling
(:meth:`PsplibInstance.rcpsp`).

The network is scheduled on a seven-day calendar so one PSPLIB period is one working
day and the project length in working days is simply ``finish - start + 1`` calendar
days. Zero-duration jobs (the dummy source and sink) become milestones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ._model import Calendar, Dependency, Task, TaskKind
from ._network import Network
from ._rcpsp import Rcpsp

__all__ = ["PSPLIB_CALENDAR_ID", "PsplibFormatError", "PsplibInstance", "read_psplib"]

#: Id of the every-day calendar the PSPLIB networks are scheduled on.
PSPLIB_CALENDAR_ID = "psplib-7day"

# A Monday, so a network built with the default start reads naturally in a Gantt view.
_DEFAULT_START = date(2024, 1, 1)
_SEPARATOR = re.compile(r"^\*+$")


class PsplibFormatError(ValueError):
    """The file is not a well-formed single-mode PSPLIB ``.sm`` instance."""


@dataclass(frozen=True, slots=True)
class PsplibInstance:
    """One parsed PSPLIB instance.

    Attributes:
        name: The file stem, e.g. ``"j301_1"``.
        network: Jobs as tasks (ids ``"1"`` .. ``"n"``), FS links with zero lag.
        mpm_time: The resource-free critical-path length the file states, in periods.
        horizon: The file's scheduling horizon (sum of durations), in periods.
        due_date: The project's due date in periods, from PROJECT INFORMATION.
        durations: Mode-1 duration of every job, by job number.
        successors: Successor job numbers of every job, by job number.
        demands: Units of each renewable resource every job requests, by job number.
        capacities: Units of each renewable resource available in every period.
    """

    name: str
    network: Network
    mpm_time: int
    horizon: int
    due_date: int
    durations: dict[int, int]
    successors: dict[int, tuple[int, ...]]
    demands: dict[int, tuple[int, ...]]
    capacities: tuple[int, ...]

    def rcpsp(self) -> Rcpsp:
        """The instance as a leveling problem: job ``k`` (numbered from 1) is index ``k - 1``,
        every link finish-to-start without lag, each resource's capacity constant."""
        jobs = sorted(self.durations)
        index = {job: i for i, job in enumerate(jobs)}
        return Rcpsp(
            durations=[self.durations[j] for j in jobs],
            demands=[self.demands[j] for j in jobs],
            capacity=[[c] for c in self.capacities],
            links=[
                (index[a], index[b], self.durations[a]) for a in jobs for b in self.successors[a]
            ],
        )

    def project_length(self, finish: date) -> int:
        """Working days from the network start to ``finish`` inclusive (seven-day week)."""
        return (finish - self.network.start).days + 1


def read_psplib(path: str | Path, *, start: date = _DEFAULT_START) -> PsplibInstance:
    """Parse a PSPLIB ``.sm`` file into a :class:`PsplibInstance`.

    Args:
        path: The ``.sm`` file.
        start: The network's start date (period 0 maps to this day).

    Raises:
        PsplibFormatError: A section is missing, a line does not parse, or a successor
            names an unknown job.
    """
    path = Path(path)
    sections = _split_sections(path.read_text(encoding="ascii").splitlines())
    header = _key_values(sections.get("", []) + sections.get("header", []))
    try:
        horizon = int(header["horizon"])
    except (KeyError, ValueError) as exc:
        raise PsplibFormatError(f"{path.name}: no horizon line") from exc
    mpm_time, due_date = _project_information(sections, path.name)
    successors = _precedence(sections, path.name)
    durations, demands = _durations(sections, path.name)
    capacities = _capacities(sections, path.name)
    if any(len(row) != len(capacities) for row in demands.values()):
        raise PsplibFormatError(f"{path.name}: requests and availabilities differ in resources")
    _check_consistency(successors, durations, path.name)
    network = _build_network(successors, durations, start)
    return PsplibInstance(
        name=path.stem,
        network=network,
        mpm_time=mpm_time,
        horizon=horizon,
        due_date=due_date,
        durations=durations,
        successors=successors,
        demands=demands,
        capacities=capacities,
    )


def _split_sections(lines: list[str]) -> dict[str, list[str]]:
    """Group lines by the ``TITLE:`` line that opens each starred block.

    The first block (file name and random seed) and the second (projects, jobs,
    horizon, resources) have no title; they are collected under ``""`` and
    ``"header"``.
    """
    sections: dict[str, list[str]] = {}
    current = ""
    blocks = 0
    for raw in lines:
        line = raw.strip()
        if _SEPARATOR.match(line):
            blocks += 1
            current = "header" if blocks == 2 else f"block{blocks}"
            continue
        if line.endswith(":") and line[:-1].isupper():
            current = line[:-1]
            continue
        sections.setdefault(current, []).append(line)
    return sections


def _key_values(lines: list[str]) -> dict[str, str]:
    """Read ``key : value`` lines; the key is the text before any parenthesis."""
    values: dict[str, str] = {}
    for line in lines:
        if ":" not in line:
            continue
        key, _, value = line.partition(":")
        key = key.split("(")[0].strip().lower()
        values[key] = value.split()[0] if value.split() else ""
    return values


def _int_rows(lines: list[str]) -> list[list[int]]:
    """The lines of a section that are wholly integers (skips column headings)."""
    rows = []
    for line in lines:
        fields = line.split()
        if fields and all(f.lstrip("-").isdigit() for f in fields):
            rows.append([int(f) for f in fields])
    return rows


def _project_information(sections: dict[str, list[str]], name: str) -> tuple[int, int]:
    rows = _int_rows(sections.get("PROJECT INFORMATION", []))
    if len(rows) != 1 or len(rows[0]) < 6:
        raise PsplibFormatError(f"{name}: PROJECT INFORMATION must hold one 6-column row")
    # Columns: pronr, #jobs, rel.date, duedate, tardcost, MPM-Time.
    return rows[0][5], rows[0][3]


def _precedence(sections: dict[str, list[str]], name: str) -> dict[int, tuple[int, ...]]:
    rows = _int_rows(sections.get("PRECEDENCE RELATIONS", []))
    if not rows:
        raise PsplibFormatError(f"{name}: no PRECEDENCE RELATIONS rows")
    successors: dict[int, tuple[int, ...]] = {}
    for row in rows:
        job, modes, count, *rest = row
        if modes != 1:
            raise PsplibFormatError(f"{name}: job {job} has {modes} modes; only .sm is read")
        if len(rest) != count:
            raise PsplibFormatError(f"{name}: job {job} lists {len(rest)} of {count} successors")
        successors[job] = tuple(rest)
    return successors


def _durations(
    sections: dict[str, list[str]], name: str
) -> tuple[dict[int, int], dict[int, tuple[int, ...]]]:
    rows = _int_rows(sections.get("REQUESTS/DURATIONS", []))
    durations: dict[int, int] = {}
    demands: dict[int, tuple[int, ...]] = {}
    for row in rows:
        job, mode, duration = row[0], row[1], row[2]
        if mode != 1:
            raise PsplibFormatError(f"{name}: job {job} mode {mode}; only .sm is read")
        durations[job] = duration
        demands[job] = tuple(row[3:])
    return durations, demands


def _capacities(sections: dict[str, list[str]], name: str) -> tuple[int, ...]:
    rows = _int_rows(sections.get("RESOURCEAVAILABILITIES", []))
    if len(rows) != 1:
        raise PsplibFormatError(f"{name}: RESOURCEAVAILABILITIES must hold one row")
    return tuple(rows[0])


def _check_consistency(
    successors: dict[int, tuple[int, ...]], durations: dict[int, int], name: str
) -> None:
    if set(successors) != set(durations):
        raise PsplibFormatError(f"{name}: precedence and duration blocks list different jobs")
    for job, succ in successors.items():
        unknown = [s for s in succ if s not in durations]
        if unknown:
            raise PsplibFormatError(f"{name}: job {job} has unknown successors {unknown}")


def _build_network(
    successors: dict[int, tuple[int, ...]], durations: dict[int, int], start: date
) -> Network:
    tasks = [
        Task(
            id=str(job),
            duration=duration,
            kind=TaskKind.MILESTONE if duration == 0 else TaskKind.TASK,
            name=f"job {job}",
        )
        for job, duration in sorted(durations.items())
    ]
    links = [
        Dependency(predecessor=str(job), successor=str(succ))
        for job, succ_list in sorted(successors.items())
        for succ in succ_list
    ]
    every_day = Calendar(id=PSPLIB_CALENDAR_ID, working_weekdays=0b1111111)
    return Network(
        start=start,
        tasks=tasks,
        dependencies=links,
        calendars={PSPLIB_CALENDAR_ID: every_day},
        default_calendar=PSPLIB_CALENDAR_ID,
    )
