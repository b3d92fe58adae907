"""The three services verify tokens of a real OpenID Connect provider through their JWKS
setting: one from the provider's sign-in is accepted; a tampered one, one from another issuer
and an expired one are refused with a 401 problem."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from samling_devtools.oidc import OidcServer
from samling_devtools.oidc.flow import sign_in
from samling_devtools.testing import running
from samling_events.main import create as create_events
from samling_events.settings import EventsSettings
from samling_network.main import create as create_network
from samling_network.settings import NetworkSettings
from samling_notifications.main import create as create_notifications
from samling_notifications.settings import NotificationsSettings
from samling_runtime.settings import ServiceSettings

pytestmark = pytest.mark.integration

# One authenticated read per service that any signed-in coordinator may make.
SERVICES: list[tuple[Callable[..., Any], type[ServiceSettings], str]] = [
    (create_network, NetworkSettings, "/networks"),
    (create_events, EventsSettings, "/events"),
    (create_notifications, NotificationsSettings, "/inbox/unread-count"),
]


def _tampered(token: str) -> str:
    """The same signature over claims that say the bearer coordinates another region."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["region"] = "rkk-elsewhere"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _signed(provider: OidcServer, **changes: Any) -> str:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": provider.issuer,
        "aud": "samling",
        "sub": "u-koordinator",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "roles": ["coordinator"],
        "region": "rkk-salten",
    }
    return provider.provider.sign({**claims, **changes})


@pytest.mark.parametrize(("create", "settings_class", "path"), SERVICES)
async def test_a_service_accepts_the_providers_tokens_and_refuses_forged_ones(
    create: Callable[..., Any],
    settings_class: type[ServiceSettings],
    path: str,
    oidc_provider: OidcServer,
    settings_for: Callable[..., Any],
) -> None:
    settings = settings_for(
        settings_class, jwt_jwks_url=oidc_provider.jwks_url, jwt_issuer=oidc_provider.issuer
    )
    signed_in = sign_in(oidc_provider.issuer, "koordinator")["access_token"]
    now = datetime.now(UTC)
    refused = {
        "tampered": _tampered(signed_in),
        "another issuer": _signed(oidc_provider, iss="http://127.0.0.1:1/other"),
        "expired": _signed(
            oidc_provider, iat=now - timedelta(hours=2), exp=now - timedelta(hours=1)
        ),
        "another audience": _signed(oidc_provider, aud="someone-else"),
    }
    async with running(create(settings)) as service:
        accepted = await service.client.get(path, headers={"Authorization": f"Bearer {signed_in}"})
        assert accepted.status_code == 200, accepted.text
        for why, token in refused.items():
            answer = await service.client.get(path, headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 401, (why, answer.text)
            assert answer.headers["content-type"] == "application/problem+json", why
            assert answer.json()["status"] == 401, why
            assert "invalid_token" in answer.headers["www-authenticate"], why
