"""compose.yml against the Compose Specification's JSON schema (vendored in compose-spec/), and
the defaults a careful operator expects: ports on 127.0.0.1, no default passwords, pinned images,
a health check on every long-running service, Valkey behind a password."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
# The schema names draft 07 by an id jsonschema does not list, so the validator is chosen here.
SCHEMA = jsonschema.Draft7Validator(
    json.loads((Path(__file__).parent / "compose-spec" / "compose-spec.json").read_text())
)
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "compose.yml").read_text())
REQUIRED = {"SECRET_KEY", "POSTGRES_PASSWORD", "VALKEY_PASSWORD"}
_VARIABLE = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
)


class Missing(Exception):
    pass


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR:?error}` and `$$` (enough for our file)."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        value = env.get(name)
        if op in (":?", "?") and not value:
            raise Missing(f"{name}: {arg}")
        if op in (":-", "-") and not value:
            return arg
        return value or ""

    return _VARIABLE.sub(one, text)


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def test_compose_file_is_valid_against_the_specification() -> None:
    SCHEMA.validate(COMPOSE)
    broken = {**COMPOSE, "services": {"api": {"image": "x", "ports": [{"published": []}]}}}
    with pytest.raises(jsonschema.ValidationError):
        SCHEMA.validate(broken)  # the schema really checks


def test_no_default_passwords() -> None:
    for text in _strings(COMPOSE):
        for match in _VARIABLE.finditer(text):
            name = match.group("name") or ""
            if "PASSWORD" in name or "SECRET" in name:
                assert match.group("op") == ":?", f"{name} has a default in {text!r}"
    missing = set()
    for text in _strings(COMPOSE):
        try:
            interpolate(text, {})
        except Missing as exc:
            missing.add(str(exc).split(":")[0])
    assert missing == REQUIRED
    env = {name: f"s3cret-{name.lower()}" for name in REQUIRED}
    api = COMPOSE["services"]["api"]["environment"]
    assert interpolate(api["VALKEY_URL"], env) == "redis://:s3cret-valkey_password@valkey:6379/0"
    assert "s3cret-postgres_password@postgres" in interpolate(api["DATABASE_URL"], env)


def test_published_ports_bind_to_loopback_unless_configured() -> None:
    published = [
        (name, port)
        for name, service in COMPOSE["services"].items()
        for port in service.get("ports", [])
    ]
    assert [name for name, _ in published] == ["api"]
    for _, port in published:
        assert interpolate(port, {}) == "127.0.0.1:8000-8001:8000"
        assert interpolate(port, {"TRUEPPM_BIND": "0.0.0.0"}).startswith("0.0.0.0:")


def test_images_are_pinned() -> None:
    for name, service in COMPOSE["services"].items():
        repository, _, tag = service["image"].rpartition(":")
        assert repository, name
        assert re.fullmatch(r"\d+\.\d+(\.\d+)?", tag), f"{name}: {service['image']}"


def test_every_long_running_service_is_health_checked() -> None:
    for name, service in COMPOSE["services"].items():
        check = service["healthcheck"]
        if name == "migrate":  # a one-shot job: the others wait for it to complete instead
            assert check == {"disable": True}
            continue
        assert check["test"], name
        assert service["restart"] == "unless-stopped", name


def test_valkey_requires_its_password() -> None:
    valkey = COMPOSE["services"]["valkey"]
    command = interpolate(" ".join(valkey["command"]), {"VALKEY_PASSWORD": "pw"})
    assert '--requirepass "$VALKEY_PASSWORD"' in command
    assert "-a" in " ".join(valkey["healthcheck"]["test"])


def test_application_containers_are_locked_down() -> None:
    for name in ("migrate", "api", "worker", "relay", "beat"):
        service = COMPOSE["services"][name]
        assert service["read_only"] is True, name
        assert service["tmpfs"] == ["/tmp"], name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
