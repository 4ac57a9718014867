"""`TRUEPPM_OIDC_PROVIDERS` and `TRUEPPM_PUBLIC_URL`: parsed once, refused with a message
naming what is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.settings import ConfigError, Settings


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"TRUEPPM_DATA_DIR": str(tmp_path), **env})


def test_providers_are_read_with_their_defaults_and_a_secret_file(tmp_path: Path) -> None:
    secret = tmp_path / "corp-secret"
    secret.write_text("from-a-file\n")
    providers = {
        "corp": {
            "issuer": "https://sso.example.com/realms/acme",
            "client_id": "trueppm",
            "client_secret_file": str(secret),
        },
        "partners": {
            "issuer": "http://127.0.0.1:9400",
            "client_id": "p",
            "client_secret": "q",
            "label": "Partners",
            "jit_domains": ["Partner.Example"],
            "email_verified_claim": "xms_edov",
            "scopes": ["openid", "email"],
        },
    }
    settings = _settings(
        tmp_path,
        TRUEPPM_OIDC_PROVIDERS=json.dumps(providers),
        TRUEPPM_PUBLIC_URL="https://ppm.example.com/",
    )
    corp, partners = settings.oidc_providers
    assert (corp.name, corp.label, corp.client_secret) == ("corp", "corp", "from-a-file")
    assert corp.scopes == ("openid", "email", "profile")
    assert corp.jit_domains == ()
    assert corp.email_verified_claim == "email_verified"
    assert "from-a-file" not in repr(corp)
    assert (partners.label, partners.client_secret) == ("Partners", "q")
    assert partners.jit_domains == ("partner.example",)
    assert partners.email_verified_claim == "xms_edov"
    assert settings.public_url == "https://ppm.example.com"
    assert _settings(tmp_path).oidc_providers == ()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{nope", "not JSON"),
        ("[]", "JSON object of providers"),
        ('{"Corp": {}}', "provider name 'Corp'"),
        ('{"corp": {"issuer": "http://sso.example.com", "client_id": "c"}}', "https://"),
        ('{"corp": {"issuer": "https://sso.example.com"}}', "client_id is required"),
        ('{"corp": {"issuer": "https://s.example", "client_id": "c"}}', "client_secret or"),
        ('{"corp": {"issuer": "https://s.example", "client_id": "c", "secret": "x"}}',
         "unknown keys secret"),
        ('{"corp": {"issuer": "https://s.example", "client_id": "c", "client_secret": "s", '
         '"scopes": ["openid"]}}', "must include openid and email"),
        ('{"corp": {"issuer": "https://s.example", "client_id": "c", "client_secret": "s", '
         '"jit_domains": "a.b"}}', "jit_domains must be a list"),
        ('{"corp": {"issuer": "https://s.example", "client_id": "c", '
         '"client_secret": "a", "client_secret_file": "/b"}}', "not both"),
        ('{"corp": {"issuer": "https://s.example", "client_id": "c", '
         '"client_secret_file": "/nonexistent/secret"}}', "No such file"),
    ],
)  # fmt: skip
def test_bad_provider_settings_stop_the_process_with_the_reason(
    tmp_path: Path, raw: str, message: str
) -> None:
    with pytest.raises(ConfigError, match="TRUEPPM_OIDC_PROVIDERS") as error:
        _settings(tmp_path, TRUEPPM_OIDC_PROVIDERS=raw)
    assert message in str(error.value)


def test_a_public_url_is_an_http_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="TRUEPPM_PUBLIC_URL must be an http"):
        _settings(tmp_path, TRUEPPM_PUBLIC_URL="ppm.example.com")
