"""GraphQL types of labels."""

from __future__ import annotations

import strawberry

from app.models import Label as LabelModel


@strawberry.type(description="A per-project label tasks can carry.")
class Label:
    id: strawberry.ID
    project_id: strawberry.ID
    name: str
    color: str = strawberry.field(description="`#rrggbb`, lower case.")
    server_version: int
    is_deleted: bool

    @classmethod
    def from_model(cls, label: LabelModel) -> Label:
        return cls(
            id=strawberry.ID(str(label.id)),
            project_id=strawberry.ID(str(label.project_id)),
            name=label.name,
            color=label.color,
            server_version=label.server_version,
            is_deleted=label.is_deleted,
        )


@strawberry.type
class LabelPayload:
    label: Label
