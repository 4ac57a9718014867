"""The Helm chart, rendered by a real helm (tests/helm_binary.py) for each values file: lint
--strict, every object valid against the Kubernetes schemas (kubernetes-validate), and the
security fields a restricted cluster checks."""

from __future__ import annotations

import base64
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from app.settings import SETTINGS_DOC
from tests.helm_binary import fetch, installed
from tests.redis_service import IN_CI

ROOT = Path(__file__).resolve().parent.parent.parent
CHART = ROOT / "chart"
KUBERNETES = "1.33.0"
EXTERNAL = (
    "--set",
    "external.databaseUrl=postgresql://tp:pw@db.internal:5432/trueppm",
    "--set",
    "external.valkeyUrl=redis://:pw@cache.internal:6379/0",
)
RENDERS: dict[str, tuple[str, ...]] = {
    "default": (),
    "dev": ("-f", str(CHART / "values-dev.yaml")),
    "prod": ("-f", str(CHART / "values-prod.yaml"), *EXTERNAL),
    "prod-existing-secret": (
        "-f",
        str(CHART / "values-prod.yaml"),
        "--set",
        "external.existingSecret=trueppm-managed",
    ),
}
SECRET_NAMES = {"DATABASE_URL", "VALKEY_URL", "SECRET_KEY", "POSTGRES_PASSWORD", "VALKEY_PASSWORD"}
APP = {"api", "worker", "relay", "beat", "migrate"}


@cache
def helm() -> str:
    path = installed()
    if path is None:
        if IN_CI:  # `make test` fetched it; a missing one is a failure, never a skip
            pytest.fail("the pinned helm is missing: run `python -m tests.helm_binary`")
        path = fetch()
    return str(path)


def _helm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([helm(), *args], capture_output=True, text=True, timeout=120)


@cache
def render(name: str) -> tuple[dict[str, Any], ...]:
    done = _helm("template", "rel", str(CHART), "--namespace", "ppm", *RENDERS[name])
    assert done.returncode == 0, done.stderr
    return tuple(doc for doc in yaml.safe_load_all(done.stdout) if doc)


def _kinds(objects: tuple[dict[str, Any], ...]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        out.setdefault(obj["kind"], []).append(obj)
    return out


def _pods(objects: tuple[dict[str, Any], ...]) -> list[tuple[str, dict[str, Any]]]:
    """(component, pod spec) of every workload."""
    pods = []
    for obj in objects:
        if obj["kind"] in ("Deployment", "StatefulSet", "Job"):
            template = obj["spec"]["template"]
            pods.append(
                (template["metadata"]["labels"]["app.kubernetes.io/component"], template["spec"])
            )
    return pods


@pytest.mark.parametrize("name", sorted(RENDERS))
def test_lint_strict(name: str) -> None:
    done = _helm("lint", "--strict", str(CHART), *RENDERS[name])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 chart(s) failed" in done.stdout


@pytest.mark.parametrize("name", sorted(RENDERS))
def test_every_object_is_valid_kubernetes(name: str) -> None:
    objects = render(name)
    assert len(objects) >= 10
    for obj in objects:
        kubernetes_validate.validate(obj, KUBERNETES, strict=True)  # raises on any error


@pytest.mark.parametrize("name", sorted(RENDERS))
def test_pods_are_restricted(name: str) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    uid, gid = re.search(r"^USER (\d+):(\d+)$", dockerfile, re.M).groups()  # type: ignore[union-attr]
    pods = _pods(render(name))
    assert {component for component, _ in pods} >= APP
    for component, pod in pods:
        assert pod["automountServiceAccountToken"] is False, component
        context = pod["securityContext"]
        assert context["runAsNonRoot"] is True, component
        assert isinstance(context["runAsUser"], int), component
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}, component
        if component in APP:
            assert (context["runAsUser"], context["runAsGroup"]) == (int(uid), int(gid))
        volumes = {v["name"]: v for v in pod["volumes"]}
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, component
            assert security["capabilities"] == {"drop": ["ALL"]}, component
            assert security["readOnlyRootFilesystem"] is True, component
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert volumes[mounts["/tmp"]] == {"name": mounts["/tmp"], "emptyDir": {}}, component
            resources = container["resources"]
            assert resources["requests"]["cpu"], component
            assert resources["requests"]["memory"], component
            assert resources["limits"]["memory"], component


@pytest.mark.parametrize("name", sorted(RENDERS))
def test_credentials_only_by_secret_key_ref(name: str) -> None:
    objects = render(name)
    secrets = {
        obj["metadata"]["name"]: {k: base64.b64decode(v).decode() for k, v in obj["data"].items()}
        for obj in objects
        if obj["kind"] == "Secret"
    }
    generated = [v for data in secrets.values() for k, v in data.items() if k in SECRET_NAMES]
    for component, pod in _pods(objects):
        for container in pod["containers"]:
            for variable in container.get("env", []):
                if variable["name"] in SECRET_NAMES:
                    assert set(variable) == {"name", "valueFrom"}, (component, variable)
                    assert set(variable["valueFrom"]) == {"secretKeyRef"}
            assert "secretRef" not in str(container.get("envFrom", []))
    manifests = yaml.safe_dump_all([o for o in objects if o["kind"] != "Secret"])
    for value in generated:
        assert value not in manifests  # no password or URL is written into a workload


