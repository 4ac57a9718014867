"""The GraphiQL page and its files, without a browser: every script and style is ours, pinned
and hash-checked, licensed, and the page forbids fetching from anywhere else."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from app.ide import vendor
from app.ide.assets import LICENSES, PACKAGES, VENDOR, sri
from app.ide.page import CSP


def test_vendored_files_are_exactly_the_pinned_ones_with_their_licences() -> None:
    assert vendor.check() == []
    for package in PACKAGES:
        for file in package.files:
            assert sri((VENDOR / file.name).read_bytes()) == file.sri
        if package.licence_file is not None:
            assert "Permission is hereby granted" in (LICENSES / package.licence_name).read_text()


def test_a_changed_file_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    copy = tmp_path
    (copy / "LICENSES").mkdir()
    for path in VENDOR.rglob("*"):
        if path.is_file():
            (copy / path.relative_to(VENDOR)).write_bytes(path.read_bytes())
    (copy / "react.production.min.js").write_bytes(b"/* tampered */")
    (copy / "LICENSES" / "graphiql.LICENSE").unlink()
    monkeypatch.setattr(vendor, "VENDOR", copy)
    monkeypatch.setattr(vendor, "LICENSES", copy / "LICENSES")
    assert vendor.check() == [
        "react.production.min.js differs from react@18.2.0",
        "the licence of graphiql is missing",
    ]


async def test_the_page_loads_only_our_files(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP
    assert "connect-src 'self'" in CSP
    body = page.text
    assert "unpkg" not in body
    assert "https://" not in body
    assert "<script>" not in body
    sources = re.findall(r'(?:src|href)="([^"]+)"', body)
    assert len(sources) == 8
    for source in sources:
        assert source.startswith("/static/ide/"), source
        served = await client.get(source)
        assert served.status_code == 200, source
        if "/vendor/" in source:
            tag = next(t for t in re.findall(r"<[^>]+>", body) if source in t)
            assert f'integrity="{sri(served.content)}"' in tag
    assert "Bearer &lt;accessToken&gt;" in body  # the login-then-header flow on the first tab


async def test_a_graphql_get_is_not_the_page(client: httpx.AsyncClient) -> None:
    answer = await client.get("/graphql?query={__typename}", headers={"accept": "text/html"})
    assert answer.json() == {"data": {"__typename": "Query"}}  # a GET query, not the page
    plain = await client.get("/graphql", headers={"accept": "*/*"})
    assert plain.status_code == 400  # only a browser asking for HTML gets GraphiQL
