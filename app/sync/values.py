"""Wire values of synced records: Python → JSON for pulls, JSON → Python for pushes."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from sqlalchemy import Column

from app.errors import FieldProblem


def to_wire(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):  # money: a JSON number, exact to its scale
        return float(value)
    return value


def python_type(column: Column[Any]) -> type:
    try:
        return column.type.python_type
    except NotImplementedError:  # user-defined types (ltree) travel as text
        return str


def from_wire(value: Any, kind: type, path: tuple[str, ...], problems: list[FieldProblem]) -> Any:
    """Convert one JSON value to `kind`; append a problem (and return None) when it cannot."""
    if value is None:
        return None
    try:
        if kind is uuid.UUID and isinstance(value, str):
            return uuid.UUID(value)
        if kind is dt.date and isinstance(value, str):
            return dt.date.fromisoformat(value)
        if kind is bool and isinstance(value, bool):
            return value
        if kind is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind is int and isinstance(value, float) and value.is_integer():
            return int(value)
        if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if kind is str and isinstance(value, str):
            return value
        if (
            kind is decimal.Decimal
            and isinstance(value, int | float)
            and not isinstance(value, bool)
        ):
            return decimal.Decimal(str(value))
    except (ValueError, decimal.InvalidOperation):
        pass
    problems.append(FieldProblem(path, f"expected {_NAMES.get(kind, kind.__name__)}"))
    return None


_NAMES = {
    uuid.UUID: "a UUID string",
    dt.date: "an ISO date (YYYY-MM-DD)",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    decimal.Decimal: "a number",
}
