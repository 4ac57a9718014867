"""Configuration: defaults, parsing, and errors that name the variable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.settings import SETTINGS_DOC, ConfigError, Settings

README = Path(__file__).resolve().parents[3] / "README.md"


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.database_url is None
    assert settings.valkey_url is None
    assert settings.port == 8000
    assert settings.pg_data == Path(".trueppm/pg")
    assert settings.access_token_ttl == 900
    assert settings.open_registration is False
    assert "http://localhost:5173" in settings.allowed_origins


def test_values_are_parsed() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://u:p@db:5432/x",
            "ALLOWED_ORIGINS": "https://a.example, https://b.example",
            "TRUEPPM_PORT": "9000",
            "TRUEPPM_OPEN_REGISTRATION": "yes",
            "TRUEPPM_DATA_DIR": "/var/lib/trueppm",
        }
    )
    assert settings.allowed_origins == ("https://a.example", "https://b.example")
    assert settings.port == 9000
    assert settings.open_registration is True
    assert settings.pg_data == Path("/var/lib/trueppm/pg")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is set but empty"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 32"),
        ({"TRUEPPM_PORT": "eighty"}, "TRUEPPM_PORT must be an integer, got 'eighty'"),
        ({"TRUEPPM_PORT": "0"}, "TRUEPPM_PORT must be >= 1"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL must be a postgresql:// URL"),
        ({"DATABASE_URL": "  "}, "DATABASE_URL is set but empty"),
        ({"VALKEY_URL": "http://x"}, "VALKEY_URL must be a redis://, rediss:// or unix:// URL"),
        ({"TRUEPPM_OPEN_REGISTRATION": "maybe"}, "TRUEPPM_OPEN_REGISTRATION must be true or false"),
        ({"TRUEPPM_LOG_LEVEL": "LOUD"}, "TRUEPPM_LOG_LEVEL must be one of"),
        (
            {"TRUEPPM_PAGE_SIZE_DEFAULT": "500"},
            "TRUEPPM_PAGE_SIZE_DEFAULT must not exceed TRUEPPM_PAGE_SIZE_MAX",
        ),
    ],
)
def test_invalid_values_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        Settings.from_env(env)


def test_generated_secret_is_private_and_stable(tmp_path: Path) -> None:
    settings = Settings.from_env({"TRUEPPM_DATA_DIR": str(tmp_path)})
    key = settings.signing_key()
    assert len(key) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert Settings.from_env({"TRUEPPM_DATA_DIR": str(tmp_path)}).signing_key() == key


def test_readme_documents_every_setting() -> None:
    readme = README.read_text()
    missing = [doc.name for doc in SETTINGS_DOC if f"`{doc.name}`" not in readme]
    assert missing == []
