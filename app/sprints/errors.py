"""Expected failures of the sprint domain (GraphQL turns each into a typed union member)."""

from __future__ import annotations

import uuid

from app.errors import AppError


class ActiveSprintExistsError(AppError):
    """Another sprint of the project is already active (one active sprint per project)."""

    code = "active_sprint_exists"

    def __init__(self, active_sprint_id: uuid.UUID) -> None:
        super().__init__(
            f"sprint {active_sprint_id} is already active in this project; close it first"
        )
        self.active_sprint_id = active_sprint_id


class SprintStateError(AppError):
    """The sprint's state does not allow the operation (e.g. closing a planned sprint)."""

    code = "sprint_state"

    def __init__(self, message: str, state: str) -> None:
        super().__init__(message)
        self.state = state
