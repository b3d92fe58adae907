"""A signed-in Samling for the workspace pages' tests: the network and events services trusting
the development OpenID Connect provider's keys only, and the web app on a real port (a stream
of server-sent events needs a real server; httpx's ASGI transport waits for the whole body)
reading the registration facts from the session's Kafka. People sign in through the web app's
own sign-in and the provider's form, as a browser does.

Seeded: Bodø and Fauske (mail at example.no, so public registrations need no approval) in a
network of the region, an event that starts within the hour (check-in is open) and one in ten
days."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from samling_devtools.infra import Stack, free_port
from samling_devtools.oidc import DEMO_CLIENTS, OidcServer
from samling_devtools.oidc.flow import client_token
from samling_devtools.testing import (
    RunningService,
    call,
    eventually,
    running,
    unique,
)
from samling_events.main import create as create_events
from samling_network.main import create as create_network
from samling_network.settings import NetworkSettings
from samling_runtime.clock import Clock
from samling_web.main import create as create_web
from samling_web.settings import WebSettings

from services.web.tests.browser.test_browser import serving
from services.web.tests.conftest import (
    REGION,
    fresh_events_settings,
    municipalities_and_a_network,
    register_on_form,
    settings,
)
from services.web.tests.signing_in import SignsIn, authorization, provider_token

MUNICIPALITIES = {"NO-1804": ("1804", "Bodø"), "NO-1841": ("1841", "Fauske")}
SYSTEM = next(c for c in DEMO_CLIENTS if "system" in c.roles)


@dataclass
class Workspace(SignsIn):
    provider: OidcServer
    network: RunningService
    events: RunningService
    web: RunningService
    site: str
    network_id: str
    today: str
    """Starts within the hour: check-in is open."""
    later: str
    """Starts in ten days."""

    def visitor(self) -> httpx.AsyncClient:
        """A browser without JavaScript: a cookie jar of its own, redirects not followed."""
        return httpx.AsyncClient(base_url=self.site, timeout=30)

    async def register(self, event_id: str, name: str, municipality_id: str = "NO-1804") -> None:
        """Through the public form, as anyone would."""
        async with self.visitor() as browser:
            email = f"{re.sub(r'[^a-z0-9]+', '.', name.lower()).strip('.')}@example.no"
            sent = await register_on_form(browser, event_id, name, email, municipality_id)
            assert sent.status_code == 303, sent.text

    async def conference(self, title: str, starts: datetime, people: dict[str, str]) -> str:
        """A published three-hour dialogue conference of the network with 40 seats, and
        ``people`` (name: municipality id) registered through the public form, in that order."""
        event_id = await _event(self.events, self.token("koordinator"), kind="dialogue_conference",
                                network_id=self.network_id, title=title, capacity=40,
                                starts_at=starts.isoformat(),
                                ends_at=(starts + timedelta(hours=3)).isoformat())  # fmt: skip
        for name, municipality_id in people.items():
            await self.register(event_id, name, municipality_id)
        return event_id

    async def registrations(self, event_id: str) -> list[dict[str, Any]]:
        page = await call(self.events.client, "GET", f"/events/{event_id}/registrations", 200,
                          headers=self.token("koordinator"))  # fmt: skip
        items: list[dict[str, Any]] = page["items"]
        return items


async def _event(events: RunningService, coordinator: dict[str, str], **details: Any) -> str:
    created = await call(events.client, "POST", "/events", 201, headers=coordinator, json={
        "kind": "network_meeting", "timezone": "Europe/Oslo", "venue": "Bodø rådhus",
        **details,
    })  # fmt: skip
    await call(events.client, "POST", f"/events/{created['id']}/publish", 200, headers=coordinator)
    event_id: str = created["id"]
    return event_id


async def _seed(
    provider: OidcServer, network: RunningService, events: RunningService
) -> tuple[str, str, str]:
    coordinator = provider_token(provider, "koordinator")
    await call(network.client, "POST", "/regions", 201, headers=authorization(client_token(provider.issuer, SYSTEM)),
               json={"id": REGION, "name": "RKK Salten"})  # fmt: skip
    network_id = await municipalities_and_a_network(network, coordinator, MUNICIPALITIES.values())
    for municipality_id in MUNICIPALITIES:
        await call(network.client, "POST", f"/networks/{network_id}/memberships", 201,
                   headers=coordinator, json={"municipality_id": municipality_id})  # fmt: skip

    async def known() -> bool:
        members = await events.db["membership_view"].count_documents({"network_id": network_id})
        domains = await events.db["municipality_email_domains"].count_documents({})
        return members == len(MUNICIPALITIES) and domains >= len(MUNICIPALITIES)

    await eventually(known)
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=50)
    later = soon + timedelta(days=10)
    today = await _event(events, coordinator, network_id=network_id, title="Nettverksmøte: Lesing",
                         starts_at=soon.isoformat(),
                         ends_at=(soon + timedelta(hours=4)).isoformat(), capacity=3)  # fmt: skip
    coming = await _event(events, coordinator, network_id=network_id, title="Verksted: Skriving",
                          starts_at=later.isoformat(),
                          ends_at=(later + timedelta(hours=4)).isoformat(), capacity=30)  # fmt: skip
    return network_id, today, coming


@asynccontextmanager
async def signing_in_site(
    stack: Stack,
    run: str,
    provider: OidcServer,
    services: dict[str, RunningService],
    clock: Clock | None = None,
) -> AsyncIterator[tuple[RunningService, str]]:
    """The web app in front of ``services``, signing in at ``provider``, on a real port."""
    web_settings = WebSettings(
        environment="test",
        default_region_id=REGION,
        oidc_issuer=provider.issuer,
        kafka_bootstrap=stack.bootstrap,
        consumer_group=f"{run}-web",
        jwt_jwks_url=provider.jwks_url,
        jwt_issuer=provider.issuer,
        # No notifications service here: a port nothing listens on, not the default one a
        # developer's `make up` on this machine answers (the header's count is then left out).
        notifications_url=f"http://127.0.0.1:{free_port()}",
    )
    transports = {name: httpx.ASGITransport(app=s.app) for name, s in services.items()}
    async with (
        running(create_web(web_settings, transports=transports, clock=clock)) as web,
        serving(web.app) as site,
    ):
        # The sign-in's callback and the provider's redirects go to the real port.
        web_settings.public_url = site
        yield web, site


@pytest.fixture(scope="module")
async def workspace(
    stack: Stack, topics: str, oidc_provider: OidcServer, world_clock: Clock | None
) -> AsyncIterator[Workspace]:
    """The coordinator's world: network and events behind the web app, on the system's clock
    unless the module moves time (``world_clock``; the events service and the web app share it)."""
    run = unique("ws").replace("-", "_")
    trust: dict[str, Any] = {
        "jwt_jwks_url": oidc_provider.jwks_url,
        "jwt_issuer": oidc_provider.issuer,
    }
    events_settings = await fresh_events_settings(stack, run, **trust)
    async with (
        running(create_network(settings(NetworkSettings, stack, run, **trust))) as network,
        running(create_events(events_settings, clock=world_clock)) as events,
    ):
        network_id, today, later = await _seed(oidc_provider, network, events)
        services = {"network": network, "events": events}
        async with signing_in_site(stack, run, oidc_provider, services, world_clock) as (web, site):

            async def listening() -> bool:
                return bool(web.app.state.web.figures.ready.is_set())

            await eventually(listening, timeout=60)
            yield Workspace(oidc_provider, network, events, web, site, network_id, today, later)
