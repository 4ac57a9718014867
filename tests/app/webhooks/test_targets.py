"""The SSRF guard: which addresses a webhook may reach, by default and with an allow-list."""

from __future__ import annotations

import pytest

from app.settings import ConfigError, Settings
from app.webhooks.targets import UnsafeTarget, address_allowed, resolve, split_url

REFUSED = [
    "127.0.0.1",  # loopback
    "::1",
    "10.0.0.5",  # private
    "172.16.3.4",
    "192.168.1.1",
    "169.254.169.254",  # link-local: the cloud metadata service
    "fe80::1",
    "fd00:ec2::254",  # unique-local (AWS's IPv6 metadata address)
    "100.100.100.200",  # shared address space (Alibaba's metadata address)
    "0.0.0.0",
    "224.0.0.1",  # multicast
    "::ffff:127.0.0.1",  # loopback dressed as IPv6
    "240.0.0.1",  # reserved
]
ALLOWED = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"]


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused_by_default(address: str) -> None:
    assert address_allowed(address, ()) is False


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_allowed(address, ()) is True


def test_an_allowed_network_opens_only_itself() -> None:
    allow = ("10.0.5.0/24",)
    assert address_allowed("10.0.5.9", allow) is True
    assert address_allowed("10.0.6.9", allow) is False
    assert address_allowed("169.254.169.254", allow) is False


async def test_resolution_is_checked_and_the_connection_pinned_to_the_checked_address() -> None:
    with pytest.raises(
        UnsafeTarget, match=r"localhost resolves to (127\.0\.0\.1|::1), which is not a"
    ):
        await resolve("http://localhost:8080/x", ())
    target = await resolve("http://localhost:8080/x?a=1", ("127.0.0.0/8", "::1/128"))
    assert target.address in {"127.0.0.1", "::1"}
    assert target.request_url in {"http://127.0.0.1:8080/x?a=1", "http://[::1]:8080/x?a=1"}
    assert target.host_header == "localhost:8080"  # the Host header keeps the name
    literal = await resolve("https://93.184.216.34/hook", ())
    assert (literal.request_url, literal.host_header) == (
        "https://93.184.216.34:443/hook",
        "93.184.216.34",
    )
    with pytest.raises(UnsafeTarget, match=r"cannot resolve no-such-host\.invalid"):
        await resolve("https://no-such-host.invalid/", ())


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://example.com/a#frag", "must not have a #fragment"),
        ("https:///path", "has no host"),
        ("javascript:alert(1)", "must start with https://"),
        ("https://example.com:99999/", "not a valid URL"),
        ("https://example.com/" + "a" * 2000, "longer than 2000"),
    ],
)
def test_malformed_urls_say_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(UnsafeTarget, match=message):
        split_url(url)


def test_the_allow_list_setting_is_validated() -> None:
    parsed = Settings.from_env({"TRUEPPM_WEBHOOK_ALLOW_NETWORKS": "10.0.0.0/8, ::1, 127.0.0.1"})
    assert parsed.webhook_allow_networks == ("10.0.0.0/8", "::1/128", "127.0.0.1/32")
    assert Settings.from_env({}).webhook_allow_networks == ()
    with pytest.raises(ConfigError, match="TRUEPPM_WEBHOOK_ALLOW_NETWORKS: 'intranet'"):
        Settings.from_env({"TRUEPPM_WEBHOOK_ALLOW_NETWORKS": "intranet"})
