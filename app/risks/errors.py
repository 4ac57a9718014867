"""Risk-domain errors (all expected failures map onto the shared AppError types)."""

from __future__ import annotations

from app.errors import ConflictError


class AlreadyLinked(ConflictError):
    def __init__(self) -> None:
        super().__init__("this risk is already linked to that task")
