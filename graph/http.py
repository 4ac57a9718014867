"""The GraphQL ASGI endpoint: GraphiQL on GET, queries/mutations on POST.

`Authorization: Bearer` takes a JWT access token or an API token (`app/auth/bearer.py`); a bad
one is not an error by itself, resolvers that need a user fail with UNAUTHENTICATED.

`app.asgi` mounts it by dotted path (`graph.http:create_graphql_app`) so that `app` never
imports `graph`.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from app.auth.bearer import bearer_credential, malformed, resolve_bearer
from app.auth.principal import Principal
from app.errors import AuthenticationError
from app.logs import current_request_id
from app.state import AppState
from graph.context import Context
from graph.events.transport import LegacyWSHandler, TransportWSHandler
from graph.schema import build_schema


class TruePPMGraphQL(GraphQL[Context, None]):
    # WebSocket auth happens in connection_init (graph/events/transport.py).
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    # orjson: a 10,000-task answer encodes in a few milliseconds instead of ~30 (stdlib json).
    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)  # its JSONDecodeError is json's: a bad body is still a 400

    def __init__(self, state: AppState) -> None:
        super().__init__(
            build_schema(state.settings),
            graphql_ide="graphiql" if state.settings.graphiql else None,
            allow_queries_via_get=False,
            # Plan imports send files by the GraphQL multipart request spec. Auth is a Bearer
            # header, never a cookie, so a cross-site form post carries no credentials.
            multipart_uploads_enabled=True,
            allowed_origins=state.settings.allowed_origins,
        )
        self.state = state

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        principal: Principal | None = None
        error: str | None = None
        # On a WebSocket only connection_init credentials count (graph/events/transport.py).
        credential = None
        if not isinstance(request, WebSocket):
            header = request.headers.get("authorization")
            credential = bearer_credential(header)
            error = malformed(header)
        if credential is not None:
            try:
                principal = await resolve_bearer(
                    self.state.settings, self.state.sessions, credential
                )
            except AuthenticationError as exc:
                error = exc.message
        return Context(
            state=self.state,
            request=request,
            response=response,
            principal=principal,
            auth_error=error,
            request_id=current_request_id(),
        )


def create_graphql_app(state: AppState) -> TruePPMGraphQL:
    return TruePPMGraphQL(state)
