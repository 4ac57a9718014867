"""Locate the shared reference data (``../shared/data`` from the repository root).

Outside CI a missing data folder skips the oracle tests (a laptop may not have it);
in CI (``CI=true``) it fails them, so the oracles can never silently stop running.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def require(subdir: str) -> Path:
    """The data subfolder, or skip (fail in CI) when it is missing."""
    path = DATA_DIR / subdir
    if not path.is_dir():
        message = f"reference data not found at {path}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def files(subdir: str, pattern: str) -> list[Path]:
    """Matching files for parametrization (empty when the folder is missing)."""
    path = DATA_DIR / subdir
    return sorted(path.glob(pattern)) if path.is_dir() else []
