"""The deployment files parse and stay in step with the code: every setting they pass exists,
every long-running service is health-checked, probes hit real endpoints.

The chart is rendered and validated in tests/deploy/test_chart.py, compose.yml against the
Compose Specification in tests/deploy/test_compose.py; here both are checked against the code.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml

from app.asgi import create_app
from app.settings import SETTINGS_DOC, Settings

ROOT = Path(__file__).resolve().parent.parent
KNOWN = {doc.name for doc in SETTINGS_DOC}
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
APP_SERVICES = {"migrate", "api", "worker", "relay", "beat"}


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def _routes(settings: Settings) -> set[str]:
    app = create_app(settings, "postgresql://unused@127.0.0.1:1/unused")
    return {getattr(route, "path", "") for route in app.routes}


def test_compose_services_settings_and_healthchecks() -> None:
    compose = _load(ROOT / "compose.yml")
    services = compose["services"]
    assert set(services) == {"postgres", "valkey", *APP_SERVICES}
    for name in APP_SERVICES:
        service = services[name]
        assert set(service["environment"]) <= KNOWN, name  # only real settings
        assert service["image"] == f"trueppm:{VERSION}"  # the image of this release
        assert service["command"][0] in ("trueppm", "sh"), name
        if name != "migrate":  # the one-shot job needs none
            assert service["healthcheck"]["test"], name
            needs = service["depends_on"]
            assert needs["migrate"] == {"condition": "service_completed_successfully"}
    assert services["api"]["deploy"]["replicas"] >= 2
    assert "/readyz" in " ".join(services["api"]["healthcheck"]["test"])
    for backing in ("postgres", "valkey"):
        assert services[backing]["healthcheck"]["test"]


def test_chart_values_use_real_settings_and_probe_real_endpoints(settings: Settings) -> None:
    chart = _load(ROOT / "chart" / "Chart.yaml")
    assert (chart["apiVersion"], chart["name"]) == ("v2", "trueppm")
    values = _load(ROOT / "chart" / "values.yaml")
    assert set(values["config"]) <= KNOWN
    assert values["api"]["autoscaling"]["enabled"] is False  # HPA is opt-in
    templates = {p.name: p.read_text() for p in (ROOT / "chart" / "templates").iterdir()}
    api = templates["api.yaml"]
    routes = _routes(settings)
    for path in ("/healthz", "/readyz"):
        assert f"path: {path}" in api
        assert path in routes
    for process in ("worker", "relay", "beat"):
        assert f'"trueppm" "{process}"' in templates[f"{process}.yaml"]
