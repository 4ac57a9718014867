"""Input types of the risk register and their translation into service values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry

from app.errors import FieldProblem, ValidationFailed
from app.models.enums import RiskStatus
from graph.tasks.inputs import ref

# GraphQL attribute -> column; fields that may not be null when given.
_COLUMNS = (
    "title",
    "description",
    "probability",
    "impact_days",
    "impact_cost",
    "status",
    "owner_id",
    "response",
    "trigger",
)
_NULLABLE = {"owner_id"}


@strawberry.input
class RiskFieldsInput:
    description: str | None = strawberry.UNSET
    probability: float | None = strawberry.field(default=strawberry.UNSET, description="0..1")
    impact_days: float | None = strawberry.UNSET
    impact_cost: Decimal | None = strawberry.UNSET
    status: RiskStatus | None = strawberry.UNSET
    owner_id: strawberry.ID | None = strawberry.UNSET
    response: str | None = strawberry.UNSET
    trigger: str | None = strawberry.UNSET


@strawberry.input
class CreateRiskInput(RiskFieldsInput):
    project_id: strawberry.ID
    title: str


@strawberry.input
class UpdateRiskInput(RiskFieldsInput):
    title: str | None = strawberry.UNSET


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def risk_values(data: RiskFieldsInput) -> dict[str, Any]:
    """The given fields as column values; an explicit null on a required field is an error."""
    values: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for name in _COLUMNS:
        value = getattr(data, name, strawberry.UNSET)
        if value is strawberry.UNSET:
            continue
        if value is None and name not in _NULLABLE:
            problems.append(FieldProblem(("input", _camel(name)), "must not be null"))
            continue
        if name == "owner_id":
            value = ref(value)
        elif name == "status":
            value = RiskStatus(value).value
        values[name] = value
    if problems:
        raise ValidationFailed(problems)
    return values
