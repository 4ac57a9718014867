"""Per-request DataLoader: task id -> its live labels (one query per batch)."""

from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader

from app.labels.service import labels_of_tasks
from app.models import Label
from graph.context import Info


def task_labels(info: Info) -> DataLoader[uuid.UUID, list[Label]]:
    cache = info.context.loaders
    if "labels.of_task" not in cache:
        context = info.context

        async def load(keys: list[uuid.UUID]) -> list[list[Label]]:
            async with context.session() as session:
                found = await labels_of_tasks(session, keys)
            return [found[key] for key in keys]

        cache["labels.of_task"] = DataLoader(load_fn=load)
    loader: DataLoader[uuid.UUID, list[Label]] = cache["labels.of_task"]
    return loader
