"""The API token string: `tppm_<prefix>_<secret>`.

`prefix` is 12 random hex characters, public: it is shown in token lists and finds the row.
`secret` is `secrets.token_urlsafe(32)` (256 bits). The fixed `tppm_` start lets the edge tell
an API token from a JWT without trying to decode it, and lets secret scanners recognise a
leaked token. Only `token_digest` of the whole string is stored.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from app.auth.tokens import token_digest

SCHEME = "tppm_"
_SHAPE = re.compile(r"^tppm_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class MintedToken:
    plaintext: str
    prefix: str
    digest: str


def mint() -> MintedToken:
    """A fresh token; its plaintext must be shown once and then forgotten."""
    prefix = secrets.token_hex(6)
    plaintext = f"{SCHEME}{prefix}_{secrets.token_urlsafe(32)}"
    return MintedToken(plaintext=plaintext, prefix=prefix, digest=token_digest(plaintext))


def is_api_token(raw: str) -> bool:
    """Whether a bearer credential claims to be an API token (rather than a JWT)."""
    return raw.startswith(SCHEME)


def prefix_of(raw: str) -> str | None:
    """The public prefix of a well-formed token, else None."""
    match = _SHAPE.match(raw)
    return None if match is None else match.group(1)
