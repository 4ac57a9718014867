"""GraphQL types of object change history."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from app.models import HistoryEntry as HistoryModel
from app.models.enums import HistoryAction

strawberry.enum(HistoryAction, description="purge = the row was hard-deleted (no values kept).")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@strawberry.type(description="One field's value before and after a change (JSON values).")
class FieldChange:
    field: str = strawberry.field(description="The column name in camelCase, e.g. impactDays.")
    old: JSON | None
    new: JSON | None


@strawberry.type(description="One recorded change of one object.")
class HistoryEntry:
    id: strawberry.ID
    object_type: str
    object_id: strawberry.ID
    project_id: strawberry.ID | None
    actor_id: strawberry.ID | None = strawberry.field(
        description="Who made the change; null for the system (e.g. a schedule recompute)."
    )
    at: datetime
    action: HistoryAction
    server_version: int | None = strawberry.field(description="The object's version after it.")
    changes: list[FieldChange] = strawberry.field(description="Changed fields, by name.")

    @classmethod
    def from_model(cls, entry: HistoryModel) -> HistoryEntry:
        return cls(
            id=strawberry.ID(str(entry.id)),
            object_type=entry.table_name,
            object_id=strawberry.ID(str(entry.object_id)),
            project_id=strawberry.ID(str(entry.project_id)) if entry.project_id else None,
            actor_id=strawberry.ID(str(entry.actor_id)) if entry.actor_id else None,
            at=entry.at,
            action=HistoryAction(entry.action),
            server_version=entry.server_version,
            changes=[
                FieldChange(field=_camel(name), old=value.get("old"), new=value.get("new"))
                for name, value in sorted(entry.changes.items())
            ],
        )
