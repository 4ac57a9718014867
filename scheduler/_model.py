"""Input vocabulary of the engine: enums and the frozen dataclasses a network is built from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

__all__ = [
    "MON_FRI",
    "Calendar",
    "ConstraintType",
    "DateRules",
    "Dependency",
    "Distribution",
    "LagUnit",
    "LinkType",
    "RiskEvent",
    "Task",
    "TaskKind",
]

#: Working-week bitmask for Monday to Friday (bit 0 = Monday ... bit 6 = Sunday).
MON_FRI = 0b0011111


class TaskKind(StrEnum):
    TASK = "task"
    MILESTONE = "milestone"
    SUMMARY = "summary"


class LinkType(StrEnum):
    FS = "FS"
    SS = "SS"
    FF = "FF"
    SF = "SF"


class LagUnit(StrEnum):
    WORKING_DAYS = "working_days"
    ELAPSED_DAYS = "elapsed_days"


class DateRules(StrEnum):
    """Which rules turn links into dates where the engine's and Microsoft Project's differ
    (docs/scheduler.md, "Which rules apply")."""

    TRUEPPM = "trueppm"
    MS_PROJECT = "ms_project"


class ConstraintType(StrEnum):
    ASAP = "ASAP"
    ALAP = "ALAP"
    SNET = "SNET"
    SNLT = "SNLT"
    FNET = "FNET"
    FNLT = "FNLT"
    MSO = "MSO"
    MFO = "MFO"


class Distribution(StrEnum):
    TRIANGULAR = "triangular"
    PERT = "pert"
    UNIFORM = "uniform"
    LOGNORMAL = "lognormal"


@dataclass(frozen=True, slots=True)
class Calendar:
    """A working calendar: a weekly pattern plus dated exceptions.

    ``holidays`` are non-working exceptions; ``extra_working_days`` are working exceptions (a
    Saturday worked, say). A date in both is reported as an input problem.
    """

    id: str
    working_weekdays: int = MON_FRI
    holidays: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()

    @classmethod
    def from_ranges(
        cls,
        id: str,
        non_working: Iterable[tuple[date, date]],
        *,
        working_weekdays: int = MON_FRI,
        extra_working_days: Iterable[date] = (),
    ) -> Calendar:
        """Build a calendar from inclusive ``(first, last)`` non-working date ranges."""
        days: set[date] = set()
        for first, last in non_working:
            span = (last - first).days
            days.update(first + timedelta(days=i) for i in range(span + 1))
        return cls(id, working_weekdays, frozenset(days), frozenset(extra_working_days))


@dataclass(frozen=True, slots=True)
class Task:
    """One activity. Durations are whole working days on the task's calendar."""

    id: str
    duration: int = 0
    kind: TaskKind = TaskKind.TASK
    parent: str | None = None
    calendar: str | None = None
    constraint_type: ConstraintType = ConstraintType.ASAP
    constraint_date: date | None = None
    deadline: date | None = None
    actual_start: date | None = None
    actual_finish: date | None = None
    percent_complete: float | None = None
    remaining_duration: int | None = None
    optimistic: float | None = None
    most_likely: float | None = None
    pessimistic: float | None = None
    distribution: Distribution = Distribution.PERT
    name: str = ""
    # Set by resource leveling: start no earlier than this date, beside (not instead of)
    # the task's own constraint; its leveling delay is the distance from where logic puts it.
    leveled_start: date | None = None


@dataclass(frozen=True, slots=True)
class Dependency:
    """A logical link; a negative ``lag`` is a lead."""

    predecessor: str
    successor: str
    type: LinkType = LinkType.FS
    lag: int = 0
    lag_unit: LagUnit = LagUnit.WORKING_DAYS


@dataclass(frozen=True, slots=True)
class RiskEvent:
    """A discrete risk: with ``probability`` it adds ``impact`` working days to each listed task."""

    id: str
    probability: float
    impact: float
    task_ids: tuple[str, ...] = field(default=())
