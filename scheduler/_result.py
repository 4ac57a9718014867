"""Result objects of a schedule: per-task dates and floats, critical paths, explanations."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

__all__ = ["Derivation", "DerivationStep", "ScheduleResult", "TaskResult"]


class TaskResult(NamedTuple):
    """Dates of one task. Floats are in working days on the task's calendar.

    ``start``/``finish`` are where the task is scheduled: the early dates, except that an ALAP
    task is pushed as late as its free float allows and started tasks keep their actual start.
    Immutable; a named tuple rather than a dataclass because a schedule creates one per task
    and a tuple is several times cheaper to build.
    """

    id: str
    early_start: date
    early_finish: date
    late_start: date
    late_finish: date
    total_float: int
    free_float: int
    is_critical: bool
    driving_predecessors: tuple[str, ...]
    start: date
    finish: date

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (dates as ISO strings)."""
        return {
            "id": self.id,
            "early_start": self.early_start.isoformat(),
            "early_finish": self.early_finish.isoformat(),
            "late_start": self.late_start.isoformat(),
            "late_finish": self.late_finish.isoformat(),
            "total_float": self.total_float,
            "free_float": self.free_float,
            "is_critical": self.is_critical,
            "driving_predecessors": list(self.driving_predecessors),
            "start": self.start.isoformat(),
            "finish": self.finish.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class DerivationStep:
    """One step of a derivation: which task's which field got which value, and why."""

    task_id: str
    field: str
    value: date | int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        return {"task_id": self.task_id, "field": self.field, "value": value, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Derivation:
    """How a value was computed: the steps in the order they were applied, ending at it."""

    task_id: str
    field: str
    value: date | int
    steps: tuple[DerivationStep, ...]

    def explain(self) -> str:
        """The steps as readable lines."""
        lines = [f"{self.field} of {self.task_id} = {_show(self.value)}"]
        lines += [
            f"  {i}. {s.field}({s.task_id}) = {_show(s.value)}: {s.reason}"
            for i, s in enumerate(self.steps, 1)
        ]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "task_id": self.task_id,
            "field": self.field,
            "value": _show(self.value),
            "steps": [s.to_dict() for s in self.steps],
        }


def _show(value: date | int) -> str | int:
    return value.isoformat() if isinstance(value, date) else value


class TaskTable(Mapping[str, TaskResult]):
    """Task results, built on first access: all leaf tasks at once from columns (a few
    hundred nanoseconds each), summaries one by one as they are asked for."""

    def __init__(
        self,
        ids: tuple[str, ...],
        leaves: Callable[[], dict[str, TaskResult]],
        summaries: frozenset[str],
        summary: Callable[[str], TaskResult],
    ) -> None:
        self._ids = ids
        self._leaves = leaves
        self._summary_ids = summaries
        self._summary = summary
        self._built = False
        # The leaves' results once built (empty before): a hit is one dict lookup, which
        # matters when a caller reads 100k results one by one.
        self._cache: dict[str, TaskResult] = {}
        self._rolled: dict[str, TaskResult] = {}

    def __getitem__(self, key: str) -> TaskResult:
        try:
            return self._cache[key]
        except KeyError:
            return self._miss(key)

    def _miss(self, key: str) -> TaskResult:
        if not self._built:
            self._cache = self._leaves()
            self._built = True
            hit = self._cache.get(key)
            if hit is not None:
                return hit
        hit = self._rolled.get(key)
        if hit is None:
            if key not in self._summary_ids:
                raise KeyError(key)
            hit = self._rolled[key] = self._summary(key)
        return hit

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


@dataclass(frozen=True)
class ScheduleResult:
    """Outcome of ``schedule()``.

    ``violations`` lists links that a hard constraint or recorded progress forces to be broken,
    as (predecessor, successor, working days short); it is empty for a consistent schedule.
    """

    tasks: Mapping[str, TaskResult]
    project_start: date
    project_finish: date
    critical_path: tuple[str, ...]
    critical_paths: tuple[tuple[str, ...], ...]
    violations: tuple[tuple[str, str, int], ...] = ()
    _explain: Callable[[str, str], Derivation] | None = field(
        default=None, repr=False, compare=False
    )

    def derive(self, task_id: str, field: str) -> Derivation:
        """Explain how ``field`` (early_start, early_finish, late_start, late_finish,
        total_float or free_float) of ``task_id`` was computed."""
        if self._explain is None:
            raise ValueError("this result carries no derivations")
        return self._explain(task_id, field)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "project_start": self.project_start.isoformat(),
            "project_finish": self.project_finish.isoformat(),
            "critical_path": list(self.critical_path),
            "critical_paths": [list(p) for p in self.critical_paths],
            "violations": [list(v) for v in self.violations],
            "tasks": {tid: t.to_dict() for tid, t in self.tasks.items()},
        }
