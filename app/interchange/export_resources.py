"""The resources and assignments part of an MSPDI export: the pool's resources the project
uses and the project's assignments, in the units the import reads back (rates per hour, cost
per use and costs in cents, work in hours, availability as periods)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Assignment, Resource, Task
from app.resources.repository import effective_work

_TYPES = {"material": 0, "work": 1, "cost": 2}
_OPEN_END = "2049-12-31T17:00:00"  # Project's "no end" for an availability period


async def load_resources(
    session: AsyncSession, project_id: uuid.UUID
) -> tuple[list[Resource], list[tuple[Assignment, int, str]]]:
    """Live assignments of live tasks (with the task's duration and kind) and the resources
    they name, in a stable order."""
    rows = (
        await session.execute(
            select(Assignment, Task.duration, Task.kind)
            .join(Task, Task.id == Assignment.task_id)
            .join(Resource, Resource.id == Assignment.resource_id)
            .where(
                Assignment.project_id == project_id,
                Assignment.is_deleted.is_(False),
                Task.is_deleted.is_(False),
                Resource.is_deleted.is_(False),
            )
            .order_by(Assignment.created_at, Assignment.id)
        )
    ).all()
    assignments = [(a, duration, kind) for a, duration, kind in rows]
    ids = {a.resource_id for a, _, _ in assignments}
    resources = list(
        (
            await session.execute(
                select(Resource).where(Resource.id.in_(ids)).order_by(Resource.name, Resource.id)
            )
        ).scalars()
    )
    return resources, assignments


def _cents(value: Decimal | None) -> int:
    return 0 if value is None else int((value * 100).to_integral_value())


def _hours(hours: float) -> str:
    minutes = round(hours * 60)
    return f"PT{minutes // 60}H{minutes % 60}M0S"


def _periods(resource: Resource) -> str:
    """Dated availability as Project's periods: each change holds until the day before the
    next one; the last one has no end."""
    changes = [(date.fromisoformat(c["start"]), c["units"]) for c in resource.availability]
    out = []
    for i, (first, units) in enumerate(changes):
        last = (
            f"{(changes[i + 1][0] - timedelta(days=1)).isoformat()}T17:00:00"
            if i + 1 < len(changes)
            else _OPEN_END
        )
        out.append(
            f"<AvailabilityPeriod><AvailableFrom>{first.isoformat()}T08:00:00</AvailableFrom>"
            f"<AvailableTo>{last}</AvailableTo><AvailableUnits>{units:g}</AvailableUnits>"
            "</AvailabilityPeriod>"
        )
    return f"<AvailabilityPeriods>{''.join(out)}</AvailabilityPeriods>" if out else ""


def resources_xml(
    resources: list[Resource],
    assignments: list[tuple[Assignment, int, str]],
    task_uids: Mapping[uuid.UUID, int],
    el: Callable[[str, object], str],
) -> str:
    """`<Resources>` and `<Assignments>`; `el(tag, value)` escapes a text element."""
    uids = {r.id: i for i, r in enumerate(resources, start=1)}
    parts = ["<Resources>"]
    for r in resources:
        parts.append(
            f"<Resource><UID>{uids[r.id]}</UID><ID>{uids[r.id]}</ID>{el('Name', r.name)}"
            f"<Type>{_TYPES[r.kind]}</Type><IsNull>0</IsNull>{el('Initials', r.initials)}"
            f"{el('MaterialLabel', r.material_label) if r.material_label else ''}"
            f"{el('Group', ', '.join(r.labels)) if r.labels else ''}"
            f"<MaxUnits>{r.max_units:g}</MaxUnits>"
            f"<StandardRate>{r.standard_rate}</StandardRate><StandardRateFormat>2"
            f"</StandardRateFormat><OvertimeRate>{r.overtime_rate}</OvertimeRate>"
            f"<OvertimeRateFormat>2</OvertimeRateFormat>"
            f"<CostPerUse>{_cents(r.cost_per_use)}</CostPerUse>{_periods(r)}</Resource>"
        )
    parts.append("</Resources><Assignments>")
    for i, (a, duration, kind) in enumerate(assignments, start=1):
        if a.task_id not in task_uids:
            continue
        parts.append(
            f"<Assignment><UID>{i}</UID><TaskUID>{task_uids[a.task_id]}</TaskUID>"
            f"<ResourceUID>{uids[a.resource_id]}</ResourceUID><Units>{a.units:g}</Units>"
            f"<Work>{_hours(effective_work(a, duration, kind))}</Work>"
            f"<Cost>{_cents(a.cost)}</Cost></Assignment>"
        )
    parts.append("</Assignments>")
    return "".join(parts)
