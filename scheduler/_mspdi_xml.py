"""XML helpers of the MSPDI reader: namespace-blind element access and Project's value formats."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, time

__all__ = [
    "MspdiFormatError", "MspdiWarning", "child", "children", "clock", "iso_minutes",
    "parse_datetime", "text",
]  # fmt: skip


class MspdiFormatError(ValueError):
    """The file is not a readable Microsoft Project XML (MSPDI) project."""


@dataclass(frozen=True, slots=True)
class MspdiWarning:
    """One lossy or skipped conversion.

    Attributes:
        subject: What it is about: ``task``, ``link``, ``calendar`` or ``project``.
        ref: The file's own reference: a task UID, ``pred->succ`` UIDs, a calendar name.
        message: What was approximated or dropped, and why.
    """

    subject: str
    ref: str
    message: str

    def __str__(self) -> str:
        return f"{self.subject} {self.ref}: {self.message}" if self.ref else self.message


# MSPDI puts every element in one default namespace; matching on the local name keeps the
# reader working for files written with or without it.


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def children(parent: ET.Element | None, name: str) -> list[ET.Element]:
    """Direct children of ``parent`` with local tag ``name``."""
    return [] if parent is None else [e for e in parent if local(e.tag) == name]


def child(parent: ET.Element | None, name: str) -> ET.Element | None:
    """The first direct child of ``parent`` with local tag ``name`` (None when absent)."""
    if parent is None:
        return None
    return next((e for e in parent if local(e.tag) == name), None)


def text(parent: ET.Element | None, name: str) -> str | None:
    found = child(parent, name)
    return None if found is None or found.text is None else found.text.strip()


def parse_datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def iso_minutes(value: str) -> float:
    """Minutes in an MSPDI ``PnDTnHnMnS`` duration (Project writes ``PT16H0M0S``)."""
    sign = -1 if value.startswith("-") else 1
    body = value.lstrip("-").removeprefix("P")
    days_part, _, clock = body.partition("T")
    total = float(days_part.rstrip("D") or 0) * 1440 if days_part else 0.0
    number = ""
    for ch in clock:
        if ch.isdigit() or ch == ".":
            number += ch
            continue
        factor = {"H": 60.0, "M": 1.0, "S": 1 / 60}.get(ch)
        if factor is None:
            raise MspdiFormatError(f"duration {value!r} is not ISO 8601")
        total += float(number or 0) * factor
        number = ""
    return sign * total


def clock(value: str | None, default: time) -> time:
    return time.fromisoformat(value) if value else default
