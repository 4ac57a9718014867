"""The committed SDL is the contract: it must match the code exactly."""

from __future__ import annotations

from graph.sdl import SDL_PATH, render


def test_committed_schema_matches_code() -> None:
    assert SDL_PATH.read_text() == render(), (
        "schema.graphql is out of date: run `.venv/bin/python -m graph.sdl --write` and commit it"
    )