def test_the_connection_secret_is_generated_kept_and_consistent() -> None:
    objects = render("default")
    secrets = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Secret"}
    connection = secrets["rel-trueppm-connection"]
    assert connection["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    data = {k: base64.b64decode(v).decode() for k, v in connection["data"].items()}
    assert set(data) == SECRET_NAMES
    password, cache_password = data["POSTGRES_PASSWORD"], data["VALKEY_PASSWORD"]
    assert len(password) >= 32
    assert len(cache_password) >= 32
    assert len(data["SECRET_KEY"]) >= 32
    assert data["DATABASE_URL"] == (
        f"postgresql://trueppm:{password}@rel-trueppm-postgresql:5432/trueppm"
    )
    assert data["VALKEY_URL"] == f"redis://:{cache_password}@rel-trueppm-valkey:6379/0"
    hook = {
        k: base64.b64decode(v).decode() for k, v in secrets["rel-trueppm-migrate"]["data"].items()
    }
    assert hook == {"DATABASE_URL": data["DATABASE_URL"], "SECRET_KEY": data["SECRET_KEY"]}
    # Re-renders read the stored values back through `lookup` instead of generating anew.
    helpers = (CHART / "templates" / "_helpers.tpl").read_text()
    assert 'lookup "v1" "Secret" .Release.Namespace $name' in helpers
    # Every render of a fresh install generates new ones (never a fixed default password).
    again = {o["metadata"]["name"]: o for o in _fresh("default") if o["kind"] == "Secret"}
    assert (
        again["rel-trueppm-connection"]["data"]["POSTGRES_PASSWORD"]
        != connection["data"]["POSTGRES_PASSWORD"]
    )


def _fresh(name: str) -> tuple[dict[str, Any], ...]:
    render.cache_clear()
    return render(name)


def test_the_bundled_valkey_requires_its_password() -> None:
    valkey = next(
        o
        for o in render("default")
        if o["metadata"]["name"] == "rel-trueppm-valkey" and o["kind"] == "Deployment"
    )
    container = valkey["spec"]["template"]["spec"]["containers"][0]
    assert container["args"][-2:] == ["--requirepass", "$(VALKEY_PASSWORD)"]


def test_external_datastores_without_urls_fail_clearly() -> None:
    prod = ("-f", str(CHART / "values-prod.yaml"))
    done = _helm("template", "rel", str(CHART), *prod)
    assert done.returncode != 0
    assert "postgresql.enabled is false: set external.databaseUrl" in done.stderr
    done = _helm("template", "rel", str(CHART), *prod, "--set", EXTERNAL[1])
    assert "valkey.enabled is false: set external.valkeyUrl" in done.stderr
    done = _helm("template", "rel", str(CHART), "--set", "external.existingSecret=x")
    assert "set postgresql.enabled=false and valkey.enabled=false" in done.stderr


def test_existing_secret_is_referenced_and_nothing_is_generated() -> None:
    objects = render("prod-existing-secret")
    assert [o for o in objects if o["kind"] == "Secret"] == []
    for component, pod in _pods(objects):
        refs = {
            v["valueFrom"]["secretKeyRef"]["name"]
            for c in pod["containers"]
            for v in c.get("env", [])
            if "valueFrom" in v
        }
        assert refs == {"trueppm-managed"}, component


def test_prod_has_ingress_disruption_budget_and_network_policies() -> None:
    kinds = _kinds(render("prod"))
    assert "StatefulSet" not in kinds  # no bundled PostgreSQL
    ingress = kinds["Ingress"][0]
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"] == "3600"
    rule = ingress["spec"]["rules"][0]
    assert rule["host"] == "trueppm.example.com"
    assert rule["http"]["paths"][0]["backend"]["service"]["name"] == "rel-trueppm-api"
    assert kinds["PodDisruptionBudget"][0]["spec"]["minAvailable"] == 2
    assert [p["metadata"]["name"] for p in kinds["NetworkPolicy"]] == ["rel-trueppm-api"]
    hooks = {
        o["metadata"]["annotations"]["helm.sh/hook"]
        for o in render("prod")
        if o["kind"] in ("Job", "Secret") and "-migrate" in o["metadata"]["name"]
    }
    assert hooks == {"pre-install,pre-upgrade"}  # migrate before the pods, datastores exist


def test_bundled_datastores_are_reachable_only_from_trueppm_pods() -> None:
    done = _helm("template", "rel", str(CHART), "--set", "networkPolicy.enabled=true")
    assert done.returncode == 0, done.stderr
    policies = {
        d["metadata"]["name"]: d
        for d in yaml.safe_load_all(done.stdout)
        if d and d["kind"] == "NetworkPolicy"
    }
    assert set(policies) == {"rel-trueppm-postgresql", "rel-trueppm-valkey", "rel-trueppm-api"}
    rule = policies["rel-trueppm-postgresql"]["spec"]["ingress"][0]
    assert rule["ports"] == [{"protocol": "TCP", "port": 5432}]
    expressions = rule["from"][0]["podSelector"]["matchExpressions"]
    assert {"key": "app.kubernetes.io/component", "operator": "In", "values": sorted(APP)} in [
        {**e, "values": sorted(e["values"])} for e in expressions
    ]
    kinds = _kinds(render("default"))
    assert "NetworkPolicy" not in kinds  # opt-in
    jobs = kinds["Job"]
    assert jobs[0]["metadata"]["annotations"]["helm.sh/hook"] == "post-install,pre-upgrade"


def test_values_use_real_settings() -> None:
    known = {doc.name for doc in SETTINGS_DOC}
    for values in ("values.yaml", "values-dev.yaml", "values-prod.yaml"):
        config = yaml.safe_load((CHART / values).read_text()).get("config", {})
        assert set(config) <= known, values
    api = next(
        o
        for o in render("default")
        if o["kind"] == "Deployment" and o["metadata"]["name"] == "rel-trueppm-api"
    )
    env = {v["name"] for v in api["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env - SECRET_NAMES <= known
