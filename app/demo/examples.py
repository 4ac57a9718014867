"""The demo's example operations (`app/demo/examples/*.graphql`, also `docs/examples/`): what
`trueppm demo` prints, with the variables that make each run against the demo data as printed.
tests/app/demo/test_examples.py runs every one of them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from app.demo.loader import DemoResult

FOLDER = Path(__file__).resolve().parent / "examples"
BUILDING = "Campus Building"
IT = "Campus IT and Move-in"
_VARIABLE = re.compile(r"\$(\w+)\s*:")


@dataclass(frozen=True)
class Example:
    name: str  # file name without .graphql
    title: str  # its first comment line
    document: str

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_VARIABLE.findall(self.document)))


def examples() -> list[Example]:
    out = []
    for path in sorted(FOLDER.glob("*.graphql")):
        document = path.read_text()
        first = document.splitlines()[0]
        out.append(Example(path.stem, first.removeprefix("#").strip(), document))
    return out


def demo_values(result: DemoResult) -> dict[str, str]:
    """Every variable an example may use, for this demo database."""
    return {
        "program": str(result.program_id),
        "building": str(result.project_ids[BUILDING]),
        "it": str(result.project_ids[IT]),
        "buildingBaseline": str(result.baseline_ids[BUILDING]),
    }


def variables_of(example: Example, values: dict[str, str]) -> dict[str, str]:
    return {name: values[name] for name in example.variables}
