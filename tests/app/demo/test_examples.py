"""Every example operation the demo prints (docs/examples/) runs as printed against the demo
data: logged in as the demo user, with the printed variables, without errors, and answering
what its title promises (a slip against the baseline, a finished forecast)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from app.demo.examples import FOLDER, demo_values, examples, variables_of
from app.demo.loader import DemoResult, load_demo
from app.demo.text import instructions
from app.forecasts.dispatch import InProcessForecasts
from app.forecasts.service import SUBMIT_KEY
from app.state import AppState
from tests.conftest import GraphQLClient

ROOT = Path(__file__).resolve().parents[3]
LOGIN = """mutation($e: String!, $p: String!) { login(email: $e, password: $p) {
  ... on AuthPayload { accessToken } } }"""


@pytest.fixture
async def demo(db: AppState) -> AsyncIterator[tuple[DemoResult, InProcessForecasts]]:
    forecasts = InProcessForecasts(db)
    db.uow_context[SUBMIT_KEY] = forecasts.submit
    try:
        yield await load_demo(db), forecasts
    finally:
        db.uow_context.pop(SUBMIT_KEY)
        await forecasts.stop()


def test_the_examples_are_in_the_docs_too() -> None:
    assert (ROOT / "docs" / "examples").resolve() == FOLDER
    names = [example.name for example in examples()]
    assert names == sorted(names)
    assert len(names) == 9
    assert {"05-baseline-comparison", "08-run-forecast", "09-forecast"} <= set(names)


async def test_every_printed_example_runs_against_the_demo(
    demo: tuple[DemoResult, InProcessForecasts], gql: GraphQLClient, tmp_path: Path
) -> None:
    result, forecasts = demo
    assert result.password is not None
    printed = instructions(result, "http://127.0.0.1:8000/graphql", tmp_path / "pw")
    login = await gql(LOGIN, {"e": result.email, "p": result.password})
    token = login["data"]["login"]["accessToken"]
    values = demo_values(result)
    answers: dict[str, dict[str, Any]] = {}
    for example in examples():
        variables = variables_of(example, values)
        # What the demo printed for it: the document, its variables, a link carrying both.
        block = printed.split(f"## {example.name}\n", 1)[1]
        assert block.startswith(example.document.rstrip())
        shown = re.search(r"^variables: (.*)$", block, re.M)
        assert shown is not None
        assert json.loads(shown.group(1)) == variables
        link = re.search(r"^open: (.*)$", block, re.M)
        assert link is not None
        query = parse_qs(urlsplit(link.group(1)).query)
        assert query["q"] == [example.document]
        assert json.loads(query["variables"][0]) == variables
        if example.name == "09-forecast":
            await forecasts.wait_idle()  # the run 08 started
        body = await gql(example.document, variables, token=token)
        assert "errors" not in body, (example.name, body)
        answers[example.name] = body["data"]

    schedule = answers["01-program-schedule"]["programSchedule"]
    assert schedule["finish"] == max(p["finish"] for p in schedule["projects"])
    assert schedule["criticalPath"]
    assert answers["02-tasks"]["tasks"]["nodes"][0]["outlineNumber"] == "1"
    assert answers["04-sprints"]["sprints"]["nodes"]
    comparison = answers["05-baseline-comparison"]["baselineComparison"]
    assert comparison["baseline"] == {
        "name": "Approved plan",
        "isActive": True,
        "projectFinish": comparison["summary"]["baselineFinish"],
    }
    assert comparison["summary"]["finishVariance"] > 0
    piling = next(t for t in comparison["tasks"] if t["name"] == "Piling")
    assert piling["durationVariance"] == 7  # 15 → 22 days
    run = answers["08-run-forecast"]["runForecast"]
    assert run["__typename"] == "ForecastPayload"
    assert (run["forecast"]["iterations"], run["forecast"]["seed"]) == (10000, 1)
    forecast = answers["09-forecast"]["latestForecast"]
    assert (forecast["state"], forecast["iterations"], forecast["seed"]) == ("DONE", 10000, 1)
    assert forecast["p50"] <= forecast["p80"] <= forecast["p95"]
    by_percentile = {p["percentile"]: p["finish"] for p in forecast["percentiles"]}
    assert (by_percentile[50.0], by_percentile[80.0], by_percentile[95.0]) == (
        forecast["p50"],
        forecast["p80"],
        forecast["p95"],
    )
