"""The documented JSON format (see docs/scheduler.md): plain dicts in, plain dicts out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import date
from typing import Any

from ._errors import InputProblem, ScheduleInputError
from ._model import (
    MON_FRI,
    Calendar,
    ConstraintType,
    DateRules,
    Dependency,
    Distribution,
    LagUnit,
    LinkType,
    RiskEvent,
    Task,
    TaskKind,
)
from ._network import Network
from ._result import ScheduleResult
from ._simresult import SimulationResult

__all__ = [
    "network_from_dict",
    "network_to_dict",
    "result_to_dict",
    "risks_from_dict",
    "simulation_to_dict",
]

_TASK_DATES = ("constraint_date", "deadline", "actual_start", "actual_finish", "leveled_start")
_TASK_ENUMS: dict[str, type[Any]] = {
    "kind": TaskKind, "constraint_type": ConstraintType, "distribution": Distribution,
}  # fmt: skip
_TASK_FIELDS = {f.name for f in fields(Task)}


class _Reader:
    """Collects conversion problems so that bad JSON, like a bad network, fails once."""

    def __init__(self) -> None:
        self.problems: list[InputProblem] = []

    def day(self, value: Any, where: str, task: str | None = None) -> date | None:
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            self.problems.append(InputProblem(task, where, f"not an ISO date: {value!r}"))
            return None

    def enum(self, kind: type[Any], value: Any, where: str, task: str | None = None) -> Any:
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in kind)
            self.problems.append(InputProblem(task, where, f"{value!r} is not one of {allowed}"))
            return None

    def task(self, raw: Mapping[str, Any]) -> Task | None:
        tid = raw.get("id")
        unknown = set(raw) - _TASK_FIELDS
        if unknown:
            self.problems.append(InputProblem(tid, "task", f"unknown fields {sorted(unknown)}"))
        values = dict(raw)
        for name in _TASK_DATES:
            values[name] = self.day(raw.get(name), name, tid)
        for name, kind in _TASK_ENUMS.items():
            if name in raw:
                values[name] = self.enum(kind, raw[name], name, tid)
        values = {k: v for k, v in values.items() if k in _TASK_FIELDS and v is not None}
        if "id" not in values:
            self._missing("task id")
            return None
        return Task(**values)

    def link(self, raw: Mapping[str, Any]) -> Dependency | None:
        if "predecessor" not in raw or "successor" not in raw:
            self._missing("predecessor and successor of a link")
            return None
        kind = self.enum(LinkType, raw.get("type", "FS"), "type", raw["successor"])
        unit = self.enum(LagUnit, raw.get("lag_unit", "working_days"), "lag_unit", raw["successor"])
        if kind is None or unit is None:
            return None
        return Dependency(raw["predecessor"], raw["successor"], kind, raw.get("lag", 0), unit)

    def calendar(self, raw: Mapping[str, Any]) -> Calendar:
        cid = str(raw.get("id", ""))
        holidays = {self.day(v, f"calendars[{cid!r}].holidays") for v in raw.get("holidays", ())}
        ranges = [
            (self.day(a, f"calendars[{cid!r}].holiday_ranges"), self.day(b, "holiday_ranges"))
            for a, b in raw.get("holiday_ranges", ())
        ]
        extra = {
            self.day(v, f"calendars[{cid!r}].extra") for v in raw.get("extra_working_days", ())
        }
        base = Calendar.from_ranges(
            cid, [(a, b) for a, b in ranges if a and b],
            working_weekdays=raw.get("working_weekdays", MON_FRI),
            extra_working_days=[d for d in extra if d],
        )  # fmt: skip
        return Calendar(
            cid, base.working_weekdays, base.holidays | {d for d in holidays if d},
            base.extra_working_days,
        )  # fmt: skip

    def _missing(self, what: str) -> None:
        self.problems.append(InputProblem(None, "json", f"missing {what}"))


def network_from_dict(data: Mapping[str, Any]) -> Network:
    """Build a ``Network`` from the JSON format; raises ``ScheduleInputError`` listing every
    problem, both of the JSON and of the network it describes."""
    r = _Reader()
    start = r.day(data.get("start"), "start")
    if start is None:
        r.problems.append(InputProblem(None, "start", "the project needs a start date"))
    tasks = [t for t in (r.task(raw) for raw in data.get("tasks", ())) if t is not None]
    links = [x for x in (r.link(raw) for raw in data.get("dependencies", ())) if x is not None]
    cals = [r.calendar(raw) for raw in data.get("calendars", ())]
    status = r.day(data.get("status_date"), "status_date")
    rules = r.enum(DateRules, data.get("rules", DateRules.TRUEPPM.value), "rules")
    if r.problems or start is None or rules is None:
        raise ScheduleInputError(tuple(r.problems))
    return Network(
        start, tasks, links, {c.id: c for c in cals}, data.get("default_calendar"), status,
        rules,
    )  # fmt: skip


def risks_from_dict(data: Mapping[str, Any]) -> tuple[RiskEvent, ...]:
    """The ``risks`` list of the JSON format."""
    return tuple(
        RiskEvent(str(r["id"]), r["probability"], r["impact"], tuple(r.get("task_ids", ())))
        for r in data.get("risks", ())
    )


def network_to_dict(network: Network) -> dict[str, Any]:
    """The JSON form of a network (fields at their defaults are left out)."""
    defaults = Task("")
    tasks = []
    for task in network.tasks:
        out: dict[str, Any] = {}
        for f in fields(Task):
            value = getattr(task, f.name)
            if f.name == "id" or value != getattr(defaults, f.name):
                out[f.name] = value.isoformat() if isinstance(value, date) else _plain(value)
        tasks.append(out)
    return {
        "start": network.start.isoformat(),
        "status_date": network.status_date.isoformat() if network.status_date else None,
        "default_calendar": network.default_calendar,
        **({} if network.rules is DateRules.TRUEPPM else {"rules": network.rules.value}),
        "calendars": [
            {
                "id": c.id,
                "working_weekdays": c.working_weekdays,
                "holidays": sorted(d.isoformat() for d in c.holidays),
                "extra_working_days": sorted(d.isoformat() for d in c.extra_working_days),
            }
            for c in network.calendars.values()
        ],
        "tasks": tasks,
        "dependencies": [
            {
                "predecessor": d.predecessor,
                "successor": d.successor,
                "type": d.type.value,
                "lag": d.lag,
                "lag_unit": d.lag_unit.value,
            }
            for d in network.dependencies
        ],
    }


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, TaskKind | ConstraintType | Distribution) else value


def result_to_dict(result: ScheduleResult) -> dict[str, Any]:
    """JSON form of a schedule result."""
    return result.to_dict()


def simulation_to_dict(sim: SimulationResult) -> dict[str, Any]:
    """JSON form of a simulation result."""
    return sim.to_dict()
