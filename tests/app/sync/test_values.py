"""Wire conversion of pushed values: exact types, every problem named by its path."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import pytest

from app.errors import FieldProblem
from app.sync.values import from_wire, to_wire


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("2026-02-03", dt.date, dt.date(2026, 2, 3)),
        (
            "7f0e0d2a-3c1b-4d5e-8f90-0a1b2c3d4e5f",
            uuid.UUID,
            uuid.UUID("7f0e0d2a-3c1b-4d5e-8f90-0a1b2c3d4e5f"),
        ),
        (3, int, 3),
        (3.0, int, 3),
        (2, float, 2.0),
        (True, bool, True),
        (12.5, decimal.Decimal, decimal.Decimal("12.5")),
        (None, int, None),
    ],
)
def test_accepted_values(value: object, kind: type, expected: object) -> None:
    problems: list[FieldProblem] = []
    assert from_wire(value, kind, ("x",), problems) == expected
    assert problems == []


@pytest.mark.parametrize(
    ("value", "kind", "message"),
    [
        ("2026-13-01", dt.date, "an ISO date (YYYY-MM-DD)"),
        ("not-a-uuid", uuid.UUID, "a UUID string"),
        (True, int, "an integer"),
        (2.5, int, "an integer"),
        ("3", int, "an integer"),
        (1, bool, "a boolean"),
        (False, float, "a number"),
        (5, str, "a string"),
        ("1.5", decimal.Decimal, "a number"),
    ],
)
def test_refused_values_name_the_path(value: object, kind: type, message: str) -> None:
    problems: list[FieldProblem] = []
    assert (
        from_wire(value, kind, ("changes", "tasks", "created", "0", "duration"), problems) is None
    )
    assert problems == [
        FieldProblem(("changes", "tasks", "created", "0", "duration"), f"expected {message}")
    ]


def test_to_wire() -> None:
    assert to_wire(dt.date(2026, 1, 5)) == "2026-01-05"
    assert to_wire(decimal.Decimal("10.25")) == 10.25
    assert to_wire(uuid.UUID(int=1)) == "00000000-0000-0000-0000-000000000001"
