"""What an OpenID provider publishes: its discovery document and signing keys, cached.

The document comes from `{issuer}/.well-known/openid-configuration` and must name the same
issuer (OpenID Connect Discovery §4.3), else a look-alike could hand out its own endpoints.
Both are kept for an hour per process; the keys are fetched again at once when a token is
signed with a key id we do not know yet (the provider rotated its keys).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from app.sso.config import OidcProvider

CACHE_SECONDS = 3600
TIMEOUT_SECONDS = 10.0


class ProviderUnavailable(Exception):
    """The provider could not be reached or published something unusable."""


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    signing_algorithms: tuple[str, ...]


@dataclass
class _Entry:
    metadata: ProviderMetadata
    keys: dict[str, Any]
    fetched_at: float


@dataclass
class Discovery:
    """Per-process cache of each configured provider's metadata and keys."""

    _entries: dict[str, _Entry] = field(default_factory=dict)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    async def metadata(self, provider: OidcProvider) -> ProviderMetadata:
        return (await self._entry(provider)).metadata

    async def keys(self, provider: OidcProvider, *, refresh: bool = False) -> dict[str, Any]:
        entry = await self._entry(provider)
        if refresh:
            entry.keys = await _get_json(entry.metadata.jwks_uri)
        return entry.keys

    async def _entry(self, provider: OidcProvider) -> _Entry:
        lock = self._locks.setdefault(provider.name, asyncio.Lock())
        async with lock:
            entry = self._entries.get(provider.name)
            if entry is None or time.monotonic() - entry.fetched_at > CACHE_SECONDS:
                metadata = _metadata(provider, await _get_json(_discovery_url(provider.issuer)))
                keys = await _get_json(metadata.jwks_uri)
                entry = _Entry(metadata, keys, time.monotonic())
                self._entries[provider.name] = entry
            return entry


def _discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


async def _get_json(url: str) -> dict[str, Any]:
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
            response = await client.get(url, headers={"accept": "application/json"})
    except httpx.HTTPError as exc:
        raise ProviderUnavailable(f"{url}: {exc.__class__.__name__}") from None
    if response.status_code != 200:
        raise ProviderUnavailable(f"{url} answered {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        raise ProviderUnavailable(f"{url} did not answer JSON") from None
    if not isinstance(body, dict):
        raise ProviderUnavailable(f"{url} did not answer a JSON object")
    return body


def _metadata(provider: OidcProvider, body: dict[str, Any]) -> ProviderMetadata:
    if body.get("issuer") != provider.issuer:
        raise ProviderUnavailable(
            f"the discovery document names issuer {body.get('issuer')!r}, "
            f"not the configured {provider.issuer!r}"
        )
    missing = [
        name
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri")
        if not isinstance(body.get(name), str)
    ]
    if missing:
        raise ProviderUnavailable("the discovery document lacks " + ", ".join(missing))
    algorithms = body.get("id_token_signing_alg_values_supported") or ["RS256"]
    return ProviderMetadata(
        issuer=provider.issuer,
        authorization_endpoint=body["authorization_endpoint"],
        token_endpoint=body["token_endpoint"],
        jwks_uri=body["jwks_uri"],
        # Unsigned ID tokens are never accepted, whatever the provider offers.
        signing_algorithms=tuple(a for a in algorithms if isinstance(a, str) and a != "none"),
    )
