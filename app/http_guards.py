"""What every HTTP response gets and every request body is held to.

`BodyLimit`: a body larger than its endpoint takes is refused with 413 problem+json before it
is read (by `Content-Length`) or as soon as it grows past the limit while streaming (chunked),
so a 2 MB GraphQL document costs nothing: GraphQL JSON takes `TRUEPPM_GRAPHQL_MAX_BODY_BYTES`,
multipart uploads (plan imports) `TRUEPPM_IMPORT_MAX_BYTES` plus 1 MiB of form overhead, the
rest `TRUEPPM_MAX_BODY_BYTES`.

`SecurityHeaders`: `nosniff`, no framing, no referrer, HSTS when the request came over HTTPS
(uvicorn takes the scheme from `X-Forwarded-Proto` of trusted proxies), and a strict CSP on
HTML pages that do not set their own (GraphiQL does, app/ide/page.py).
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.rest.problems import MEDIA_TYPE, problem_body
from app.settings import Settings

FORM_SLACK = 1024 * 1024
HTML_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope.get("headers") or ():
        if key == name:
            return bytes(value)
    return b""


class BodyLimit:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def limit(self, scope: Scope) -> tuple[int, str]:
        kind = _header(scope, b"content-type").split(b";")[0].strip().lower()
        if kind == b"multipart/form-data":
            return self.settings.import_max_bytes + FORM_SLACK, "TRUEPPM_IMPORT_MAX_BYTES"
        if scope.get("path") == "/graphql":
            return self.settings.graphql_max_body_bytes, "TRUEPPM_GRAPHQL_MAX_BODY_BYTES"
        return self.settings.max_body_bytes, "TRUEPPM_MAX_BODY_BYTES"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, setting = self.limit(scope)
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(send, int(declared), limit, setting)
            return
        seen = 0
        exceeded = False
        started = False

        async def counted() -> Message:
            nonlocal seen, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    return {"type": "http.disconnect"}  # the app stops reading
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the 413 below answers instead
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _too_large(send, seen, limit, setting)


async def _too_large(send: Send, size: int, limit: int, setting: str) -> None:
    detail = f"the request body is over {limit} bytes (got {size} or more); see {setting}"
    body = json.dumps(problem_body("payload-too-large", detail, {"limit": limit})).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                names = {name.lower() for name, _ in headers}
                headers += [h for h in _ALWAYS if h[0] not in names]
                if secure:
                    headers.append(_HSTS)
                kind = dict(headers).get(b"content-type", b"")
                if kind.startswith(b"text/html") and b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", HTML_CSP.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
