"""The GraphQL ASGI endpoint: GraphiQL on GET, queries/mutations on POST.

`Authorization: Bearer` takes a JWT access token or an API token (`app/auth/bearer.py`); a bad
one is not an error by itself, resolvers that need a user fail with UNAUTHENTICATED.

`app.asgi` mounts it by dotted path (`graph.http:create_graphql_app`) so that `app` never
imports `graph`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.exceptions import WebSocketDisconnected

from app.auth.bearer import bearer_credential, malformed, resolve_bearer
from app.auth.principal import Principal
from app.errors import AuthenticationError
from app.ide.page import graphiql_response
from app.logs import current_request_id
from app.state import AppState
from graph.context import Context
from graph.events.transport import LegacyWSHandler, TransportWSHandler
from graph.schema import build_schema

# The HTTP request being answered, for `create_response` (Strawberry does not pass it there).
_REQUEST: ContextVar[Request | None] = ContextVar("trueppm_graphql_request", default=None)


class TextFrames(ASGIWebSocketAdapter):
    """Both subscription protocols speak in text frames: a browser's graphql-ws client cannot
    parse a binary one (Strawberry sends bytes as binary, and orjson gives bytes)."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class TruePPMGraphQL(GraphQL[Context, None]):
    # WebSocket auth happens in connection_init (graph/events/transport.py).
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler
    websocket_adapter_class = TextFrames

    # orjson: a 10,000-task answer encodes in a few milliseconds instead of ~30 (stdlib json).
    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)  # its JSONDecodeError is json's: a bad body is still a 400

    def __init__(self, state: AppState) -> None:
        super().__init__(
            build_schema(state.settings, state.documents),
            graphql_ide="graphiql" if state.settings.graphiql else None,
            # Queries (not mutations) over GET, for persisted queries and HTTP caches: the
            # answer carries an ETag and `Cache-Control: private, no-cache`, so a client or
            # browser revalidates it and gets 304 when it did not change.
            allow_queries_via_get=True,
            # Plan imports send files by the GraphQL multipart request spec. Auth is a Bearer
            # header, never a cookie, so a cross-site form post carries no credentials.
            multipart_uploads_enabled=True,
            allowed_origins=state.settings.allowed_origins,
        )
        self.state = state

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A browser asking for the page (text/html), never a GET operation: Strawberry's rule
        # also takes `*/*`, which would answer a client's persisted-query GET with HTML.
        params = request.query_params
        return (
            request.method == "GET"
            and "text/html" in request.headers.get("accept", "")
            and params.get("query") is None
            and params.get("extensions") is None
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our page, from our own files (app/ide/): Strawberry's loads its scripts from a CDN.
        return graphiql_response(request.url.path, self.state.settings.admin_email)

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        request = _REQUEST.get()
        if request is None or request.method != "GET" or response.status_code != 200:
            return response
        tag = f'W/"{hashlib.sha256(response.body).hexdigest()[:32]}"'
        headers = {"etag": tag, "cache-control": "private, no-cache", "vary": "Authorization"}
        if tag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        response.headers.update(headers)
        return response

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        principal: Principal | None = None
        error: str | None = None
        # On a WebSocket only connection_init credentials count (graph/events/transport.py).
        credential = None
        if not isinstance(request, WebSocket):
            _REQUEST.set(request)
            header = request.headers.get("authorization")
            credential = bearer_credential(header)
            error = malformed(header)
        if credential is not None:
            try:
                principal = await resolve_bearer(
                    self.state.settings,
                    self.state.sessions,
                    credential,
                    accounts=self.state.accounts,
                )
            except AuthenticationError as exc:
                error = exc.message
        retry_after = None
        if principal is not None:  # counted once verified: a forged token spends nothing
            retry_after = await self.state.request_rate.charge(principal)
            if retry_after is not None:
                response.status_code = 429
                response.headers["retry-after"] = str(retry_after)
        return Context(
            state=self.state,
            request=request,
            response=response,
            principal=principal,
            auth_error=error,
            rate_limited=retry_after,
            request_id=current_request_id(),
        )


def create_graphql_app(state: AppState) -> TruePPMGraphQL:
    return TruePPMGraphQL(state)
