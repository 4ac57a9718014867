"""Checks on risk fields, reported together as one ValidationFailed naming each field."""

from __future__ import annotations

import math
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import project_role
from app.errors import FieldProblem, NotFoundError, ValidationFailed

STATUSES = ("open", "mitigating", "closed")
MAX_TEXT = 20_000
MAX_IMPACT_DAYS = 100_000.0
MAX_COST = Decimal("99999999999999.99")


def _number_problem(value: Any, low: float, high: float) -> str | None:
    if not isinstance(value, int | float | Decimal) or not math.isfinite(float(value)):
        return "must be a finite number"
    if not low <= float(value) <= high:
        return f"must be between {low:g} and {high:g}"
    return None


def check_values(values: dict[str, Any], *, creating: bool) -> None:
    """Normalise (trim the title) and check every given field; raise once with all problems."""
    problems: list[FieldProblem] = []

    def problem(name: str, message: str) -> None:
        problems.append(FieldProblem(("input", name), message))

    if "title" in values or creating:
        title = (values.get("title") or "").strip()
        values["title"] = title
        if not title:
            problem("title", "must not be empty")
        elif len(title) > 500:
            problem("title", "must be at most 500 characters")
    for name, low, high in (
        ("probability", 0.0, 1.0),
        ("impactDays", 0.0, MAX_IMPACT_DAYS),
        ("impactCost", 0.0, float(MAX_COST)),
    ):
        column = {"impactDays": "impact_days", "impactCost": "impact_cost"}.get(name, name)
        if column in values:
            message = _number_problem(values[column], low, high)
            if message:
                problem(name, message)
    if "status" in values and values["status"] not in STATUSES:
        problem("status", "must be one of " + ", ".join(STATUSES))
    for name in ("description", "response", "trigger"):
        if name in values and len(values[name] or "") > MAX_TEXT:
            problem(name, f"must be at most {MAX_TEXT} characters")
        if name in values and values[name] is None:
            values[name] = ""
    if problems:
        raise ValidationFailed(problems)


async def check_owner(session: AsyncSession, project_id: uuid.UUID, owner: uuid.UUID) -> None:
    """A risk's owner must be able to see the project (any effective role)."""
    try:
        await project_role(session, owner, project_id)
    except NotFoundError:
        raise ValidationFailed(
            [FieldProblem(("input", "ownerId"), "is not a member of this project")]
        ) from None
