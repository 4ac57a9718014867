"""GraphiQL at `GET /graphql`, from our own files only.

The page loads React, GraphiQL and the Explorer plugin from `/static/ide/vendor/` (pinned and
hash-checked, `app/ide/assets.py`) and its own small script; a Content-Security-Policy keeps the
browser from fetching anything from another origin, so a machine without internet access gets a
working GraphiQL. Subscriptions run over this server's WebSocket: GraphiQL sends the headers
pane (`{"Authorization": "Bearer …"}`) as the `connection_init` payload.
"""

from __future__ import annotations

import html
import json

from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from app.ide.assets import STATIC, vendored

PREFIX = "/static/ide"

# 'unsafe-inline' styles only: GraphiQL's editors set element styles at run time.
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)


def default_document(admin_email: str) -> str:
    """The first tab: how to log in and put the token in the headers pane, then a query."""
    return f"""# Welcome to TruePPM's GraphiQL. Every date it answers is computed by the engine.
#
# 1. Log in: put the cursor in the Login operation and press Run (or Ctrl-Enter).
#    A wrong password answers AuthenticationFailed with a message.
# 2. Open the Headers pane (below) and paste the access token with the Bearer prefix:
#      {{"Authorization": "Bearer <accessToken>"}}
#    The headers stay in this browser and also sign in subscriptions (WebSocket).
# 3. Run Me, then explore: Ctrl-Space completes, the Docs and Explorer panes list
#    every type. Access tokens are short-lived; log in again (or use refreshToken).

mutation Login {{
  login(email: {json.dumps(admin_email)}, password: "your password") {{
    __typename
    ... on AuthPayload {{ accessToken refreshToken }}
    ... on AuthenticationFailed {{ message }}
  }}
}}

query Me {{
  me {{ id email name }}
  workspaces {{ nodes {{ id name }} }}
}}
"""


def _script(name: str) -> str:
    return (
        f'<script src="{PREFIX}/vendor/{name}" integrity="{vendored(name).sri}" '
        'crossorigin="anonymous"></script>'
    )


def _style(name: str) -> str:
    return (
        f'<link rel="stylesheet" href="{PREFIX}/vendor/{name}" '
        f'integrity="{vendored(name).sri}" crossorigin="anonymous">'
    )


def graphiql_html(endpoint: str, admin_email: str) -> str:
    config = html.escape(json.dumps({"endpoint": endpoint, "query": default_document(admin_email)}))
    return "\n".join(
        (
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>TruePPM GraphiQL</title>",
            _style("graphiql.min.css"),
            _style("plugin-explorer.css"),
            f'<link rel="stylesheet" href="{PREFIX}/graphiql.css">',
            "</head><body>",
            f'<div id="graphiql" data-config="{config}">Loading GraphiQL…</div>',
            _script("react.production.min.js"),
            _script("react-dom.production.min.js"),
            _script("graphiql.min.js"),
            _script("plugin-explorer.umd.js"),
            f'<script src="{PREFIX}/graphiql.js"></script>',
            "</body></html>",
        )
    )


def graphiql_response(endpoint: str, admin_email: str) -> HTMLResponse:
    return HTMLResponse(
        graphiql_html(endpoint, admin_email),
        headers={"content-security-policy": CSP, "cache-control": "no-cache"},
    )


def static_mount() -> Mount:
    return Mount(PREFIX, StaticFiles(directory=STATIC), name="ide-static")
