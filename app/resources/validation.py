"""Checks on resource and assignment fields, reported together as one ValidationFailed."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import FieldProblem, ValidationFailed
from app.models import Calendar, Project, WorkspaceMember

KINDS = ("work", "material", "cost")
MAX_UNITS = 100_000.0  # a crew of 100,000 or a material's daily quantity
MAX_WORK_HOURS = 10_000_000.0
MAX_MONEY = Decimal("99999999999999.99")
MAX_LABELS = 50
MAX_CHANGES = 500

_CAMEL = {
    "max_units": "maxUnits",
    "days_off": "daysOff",
    "standard_rate": "standardRate",
    "overtime_rate": "overtimeRate",
    "cost_per_use": "costPerUse",
    "material_label": "materialLabel",
    "calendar_id": "calendarId",
    "user_id": "userId",
}


class _Problems:
    def __init__(self) -> None:
        self.items: list[FieldProblem] = []

    def add(self, name: str, message: str, *index: int) -> None:
        path = ("input", _CAMEL.get(name, name), *(str(i) for i in index))
        self.items.append(FieldProblem(path, message))

    def raise_any(self) -> None:
        if self.items:
            raise ValidationFailed(self.items)


def _number(value: Any, low: float, high: float, *, above: bool = False) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return "must be a number"
    if not math.isfinite(float(value)):
        return "must be a finite number"
    if above and float(value) <= low:
        return f"must be greater than {low:g}"
    if not low <= float(value) <= high:
        return f"must be between {low:g} and {high:g}"
    return None


def _text(values: dict[str, Any], name: str, limit: int, problems: _Problems) -> None:
    if name not in values:
        return
    text = (values[name] or "").strip()
    values[name] = text
    if len(text) > limit:
        problems.add(name, f"must be at most {limit} characters")


def _changes(values: dict[str, Any], problems: _Problems) -> None:
    """`availability`: [{start: date, units}] with distinct dates, stored sorted."""
    if "availability" not in values:
        return
    raw = values["availability"] or []
    if len(raw) > MAX_CHANGES:
        problems.add("availability", f"at most {MAX_CHANGES} changes")
        return
    seen: set[dt.date] = set()
    for i, change in enumerate(raw):
        start, units = change.get("start"), change.get("units")
        if not isinstance(start, dt.date):
            problems.add("availability", "needs a start date", i)
        elif start in seen:
            problems.add("availability", f"two changes on {start}", i)
        else:
            seen.add(start)
        message = _number(units, 0.0, MAX_UNITS)
        if message:
            problems.add("availability", f"units {message}", i)
    if not problems.items:
        ordered = sorted(raw, key=lambda c: c["start"])
        values["availability"] = [
            {"start": c["start"].isoformat(), "units": float(c["units"])} for c in ordered
        ]


def _days_off(values: dict[str, Any], problems: _Problems) -> None:
    """`days_off`: inclusive [{start, end}] ranges, stored sorted."""
    if "days_off" not in values:
        return
    raw = values["days_off"] or []
    if len(raw) > MAX_CHANGES:
        problems.add("days_off", f"at most {MAX_CHANGES} ranges")
        return
    for i, span in enumerate(raw):
        start, end = span.get("start"), span.get("end") or span.get("start")
        if not isinstance(start, dt.date) or not isinstance(end, dt.date):
            problems.add("days_off", "needs a start date (and an end date on or after it)", i)
        elif end < start:
            problems.add("days_off", "ends before it starts", i)
    if not problems.items:
        ordered = sorted(raw, key=lambda s: (s["start"], s.get("end") or s["start"]))
        values["days_off"] = [
            {"start": s["start"].isoformat(), "end": (s.get("end") or s["start"]).isoformat()}
            for s in ordered
        ]


def _labels(values: dict[str, Any], problems: _Problems) -> None:
    if "labels" not in values:
        return
    out: list[str] = []
    for i, label in enumerate(values["labels"] or []):
        text = (label or "").strip()
        if not text or len(text) > 100:
            problems.add("labels", "a label is 1 to 100 characters", i)
        elif text not in out:
            out.append(text)
    if len(out) > MAX_LABELS:
        problems.add("labels", f"at most {MAX_LABELS} labels")
    values["labels"] = out


def check_resource(values: dict[str, Any], *, creating: bool) -> None:
    """Normalise and check every given resource field; raise once with all problems."""
    problems = _Problems()
    if "name" in values or creating:
        name = (values.get("name") or "").strip()
        values["name"] = name
        if not name:
            problems.add("name", "must not be empty")
        elif len(name) > 200:
            problems.add("name", "must be at most 200 characters")
    if "kind" in values and values["kind"] not in KINDS:
        problems.add("kind", "must be one of " + ", ".join(KINDS))
    _text(values, "initials", 30, problems)
    _text(values, "material_label", 30, problems)
    if "max_units" in values:
        message = _number(values["max_units"], 0.0, MAX_UNITS)
        if message:
            problems.add("max_units", message)
    for name in ("standard_rate", "overtime_rate", "cost_per_use"):
        if name in values:
            message = _number(values[name], 0.0, float(MAX_MONEY))
            if message:
                problems.add(name, message)
            else:
                values[name] = Decimal(str(values[name]))
    _changes(values, problems)
    _days_off(values, problems)
    _labels(values, problems)
    problems.raise_any()


async def check_references(
    session: AsyncSession, workspace_id: uuid.UUID, values: dict[str, Any]
) -> None:
    """The calendar is a live calendar of a project of the workspace; the user a member."""
    problems = _Problems()
    calendar_id = values.get("calendar_id")
    if calendar_id is not None:
        found = await session.scalar(
            select(Calendar.id)
            .join(Project, Project.id == Calendar.project_id)
            .where(
                Calendar.id == calendar_id,
                Calendar.is_deleted.is_(False),
                Project.workspace_id == workspace_id,
                Project.is_deleted.is_(False),
            )
        )
        if found is None:
            problems.add("calendar_id", "no such calendar in a project of this workspace")
    user_id = values.get("user_id")
    if user_id is not None:
        member = await session.scalar(
            select(WorkspaceMember.id).where(
                WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.user_id == user_id
            )
        )
        if member is None:
            problems.add("user_id", "is not a member of this workspace")
    problems.raise_any()


def check_assignment(values: dict[str, Any]) -> None:
    """Units > 0 (a negative or zero units is refused, not clipped), work and cost >= 0."""
    problems = _Problems()
    if "units" in values:
        message = _number(values["units"], 0.0, MAX_UNITS, above=True)
        if message:
            problems.add("units", message)
    if values.get("work") is not None:
        message = _number(values["work"], 0.0, MAX_WORK_HOURS)
        if message:
            problems.add("work", message)
    if values.get("cost") is not None:
        message = _number(values["cost"], 0.0, float(MAX_MONEY))
        if message:
            problems.add("cost", message)
        else:
            values["cost"] = Decimal(str(values["cost"]))
    problems.raise_any()
