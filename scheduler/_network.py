"""The validated network (project) that every engine entry point takes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from ._errors import ScheduleInputError
from ._model import Calendar, DateRules, Dependency, Task
from ._validate import LinkArrays, network_problems

__all__ = ["Network", "Project"]


@dataclass(frozen=True)
class Network:
    """A project network. Construction validates it and raises ``ScheduleInputError`` listing
    every problem found.

    ``default_calendar=None`` means a standard Monday-Friday calendar with no holidays.
    ``status_date`` is the last day of reported progress (inclusive). ``rules``: the engine's
    date rules, or Microsoft Project's where the two differ (imported plans).
    """

    start: date
    tasks: Sequence[Task]
    dependencies: Sequence[Dependency] = ()
    calendars: Mapping[str, Calendar] = field(default_factory=dict)
    default_calendar: str | None = None
    status_date: date | None = None
    rules: DateRules = DateRules.TRUEPPM

    def __post_init__(self) -> None:
        # Freeze the containers too, so a Network really cannot change after validation.
        object.__setattr__(self, "tasks", tuple(self.tasks))
        object.__setattr__(self, "dependencies", tuple(self.dependencies))
        object.__setattr__(self, "calendars", MappingProxyType(dict(self.calendars)))
        arrays: list[LinkArrays] = []
        problems = network_problems(self, arrays)
        if problems:
            raise ScheduleInputError(tuple(problems))
        # Not a field: equality, hashing and repr ignore it; compile reuses it.
        object.__setattr__(self, "_link_arrays", arrays[0] if arrays else None)

    def __hash__(self) -> int:
        return hash((self.start, self.tasks, self.dependencies, self.default_calendar, self.rules))


Project = Network
