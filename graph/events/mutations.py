"""`createSubscriptionTicket`: trade the caller's JWT for a 30-second single-use ticket."""

from __future__ import annotations

import strawberry

from app.auth.tokens import decode_access_token
from app.events.tickets import TICKET_TTL_SECONDS, TicketGrant
from graph.context import Info
from graph.events.types import SubscriptionTicket


def _bearer(request: object) -> str:
    headers = getattr(request, "headers", {})
    header: str = headers.get("authorization", "")
    _, _, token = header.partition(" ")
    return token.strip()


@strawberry.type
class EventMutation:
    @strawberry.mutation(
        description="A short-lived, single-use ticket for the WebSocket connection_init "
        "payload, so browsers never put a long-lived token in a URL."
    )
    async def create_subscription_ticket(self, info: Info) -> SubscriptionTicket:
        user_id = info.context.require_user()
        # The connection a ticket opens ends when the token that bought it expires.
        _, expires = decode_access_token(info.context.settings, _bearer(info.context.request))
        ticket = await info.context.state.events.tickets.issue(TicketGrant(user_id, expires))
        return SubscriptionTicket(ticket=ticket, expires_in_seconds=TICKET_TTL_SECONDS)
