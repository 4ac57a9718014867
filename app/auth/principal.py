"""Who a request acts as, and how far an API token narrows that.

Every credential resolves to a `Principal`: the user it authenticates plus, for an API token,
the token's limits (one project or one program, read-only). Authorization is always evaluated
as the user — a token can never reach more than its owner can — and then narrowed by those
limits. The narrowing travels in a context variable set by the edge (`acting_as`) for exactly
the span of the request's database work, so `app/authz.py` applies it inside every query
without each of the many services taking an extra parameter. It applies only to queries about
the principal's own user: checking another user's role (e.g. "is the assignee a member?") is
never narrowed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    # When the credential stops working (a JWT's `exp`, an API token's `expires_at`).
    expires_at: dt.datetime
    # Set only when the credential is an API token.
    token_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    program_id: uuid.UUID | None = None
    read_only: bool = False
    # The login (refresh-token family) a JWT was issued for; None for API tokens.
    session_id: uuid.UUID | None = None

    @property
    def is_api_token(self) -> bool:
        return self.token_id is not None

    @property
    def is_scoped(self) -> bool:
        """Limited to one project or one program (everything else is not found)."""
        return self.project_id is not None or self.program_id is not None


_current: ContextVar[Principal | None] = ContextVar("trueppm_principal", default=None)


@contextmanager
def acting_as(principal: Principal | None) -> Iterator[None]:
    """Apply `principal`'s limits to the authorization queries run inside the block."""
    token = _current.set(principal)
    try:
        yield
    finally:
        # ValueError: closed from another context, e.g. a subscription's async generator
        # finalised by the event loop; the context holding the value is the finished one's.
        with suppress(ValueError):
            _current.reset(token)


def token_scope(user_id: uuid.UUID) -> Principal | None:
    """The scoped principal in effect for queries about `user_id`, else None (no narrowing)."""
    principal = _current.get()
    if principal is None or principal.user_id != user_id or not principal.is_scoped:
        return None
    return principal


def current_principal() -> Principal | None:
    return _current.get()
