"""What `trueppm demo` prints: how to log in, then each example operation (docs/examples/)
with the variables that make it run against this demo database, and a GraphiQL link that
opens it with them filled in."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from app.demo.examples import demo_values, examples, variables_of
from app.demo.loader import DemoResult


def instructions(result: DemoResult, url: str, password_file: Path) -> str:
    lines = [
        f"Demo program {result.program_id}: {len(result.project_ids)} projects, "
        f"{result.tasks} tasks, {result.links} dependencies.",
        *(
            f"  {name}: finishes {finish.isoformat() if finish else 'not computed'}"
            for name, finish in result.finishes.items()
        ),
        "",
        f"Log in at {url} (GraphiQL) as {result.email}",
        (
            f"  password (shown once, also in {password_file}, mode 0600): {result.password}"
            if result.password
            else f"  password: see {password_file} (written when the demo was first loaded)"
        ),
        "",
        'mutation { login(email: "' + result.email + '", password: "<the password>") {',
        "  ... on AuthPayload { accessToken } ... on AuthenticationFailed { message } } }",
        "Then put the token in GraphiQL's Headers pane:",
        '  {"Authorization": "Bearer <accessToken>"}',
        "and run these (docs/examples/; paste the document, and the variables into the",
        "Variables pane, or open the link):",
    ]
    values = demo_values(result)
    for example in examples():
        variables = json.dumps(variables_of(example, values))
        link = f"{url}?{urlencode({'q': example.document, 'variables': variables})}"
        lines += ["", f"## {example.name}", example.document.rstrip(), f"variables: {variables}"]
        lines.append(f"open: {link}")
    return "\n".join(lines)
