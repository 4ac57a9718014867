"""Where persisted GraphQL documents are kept, by their sha256 (graph/persisted.py): this
process's bounded LRU, and Valkey when configured so that every API process knows them."""

from __future__ import annotations

import logging
from typing import Protocol

import valkey.asyncio as valkey
from valkey.exceptions import ValkeyError

from app.lru import Lru

log = logging.getLogger("trueppm.graphql")

KEY = "trueppm:apq:"
TTL_SECONDS = 30 * 24 * 3600


class DocumentStore(Protocol):
    async def get(self, digest: str) -> str | None: ...

    async def put(self, digest: str, document: str) -> None: ...

    async def close(self) -> None: ...


class MemoryDocuments:
    """Documents of this process, least recently used dropped past `maxsize`."""

    def __init__(self, maxsize: int = 5000) -> None:
        self.known: Lru[str, str] = Lru(maxsize)

    async def get(self, digest: str) -> str | None:
        return self.known.get(digest)

    async def put(self, digest: str, document: str) -> None:
        self.known.put(digest, document)

    async def close(self) -> None:
        return None


class ValkeyDocuments(MemoryDocuments):
    """Shared by every API process through Valkey, with this process's LRU in front. Valkey
    being down costs a round trip: the client is told the hash is unknown and sends the
    document, which is then served (and kept in the LRU) as usual."""

    def __init__(self, url: str, maxsize: int = 5000) -> None:
        super().__init__(maxsize)
        self.client = valkey.Valkey.from_url(url, socket_timeout=1, socket_connect_timeout=1)

    async def get(self, digest: str) -> str | None:
        found = await super().get(digest)
        if found is not None:
            return found
        try:
            raw = await self.client.get(KEY + digest)
        except (ValkeyError, OSError):
            log.warning("persisted query lookup failed (Valkey unreachable)")
            return None
        if raw is None:
            return None
        document = raw.decode() if isinstance(raw, bytes) else str(raw)
        await super().put(digest, document)
        return document

    async def put(self, digest: str, document: str) -> None:
        await super().put(digest, document)
        try:
            await self.client.set(KEY + digest, document, ex=TTL_SECONDS)
        except (ValkeyError, OSError):
            log.warning("persisted query not shared (Valkey unreachable)")

    async def close(self) -> None:
        await self.client.aclose()


def documents_for(valkey_url: str | None) -> DocumentStore:
    return ValkeyDocuments(valkey_url) if valkey_url else MemoryDocuments()
