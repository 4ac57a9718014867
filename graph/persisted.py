"""Persisted operations: Apollo's Automatic Persisted Queries (APQ) and an allow-list mode.

APQ (`TRUEPPM_PERSISTED_QUERIES=auto`): a client sends `extensions.persistedQuery =
{"version": 1, "sha256Hash": <hex>}` without the document; an unknown hash answers the error
`PersistedQueryNotFound` (code `PERSISTED_QUERY_NOT_FOUND`), the client sends the document
with the hash once, the server checks the hash and keeps the document (in Valkey when
configured, so every API process knows it; always in a bounded in-process LRU). Over HTTP GET
(queries only, cacheable), POST, and graphql-transport-ws `subscribe` messages.

Allow-list (`allowlist`): only the operations of `TRUEPPM_PERSISTED_QUERIES_FILE` run, by
hash or by their exact document; anything else answers `PERSISTED_QUERY_NOT_ALLOWED`, and
nothing new is registered.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from app.documents import DocumentStore, MemoryDocuments
from app.settings import ConfigError, Settings

_HEX = re.compile(r"[0-9a-f]{64}")


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def _error(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def load_allowlist(path: Path) -> dict[str, str]:
    """`{sha256: document}`, or Apollo's manifest `{"operations": [{"id", "body"}]}`."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"TRUEPPM_PERSISTED_QUERIES_FILE {path}: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("operations"), list):
        pairs = [(op.get("id"), op.get("body")) for op in data["operations"]]
    elif isinstance(data, dict):
        pairs = list(data.items())
    else:
        raise ConfigError(f"TRUEPPM_PERSISTED_QUERIES_FILE {path}: not a JSON object")
    out = {}
    for digest, document in pairs:
        if not isinstance(digest, str) or not isinstance(document, str):
            raise ConfigError(f"TRUEPPM_PERSISTED_QUERIES_FILE {path}: ids and bodies are text")
        if sha256(document) != digest:
            raise ConfigError(
                f"TRUEPPM_PERSISTED_QUERIES_FILE {path}: {digest} is not its document's sha256"
            )
        out[digest] = document
    return out


class PersistedOperations:
    """Turns (document, extensions) into the document to run, or raises a GraphQLError."""

    def __init__(self, settings: Settings, store: DocumentStore | None = None) -> None:
        self.mode = settings.persisted_queries
        self.allowed: dict[str, str] = {}
        if self.mode == "allowlist":
            assert settings.persisted_queries_file is not None
            self.allowed = load_allowlist(settings.persisted_queries_file)
        self.store: DocumentStore = store if store is not None else MemoryDocuments()

    async def resolve(
        self, document: str | None, extensions: Mapping[str, Any] | None
    ) -> str | None:
        """The document to run; None when the request has none (answered 400 upstream)."""
        asked = (extensions or {}).get("persistedQuery")
        digest = _digest(asked) if asked is not None else None
        if self.mode == "off":
            if document is None and digest is not None:
                raise _error("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED")
            return document
        if document is not None and digest is not None and sha256(document) != digest:
            raise _error("provided sha does not match query", "PERSISTED_QUERY_HASH_MISMATCH")
        if document is None and digest is None:
            return None
        if self.mode == "allowlist":
            found = self.allowed.get(digest or sha256(document or ""))
            if found is None:
                raise _error(
                    "this server runs only its registered operations",
                    "PERSISTED_QUERY_NOT_ALLOWED",
                )
            return found
        if digest is None:
            return document
        if document is not None:
            await self.store.put(digest, document)
            return document
        found = await self.store.get(digest)
        if found is None:
            raise _error("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
        return found


def _digest(asked: object) -> str:
    if not isinstance(asked, dict) or asked.get("version") != 1:
        raise _error("persistedQuery must be {version: 1, sha256Hash}", "BAD_PERSISTED_QUERY")
    digest = asked.get("sha256Hash")
    if not isinstance(digest, str) or not _HEX.fullmatch(digest):
        raise _error("sha256Hash must be 64 lower-case hex digits", "BAD_PERSISTED_QUERY")
    return digest


class PersistedQueryExtension(SchemaExtension):
    """Puts the persisted document in place before parsing (HTTP GET and POST)."""

    def __init__(self, operations: PersistedOperations) -> None:
        self.operations = operations

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context
        context.query = await self.operations.resolve(context.query, context.operation_extensions)
        yield
