"""What `trueppm demo` prints: how to log in and a few queries to try in GraphiQL."""

from __future__ import annotations

from pathlib import Path

from app.demo.loader import DemoResult


def instructions(result: DemoResult, url: str, password_file: Path) -> str:
    building, it = (str(i) for i in list(result.project_ids.values())[:2])
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
        'mutation { login(email: "' + result.email + '", password: "…") {',
        "  ... on AuthPayload { accessToken } } }",
        "Then set the header  Authorization: Bearer <accessToken>  and try:",
        "",
        f'query {{ programSchedule(programId: "{result.program_id}") {{ finish',
        "  projects { name finish taskCount }",
        "  criticalPath { name projectId earlyStart earlyFinish } } }",
        "",
        f'query {{ tasks(projectId: "{building}", first: 20) {{ nodes {{ outlineNumber name',
        "  kind duration earlyStart earlyFinish totalFloat isCritical } } }",
        "",
        f'query {{ dependencies(projectId: "{it}", first: 50) {{ nodes {{ predecessorId',
        "  successorId type lag } } }",
        "",
        f'query {{ sprints(projectId: "{it}") {{ nodes {{ name goal state startDate endDate',
        "  committedPoints } } }",
        "",
        f'query {{ baselines(projectId: "{building}") {{ id name isActive projectFinish }} }}',
        "then baselineComparison(projectId: ..., baselineId: <the id>) shows the slip of Piling.",
        "",
        f'query {{ board(projectId: "{it}") {{ lanes {{ column {{ name category }} cardCount',
        "  cards { name earlyFinish isCritical } } } }",
        "",
        f'query {{ risks(projectId: "{building}") {{ nodes {{ title probability impactDays',
        "  status } } }",
        "",
        f'mutation {{ runForecast(projectId: "{building}", iterations: 10000, seed: 1) {{',
        "  ... on ForecastPayload { forecast { id state } } } }",
        "then latestForecast(projectId: ...) { percentiles { percentile finish } } once DONE"
        " (open risks are part of it).",
    ]
    return "\n".join(lines)
