"""The development OIDC provider's server, as `samling dev up` starts and stops it."""

from __future__ import annotations

import httpx
from samling_devtools.oidc import OidcServer
from samling_devtools.processes import free_port


def test_stopping_a_server_that_never_started_is_harmless() -> None:
    """`dev up` stops every server when an earlier one fails to start; that failure, not a
    second one from stopping the provider, is what the developer must see."""
    server = OidcServer(free_port())
    server.stop()
    assert not server._thread.is_alive()


def test_a_started_server_answers_and_stops() -> None:
    server = OidcServer(free_port())
    with server.running():
        discovery = httpx.get(f"{server.issuer}/.well-known/openid-configuration", timeout=5)
        assert discovery.json()["issuer"] == server.issuer
    assert not server._thread.is_alive()
