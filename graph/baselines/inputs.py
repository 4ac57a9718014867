"""Input types of the baseline domain."""

from __future__ import annotations

import strawberry


@strawberry.input
class CaptureBaselineInput:
    project_id: strawberry.ID
    name: str
    set_active: bool = strawberry.field(
        default=False, description="Also make it the project's active baseline."
    )
