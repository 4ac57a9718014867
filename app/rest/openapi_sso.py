"""OpenAPI fragment of the single sign-on routes (`app.sso.routes`, docs/sso.md)."""

from __future__ import annotations

from typing import Any

from app.rest.openapi_common import json_response, problem_response, query_param

_REASON = {"reason": {"type": "string", "description": "Why, as in docs/sso.md."}}
_PROVIDER = {
    "name": "provider",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,31}$"},
}


def schemas() -> dict[str, Any]:
    return {
        "SsoProviders": {
            "type": "object",
            "required": ["providers"],
            "properties": {
                "providers": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name", "label", "login_url"],
                        "properties": {
                            "name": {"type": "string"},
                            "label": {"type": "string"},
                            "login_url": {"type": "string", "format": "uri"},
                        },
                    },
                }
            },
        },
        "SsoCode": {
            "type": "object",
            "required": ["code", "expires_in"],
            "properties": {
                "code": {"type": "string", "description": "For the exchangeSsoCode mutation."},
                "expires_in": {"type": "integer"},
            },
        },
    }


def paths() -> dict[str, Any]:
    redirect = {"description": "To the provider (login) or back to `redirect_to` (callback)."}
    return {
        "/auth/sso/": {
            "get": {
                "summary": "The single sign-on providers, for sign-in buttons",
                "operationId": "listSsoProviders",
                "tags": ["sso"],
                "responses": {
                    "200": json_response(
                        "Configured providers.", {"$ref": "#/components/schemas/SsoProviders"}
                    )
                },
            }
        },
        "/auth/sso/{provider}/login": {
            "get": {
                "summary": "Start a sign-in: a redirect to the provider",
                "description": "Sets a short-lived HttpOnly cookie binding the sign-in to "
                "this browser.",
                "operationId": "startSso",
                "tags": ["sso"],
                "parameters": [
                    _PROVIDER,
                    query_param(
                        "redirect_to",
                        {"type": "string"},
                        "Where the browser comes back with `sso_code` or `sso_error`: a path "
                        "on this server or a URL on one of ALLOWED_ORIGINS.",
                    ),
                ],
                "responses": {
                    "302": redirect,
                    "400": problem_response("`redirect_to` is not allowed.", _REASON),
                    "404": problem_response("No provider of that name.", _REASON),
                    "429": problem_response("Too many sign-ins from this address."),
                    "502": problem_response("The provider's discovery or keys failed.", _REASON),
                },
            }
        },
        "/auth/sso/{provider}/callback": {
            "get": {
                "summary": "Where the provider sends the browser back",
                "operationId": "finishSso",
                "tags": ["sso"],
                "parameters": [
                    _PROVIDER,
                    query_param("code", {"type": "string"}, "The provider's code."),
                    query_param("state", {"type": "string"}, "Our state, echoed."),
                ],
                "responses": {
                    "302": redirect,
                    "200": json_response(
                        "Signed in, started without `redirect_to`: the one-time code.",
                        {"$ref": "#/components/schemas/SsoCode"},
                    ),
                    "400": problem_response(
                        "Unknown, expired, reused or another browser's sign-in.", _REASON
                    ),
                    "403": problem_response("Sign-in refused (no `redirect_to`).", _REASON),
                    "404": problem_response("No provider of that name.", _REASON),
                    "502": problem_response("The provider failed.", _REASON),
                },
            }
        },
    }
