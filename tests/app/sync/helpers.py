"""A small WatermelonDB-like client for the sync endpoint, used by the sync tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from app.auth.tokens import issue_access_token
from app.settings import Settings


@dataclass
class SyncClient:
    http: httpx.AsyncClient
    settings: Settings
    user_id: uuid.UUID
    project_id: uuid.UUID
    # The local database: table -> id -> record.
    local: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    last_pulled_at: int = 0

    @property
    def url(self) -> str:
        return f"/api/v1/projects/{self.project_id}/sync/"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_access_token(self.settings, self.user_id)}"}

    async def get(self, **params: Any) -> httpx.Response:
        return await self.http.get(self.url, params=params, headers=self.headers())

    async def post(self, body: dict[str, Any]) -> httpx.Response:
        return await self.http.post(self.url, json=body, headers=self.headers())

    async def pull(self, page_size: int | None = None) -> list[dict[str, Any]]:
        """Pull every page and apply it locally; returns the page bodies."""
        params: dict[str, Any] = {"last_pulled_at": self.last_pulled_at}
        if page_size:
            params["page_size"] = page_size
        pages = []
        while True:
            response = await self.get(**params)
            assert response.status_code == 200, response.text
            body = response.json()
            pages.append(body)
            self.apply(body["changes"])
            if not body["has_more"]:
                self.last_pulled_at = body["timestamp"]
                return pages
            params = {"cursor": body["next_cursor"]}
            if page_size:
                params["page_size"] = page_size

    def apply(self, changes: dict[str, Any]) -> None:
        for table, body in changes.items():
            rows = self.local.setdefault(table, {})
            for record in body["created"] + body["updated"]:
                rows[record["id"]] = record
            for row_id in body["deleted"]:
                rows.pop(row_id, None)

    async def push(
        self, changes: dict[str, Any], batch: str | None = None, last: int | None = None
    ) -> httpx.Response:
        body: dict[str, Any] = {
            "changes": changes,
            "lastPulledAt": self.last_pulled_at if last is None else last,
        }
        if batch is not None:
            body["client_batch_id"] = batch
        return await self.post(body)


def task_record(task_id: uuid.UUID, name: str, **values: Any) -> dict[str, Any]:
    return {"id": str(task_id), "name": name, **values}


def changes(table: str, created=(), updated=(), deleted=()) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {table: {"created": list(created), "updated": list(updated), "deleted": list(deleted)}}
