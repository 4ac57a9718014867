"""Resource-domain errors (all expected failures map onto the shared AppError types)."""

from __future__ import annotations

from app.errors import ConflictError


class AlreadyAssigned(ConflictError):
    def __init__(self) -> None:
        super().__init__("this resource is already assigned to that task")
