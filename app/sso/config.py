"""`TRUEPPM_OIDC_PROVIDERS`: the OpenID providers people may sign in with (docs/sso.md)."""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_KEYS = {
    "issuer",
    "client_id",
    "client_secret",
    "client_secret_file",
    "label",
    "scopes",
    "jit_domains",
    "email_verified_claim",
}
DEFAULT_SCOPES = ("openid", "email", "profile")


@dataclass(frozen=True)
class OidcProvider:
    name: str
    label: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    jit_domains: tuple[str, ...] = ()
    email_verified_claim: str = "email_verified"

    def __repr__(self) -> str:  # never print the secret
        return f"OidcProvider(name={self.name!r}, issuer={self.issuer!r})"


def parse_providers(raw: str) -> tuple[OidcProvider, ...]:
    """The providers of the JSON object `raw`; ValueError names what is wrong."""
    if not raw.strip():
        return ()
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(document, dict):
        raise ValueError('must be a JSON object of providers by name, e.g. {"corp": {...}}')
    return tuple(_provider(name, spec) for name, spec in document.items())


def _provider(name: str, spec: Any) -> OidcProvider:
    if not _NAME.match(name):
        raise ValueError(f"provider name {name!r}: use a-z, 0-9 and -, up to 32 characters")
    if not isinstance(spec, dict):
        raise ValueError(f"{name}: must be an object")
    unknown = sorted(set(spec) - _KEYS)
    if unknown:
        raise ValueError(f"{name}: unknown keys {', '.join(unknown)}")
    issuer, client_id = spec.get("issuer"), spec.get("client_id")
    if not isinstance(issuer, str) or not _issuer_ok(issuer):
        raise ValueError(f"{name}: issuer must be an https:// URL (http:// only on loopback)")
    if not isinstance(client_id, str) or not client_id:
        raise ValueError(f"{name}: client_id is required")
    if "client_secret" in spec and "client_secret_file" in spec:
        raise ValueError(f"{name}: give client_secret or client_secret_file, not both")
    secret = spec.get("client_secret")
    if "client_secret_file" in spec:
        path = Path(str(spec["client_secret_file"]))
        try:
            secret = path.read_text().strip()
        except OSError as exc:
            raise ValueError(f"{name}: client_secret_file {path}: {exc.strerror}") from None
    if not isinstance(secret, str) or not secret:
        raise ValueError(f"{name}: client_secret or client_secret_file is required")
    scopes = _strings(name, "scopes", spec.get("scopes", list(DEFAULT_SCOPES)))
    if not {"openid", "email"} <= set(scopes):
        raise ValueError(f"{name}: scopes must include openid and email")
    label = spec.get("label", name)
    claim = spec.get("email_verified_claim", "email_verified")
    if not isinstance(label, str) or not isinstance(claim, str):
        raise ValueError(f"{name}: label and email_verified_claim are strings")
    return OidcProvider(
        name=name,
        label=label,
        issuer=issuer,
        client_id=client_id,
        client_secret=secret,
        scopes=scopes,
        jit_domains=tuple(
            d.lower() for d in _strings(name, "jit_domains", spec.get("jit_domains", []))
        ),
        email_verified_claim=claim,
    )


def _strings(name: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{name}: {key} must be a list of strings")
    return tuple(value)


def _issuer_ok(issuer: str) -> bool:
    parts = urlsplit(issuer)
    if parts.query or parts.fragment or not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    if parts.scheme != "http":
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False
