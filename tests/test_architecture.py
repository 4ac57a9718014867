"""The dependency rule: graph → app → scheduler and jobs → app → scheduler.

`scheduler` imports only the standard library, numpy and networkx (and OR-Tools, the optional
`trueppm[cpsat]`, inside the exact solver's function only); `app` never imports
`graph` or `jobs` (it reaches them by dotted path); `graph` and `jobs` never import each other.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "app": {"graph", "jobs"},
    "graph": {"jobs"},
    "jobs": {"graph"},
}
SCHEDULER_ALLOWED = set(sys.stdlib_module_names) | {"numpy", "networkx", "scheduler"}


def _imports(package: str) -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found += [(str(path.relative_to(ROOT)), name.split(".")[0]) for name in names]
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_do_not_import_upwards(package: str) -> None:
    bad = [(f, m) for f, m in _imports(package) if m in FORBIDDEN[package]]
    assert bad == []


def test_scheduler_imports_only_stdlib_numpy_networkx() -> None:
    optional = {("scheduler/_cpsat.py", "ortools")}
    bad = [
        (f, m)
        for f, m in _imports("scheduler")
        if m not in SCHEDULER_ALLOWED and (f, m) not in optional
    ]
    assert bad == []
    # The optional import sits in a function: importing the engine never needs it.
    tree = ast.parse((ROOT / "scheduler" / "_cpsat.py").read_text())
    top = [
        node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    assert not [m for m in top if m and m.startswith("ortools")]


def test_relationships_never_lazy_load() -> None:
    """Lazy loading in async code is an N+1 waiting to happen: every relationship, if any is
    ever declared, must use `lazy="raise"` and be loaded explicitly."""
    from app.models import Base

    lazy = [
        f"{mapper.class_.__name__}.{rel.key}={rel.lazy}"
        for mapper in Base.registry.mappers
        for rel in mapper.relationships
        if rel.lazy != "raise"
    ]
    assert lazy == []


def test_entry_modules_import_first_in_a_fresh_interpreter() -> None:
    """An import cycle only bites the process that loads the wrong module first: an RQ worker
    loads its job module first, `python -m` its module. The suite's own process has loaded
    everything already, so each entry module is imported first in a child interpreter."""
    import subprocess

    entries = [
        *(f"jobs.{p.stem}" for p in sorted((ROOT / "jobs").glob("*.py")) if p.stem != "__init__"),
        "app.cli", "app.asgi", "app.interchange.mpxj_convert", "graph.http", "graph.sdl",
        "scheduler",
    ]  # fmt: skip
    assert "jobs.interchange" in entries
    failing = {}
    for module in entries:
        done = subprocess.run(
            [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, cwd=ROOT
        )
        if done.returncode:
            failing[module] = done.stderr.strip().splitlines()[-1]
    assert not failing, failing
