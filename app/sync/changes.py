"""Parsing a pushed change set: shape, known tables and columns, typed values.

Everything here runs before the database is touched, so a malformed push is refused as a
whole with a 400 that names every unknown table and column (not just the first).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from app.errors import AppError, FieldProblem, ValidationFailed
from app.sync.registry import SyncedTable, by_name
from app.sync.values import from_wire, python_type

_VIRTUAL_TYPES: dict[str, type] = {"parent_id": uuid.UUID}


class BadChangeSet(AppError):
    """The push is malformed or names tables/columns the server does not sync."""

    code = "bad_request"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.details = details


@dataclass
class TableChanges:
    entry: SyncedTable
    created: list[tuple[uuid.UUID, dict[str, Any]]] = field(default_factory=list)
    updated: list[tuple[uuid.UUID, dict[str, Any]]] = field(default_factory=list)
    deleted: list[uuid.UUID] = field(default_factory=list)

    def ids(self) -> list[uuid.UUID]:
        return [i for i, _ in self.created] + [i for i, _ in self.updated] + self.deleted


def parse_changes(raw: Any, schema_version: int) -> list[TableChanges]:
    """The change set as typed values per table, in push-create order."""
    if not isinstance(raw, dict):
        raise BadChangeSet("changes must be an object keyed by table name")
    known = {n: t for n, t in by_name().items() if t.since_schema <= schema_version}
    unknown_tables = sorted(set(raw) - set(known))
    unknown_columns: dict[str, list[str]] = {}
    shape: list[str] = []
    for name, body in raw.items():
        if name in unknown_tables:
            continue
        if not isinstance(body, dict) or set(body) - {"created", "updated", "deleted"}:
            shape.append(f"{name}: expected an object with created, updated, deleted")
            continue
        for kind in ("created", "updated"):
            records = body.get(kind) or []
            if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
                shape.append(f"{name}.{kind}: expected a list of records")
                continue
            extra = {c for r in records for c in r if not c.startswith("_")}
            extra -= known[name].accepted
            if extra:
                unknown_columns.setdefault(name, []).extend(
                    sorted(extra - set(unknown_columns.get(name, [])))
                )
        deleted = body.get("deleted") or []
        if not isinstance(deleted, list) or not all(isinstance(d, str) for d in deleted):
            shape.append(f"{name}.deleted: expected a list of id strings")
    if unknown_tables or unknown_columns or shape:
        parts = []
        if unknown_tables:
            parts.append("unknown tables: " + ", ".join(unknown_tables))
        for table, columns in sorted(unknown_columns.items()):
            parts.append(f"unknown columns of {table}: " + ", ".join(sorted(columns)))
        parts.extend(shape)
        raise BadChangeSet(
            "; ".join(parts),
            unknown_tables=unknown_tables,
            unknown_columns={t: sorted(c) for t, c in unknown_columns.items()},
        )
    return _typed(raw, known)


def _typed(raw: dict[str, Any], known: dict[str, SyncedTable]) -> list[TableChanges]:
    problems: list[FieldProblem] = []
    result = []
    for name, entry in sorted(known.items(), key=lambda item: (item[1].order, item[0])):
        body = raw.get(name)
        if not body:
            continue
        changes = TableChanges(entry)
        if entry.key == "workspace_id" and any(
            body.get(k) for k in ("created", "updated", "deleted")
        ):
            problems.append(
                FieldProblem(
                    ("changes", name), "the workspace's resource pool is changed over GraphQL"
                )
            )
            continue
        for kind in ("created", "updated"):
            for index, record in enumerate(body.get(kind) or []):
                path = ("changes", name, kind, str(index))
                row_id = from_wire(record.get("id"), uuid.UUID, (*path, "id"), problems)
                values = _values(entry, record, path, problems)
                if row_id is not None:
                    getattr(changes, kind).append((row_id, values))
        for index, value in enumerate(body.get("deleted") or []):
            row_id = from_wire(value, uuid.UUID, ("changes", name, "deleted", str(index)), problems)
            if row_id is not None:
                changes.deleted.append(row_id)
        result.append(changes)
    seen: dict[uuid.UUID, str] = {}
    for changes in result:
        for row_id in changes.ids():
            if row_id in seen:
                problems.append(
                    FieldProblem(("changes", changes.entry.name), f"{row_id} appears twice")
                )
            seen[row_id] = changes.entry.name
    if problems:
        raise ValidationFailed(problems, "invalid records")
    return result


def _values(
    entry: SyncedTable, record: dict[str, Any], path: tuple[str, ...], problems: list[FieldProblem]
) -> dict[str, Any]:
    """Writable columns only: computed and server-managed ones are dropped (read-only)."""
    columns = entry.table.c
    values: dict[str, Any] = {}
    for name in entry.writable:
        if name not in record:
            continue
        if name in columns:
            values[name] = from_wire(
                record[name], python_type(columns[name]), (*path, name), problems
            )
        elif name in _VIRTUAL_TYPES:
            values[name] = from_wire(record[name], _VIRTUAL_TYPES[name], (*path, name), problems)
        else:
            values[name] = record[name]
    return values
