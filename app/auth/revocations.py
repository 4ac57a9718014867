"""Revocation that bites: when a credential or a membership is taken away, the WebSockets it
opened are told at once, on every API process.

A service that revokes something calls `revoke_after_commit(session, Revocation(...))`; once
the transaction commits the notice goes out on the event bus (Valkey pub/sub, or in-process in
the embedded mode) and each process closes its matching connections (graph/events/transport.py):
an API token revoked, a login logged out or the account disabled → 4401; a membership
removed → the subscriptions to the projects the user may no longer see end with 4403 (each
is checked again).
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

CHANNEL = "trueppm:revocations"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Revocation:
    user_id: uuid.UUID
    token_id: uuid.UUID | None = None  # an API token
    session_id: uuid.UUID | None = None  # a login (its refresh-token family)
    # A membership change: the projects whose subscriptions are checked again.
    project_ids: tuple[uuid.UUID, ...] = ()
    account: bool = False  # the account was disabled: every credential of the user

    def to_json(self) -> str:
        return json.dumps(
            {
                "userId": str(self.user_id),
                "tokenId": str(self.token_id) if self.token_id else None,
                "sessionId": str(self.session_id) if self.session_id else None,
                "projectIds": [str(p) for p in self.project_ids],
                "account": self.account,
            }
        )

    @classmethod
    def from_json(cls, raw: str) -> Revocation:
        data = json.loads(raw)

        def ident(name: str) -> uuid.UUID | None:
            value = data.get(name)
            return uuid.UUID(value) if value else None

        return cls(
            user_id=uuid.UUID(data["userId"]),
            token_id=ident("tokenId"),
            session_id=ident("sessionId"),
            project_ids=tuple(uuid.UUID(p) for p in data.get("projectIds", ())),
            account=bool(data.get("account", False)),
        )


def revoke_after_commit(session: AsyncSession, revocation: Revocation) -> None:
    """Announce `revocation` once the caller's transaction has committed (never if not)."""
    from app.events.publish import SESSION_INFO_KEY  # the bus lives on the session
    from app.state import UnitOfWork

    uow = UnitOfWork.of(session)
    bus = session.info[SESSION_INFO_KEY]

    async def send() -> None:
        try:
            await bus.revoke(revocation)
        except Exception:
            # Committed all the same: the credential no longer works for new requests, and
            # an open socket still ends when its access token expires.
            log.warning(
                "could not announce a revocation for user %s", revocation.user_id, exc_info=True
            )

    uow.after_commit(send)
