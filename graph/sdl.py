"""Print or write the GraphQL SDL: `python -m graph.sdl > schema.graphql`.

The committed `schema.graphql` is the public contract; a test fails when it drifts from the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.settings import Settings
from graph.schema import build_schema

SDL_PATH = Path(__file__).resolve().parent.parent / "schema.graphql"


def render() -> str:
    return build_schema(Settings.from_env({})).as_str() + "\n"


def main() -> int:
    if sys.argv[1:] == ["--write"]:
        SDL_PATH.write_text(render())
    else:
        sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
