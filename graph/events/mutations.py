"""`createSubscriptionTicket`: trade the caller's credential for a 30-second single-use ticket."""

from __future__ import annotations

import strawberry

from app.events.tickets import TICKET_TTL_SECONDS
from graph.context import Info
from graph.events.types import SubscriptionTicket


@strawberry.type
class EventMutation:
    @strawberry.mutation(
        description="A short-lived, single-use ticket for the WebSocket connection_init "
        "payload, so browsers never put a long-lived token in a URL."
    )
    async def create_subscription_ticket(self, info: Info) -> SubscriptionTicket:
        info.context.require_user()
        # The ticket carries the credential's principal: the connection it opens ends when
        # that credential expires and keeps an API token's project or program limit.
        principal = info.context.principal
        assert principal is not None
        ticket = await info.context.state.events.tickets.issue(principal)
        return SubscriptionTicket(ticket=ticket, expires_in_seconds=TICKET_TTL_SECONDS)
