"""Input types of the sprint domain and their translation into service values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry


@strawberry.input
class CreateSprintInput:
    project_id: strawberry.ID
    name: str
    start_date: dt.date
    end_date: dt.date
    goal: str = ""
    order: int | None = strawberry.field(
        default=None, description="Position among the project's sprints; default: last."
    )


@strawberry.input
class UpdateSprintInput:
    """Omitted fields are unchanged."""

    name: str | None = strawberry.UNSET
    goal: str | None = strawberry.UNSET
    start_date: dt.date | None = strawberry.UNSET
    end_date: dt.date | None = strawberry.UNSET
    order: int | None = strawberry.UNSET


def create_values(input: CreateSprintInput) -> dict[str, Any]:
    return {
        "name": input.name,
        "goal": input.goal,
        "start_date": input.start_date,
        "end_date": input.end_date,
        "sort_order": input.order,
    }


def update_values(input: UpdateSprintInput) -> dict[str, Any]:
    pairs = {
        "name": input.name,
        "goal": input.goal,
        "start_date": input.start_date,
        "end_date": input.end_date,
        "sort_order": input.order,
    }
    return {key: value for key, value in pairs.items() if value is not strawberry.UNSET}
