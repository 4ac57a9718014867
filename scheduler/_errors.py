"""The scheduler's exception hierarchy: every engine error derives from SchedulerError."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CyclicDependencyError", "InputProblem", "ScheduleInputError", "SchedulerError"]


class SchedulerError(Exception):
    """Base class of every error raised by the scheduling engine."""


@dataclass(frozen=True, slots=True)
class InputProblem:
    """One thing wrong with a network: which task (if any), which field, and what."""

    task_id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"task {self.task_id!r}" if self.task_id is not None else "network"
        return f"{where}, {self.field}: {self.message}"


class ScheduleInputError(SchedulerError, ValueError):
    """The network is invalid; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: tuple[InputProblem, ...]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the network:\n{lines}")


class CyclicDependencyError(SchedulerError, ValueError):
    """The dependencies contain a cycle; ``cycle`` holds its task ids in link order."""

    def __init__(self, cycle: tuple[str, ...]) -> None:
        self.cycle = cycle
        shown = " -> ".join((*cycle, cycle[0])) if cycle else "?"
        super().__init__(f"dependency cycle: {shown}")
