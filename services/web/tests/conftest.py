"""A small real Samling for the web app's tests: the network, events and notifications services
in this process against the session's Kafka, FerretDB and Mailpit, seeded with a region, three
municipalities (two in a network) and helpers to publish events; the web app in front of them.
The services' links point at the hosts the tests reach them by (``http://web``,
``http://events``, ``http://notifications``)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from samling_contracts.topics import ALL_TOPICS
from samling_devtools.infra import Stack
from samling_devtools.mailpit import Mailpit
from samling_devtools.oidc import OidcServer
from samling_devtools.testing import (
    RunningService,
    bearer,
    call,
    eventually,
    running,
    start_at_end,
    unique,
)
from samling_events.main import create as create_events
from samling_events.settings import EventsSettings
from samling_network.main import create as create_network
from samling_network.settings import NetworkSettings
from samling_notifications.handlers.table import consumed_topics
from samling_notifications.main import create as create_notifications
from samling_notifications.settings import NotificationsSettings
from samling_runtime.auth import Role
from samling_runtime.clock import Clock
from samling_runtime.settings import ServiceSettings
from samling_web.main import create as create_web
from samling_web.settings import WebSettings

from services.web.tests.signing_in import SignsIn

REGION = "rkk-salten"
MEMBERS = {"NO-1804": ("1804", "Bodø"), "NO-1841": ("1841", "Fauske")}
OUTSIDER = {"NO-1840": ("1840", "Saltdal")}
COORDINATOR = bearer("u-coordinator", Role.COORDINATOR, region_id=REGION)
QUESTIONS: list[dict[str, Any]] = [
    {"id": "diet", "label": "Allergier eller dietthensyn?"},
    {"id": "session", "label": "Hvilken gruppeøkt?", "required": True,
     "options": ["Lesing", "Skriving"]},
    {"id": "arena", "label": "Hvilken læringsarena?",
     "options": ["Skole", "Barnehage", "Helse", "Pleie", "Kultur", "Annet"]},
]  # fmt: skip
"""Free text, a required choice of two (radios) and a longer choice (a select)."""
EVENT_DETAILS = (
    "title", "description", "organisers", "venue", "online_url", "capacity", "open_to_all",
    "contingents", "reminder_minutes_before", "agenda", "questions", "cancellation_deadline",
    "offer_hours", "requires_approval",
)  # fmt: skip


def settings(cls: type[ServiceSettings], stack: Stack, run: str, **overrides: Any) -> Any:
    return cls(
        environment="test",
        kafka_bootstrap=stack.bootstrap,
        mongo_url=stack.mongo_url,
        mongo_db=f"{run}_{cls.__name__.lower()}",
        consumer_group=f"{run}-{cls.__name__.lower()}",
        relay_interval_seconds=0.2,
        **overrides,
    )


async def fresh_events_settings(stack: Stack, run: str, **overrides: Any) -> EventsSettings:
    """The events service's settings for a test world that reads only the facts published from
    now on: an earlier test's (e.g. Bodø's e-mail domains dated next year) would otherwise be
    its newest word on the same municipalities, and catching up late in a full run outlasts a
    seed's wait."""
    found: EventsSettings = settings(EventsSettings, stack, run, **overrides)
    assert found.consumer_group is not None
    await start_at_end(found.kafka_bootstrap, found.consumer_group, [t.name for t in ALL_TOPICS])
    return found


Tokens = Callable[..., dict[str, str]]
"""Makes an Authorization header: (subject, role, **claims) as ``samling_devtools.testing.bearer``."""


def provider_tokens(server: OidcServer) -> Tokens:
    """Headers with tokens the provider signs, for services that trust its keys only."""
    names = {"region_id": "region", "municipality_id": "municipality"}

    def make(subject: str, role: str, **claims: Any) -> dict[str, str]:
        named = {names.get(k, k): v for k, v in claims.items()}
        return {"Authorization": f"Bearer {server.provider.issue(subject, roles=[role], **named)}"}

    return make


@dataclass
class World:
    network: RunningService
    events: RunningService
    web: RunningService
    notifications: RunningService
    mailbox: Mailpit
    network_id: str
    starts: datetime = field(
        default_factory=lambda: (datetime.now(UTC) + timedelta(days=20)).replace(
            hour=8, minute=0, second=0, microsecond=0
        )
    )
    tokens: Tokens = bearer

    @property
    def coordinator(self) -> dict[str, str]:
        return self.tokens("u-coordinator", Role.COORDINATOR, region_id=REGION)

    async def publish(self, title: str, capacity: int, *, days: int = 0) -> str:
        """A published one-day dialogue conference (four parts) in the seeded network."""
        created = await call(
            self.events.client,
            "POST",
            "/events/from-template",
            201,
            headers=self.coordinator,
            json={
                "template": "one_day",
                "network_id": self.network_id,
                "title": title,
                "starts_at": (self.starts + timedelta(days=days)).isoformat(),
                "venue": "Bodø rådhus, Kongens gate 1",
                "capacity": capacity,
            },
        )
        event_id: str = created["event"]["id"]
        await call(
            self.events.client, "POST", f"/events/{event_id}/publish", 200, headers=self.coordinator
        )
        return event_id

    async def plain(self, title: str, kind: str, starts: datetime, **details: Any) -> str:
        """A published event of any kind in the seeded network (not from a template)."""
        created = await call(
            self.events.client,
            "POST",
            "/events",
            201,
            headers=self.coordinator,
            json={
                "kind": kind,
                "network_id": self.network_id,
                "title": title,
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=6)).isoformat(),
                "timezone": "Europe/Oslo",
                "venue": "Fauske hotell, Storgata 1",
                "capacity": 20,
                **details,
            },
        )
        event_id: str = created["id"]
        await call(
            self.events.client, "POST", f"/events/{event_id}/publish", 200, headers=self.coordinator
        )
        return event_id

    async def assign(self, event_id: str, phase: str, title: str, due: datetime) -> str:
        """Pre-work ("pre") or follow-up work ("post") for everyone at the event."""
        made = await call(self.events.client, "POST", f"/events/{event_id}/assignments", 201,
                          headers=self.coordinator,
                          json={"phase": phase, "title": title, "due_at": due.isoformat()})  # fmt: skip
        assignment_id: str = made["id"]
        return assignment_id

    async def ask(self, event_id: str, questions: list[dict[str, Any]]) -> None:
        """Give an event questions of its own (its details are replaced as a whole)."""
        event = await call(
            self.events.client, "GET", f"/events/{event_id}", 200, headers=self.coordinator
        )
        details = {k: event[k] for k in EVENT_DETAILS if k in event}
        await call(self.events.client, "PUT", f"/events/{event_id}/details", 200,
                   headers=self.coordinator, json={**details, "questions": questions})  # fmt: skip

    def browser(self) -> httpx.AsyncClient:
        """A new visitor: a client with a cookie jar of its own."""
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.web.app), base_url="http://web"
        )

    async def registrations(self, event_id: str) -> list[dict[str, Any]]:
        page = await call(
            self.events.client,
            "GET",
            f"/events/{event_id}/registrations",
            200,
            headers=self.coordinator,
        )
        items: list[dict[str, Any]] = page["items"]
        return items


@dataclass
class SignedWorld(World, SignsIn):
    """The same world, its services trusting the development OpenID Connect provider's keys
    only, and the web app signing people in there, served on a real port (``site``)."""

    provider: OidcServer = field(kw_only=True)
    site: str = field(kw_only=True)


async def municipalities_and_a_network(
    network: RunningService, coordinator: dict[str, str], municipalities: Iterable[tuple[str, str]]
) -> str:
    """The region's municipalities (number, name) and a network of it, still without members:
    the network's id. Their people write from example.no, so their claims need no approval."""
    for number, name in municipalities:
        await call(network.client, "POST", "/municipalities", 201, headers=coordinator,
                   json={"country": "NO", "number": number, "name": name,
                         "email_domains": ["example.no"]})  # fmt: skip
    net = await call(network.client, "POST", "/networks", 201, headers=coordinator,
                     json={"name": "Skoleledernettverket", "field": "school"})  # fmt: skip
    network_id: str = net["id"]
    return network_id


async def _seed(network: RunningService, events: RunningService, tokens: Tokens = bearer) -> str:
    system = tokens("client-admin", Role.SYSTEM)
    coordinator = tokens("u-coordinator", Role.COORDINATOR, region_id=REGION)
    await call(network.client, "POST", "/regions", 201, headers=system,
               json={"id": REGION, "name": "RKK Salten"})  # fmt: skip
    everyone = [*MEMBERS.values(), *OUTSIDER.values()]
    network_id = await municipalities_and_a_network(network, coordinator, everyone)
    for municipality_id in MEMBERS:
        admin = tokens(f"admin-{municipality_id}", Role.MUNICIPALITY_ADMIN,
                       municipality_id=municipality_id)  # fmt: skip
        await call(network.client, "POST", f"/networks/{network_id}/memberships", 201,
                   headers=admin, json={"municipality_id": municipality_id})  # fmt: skip

    async def members_known() -> bool:
        members = await events.db["membership_view"].count_documents(
            {"network_id": network_id, "active": True}
        )
        known = await events.db["network_view"].count_documents({"_id": network_id})
        lists = events.db["municipality_email_domains"]
        newest = [
            await lists.find_one({"municipality_id": m}, sort=[("as_of", -1)])
            for m in [*MEMBERS, *OUTSIDER]
        ]
        domains = all(doc and doc["email_domains"] == ["example.no"] for doc in newest)
        return members == len(MEMBERS) and known == 1 and domains

    await eventually(members_known)
    return network_id


async def _notifications_settings(stack: Stack, run: str, mailbox: Mailpit, **trust: Any) -> Any:
    found: NotificationsSettings = settings(
        NotificationsSettings,
        stack,
        run,
        app_url="http://web",
        public_url="http://notifications",
        smtp_host=mailbox.host,
        smtp_port=mailbox.port,
        delivery_poll_seconds=0.1,
        scheduler_poll_seconds=0.1,
        **trust,
    )
    assert found.consumer_group is not None
    topics = [t.name for t in consumed_topics()]
    # Only what this module's services publish: not every earlier test's facts.
    await start_at_end(found.kafka_bootstrap, found.consumer_group, topics)
    return found


@pytest.fixture(scope="module")
def world_clock() -> Clock | None:
    """The events and notifications services' clock: the system's, unless a module moves time
    by a ``world_clock`` fixture of its own (a TravellingClock)."""
    return None


@pytest.fixture(scope="module")
async def world(
    stack: Stack, topics: str, mailbox: Mailpit, world_clock: Clock | None
) -> AsyncIterator[World]:
    async with _world(stack, mailbox, world_clock) as made:
        yield made


@pytest.fixture(scope="module")
async def signed_world(
    stack: Stack,
    topics: str,
    mailbox: Mailpit,
    world_clock: Clock | None,
    oidc_provider: OidcServer,
) -> AsyncIterator[SignedWorld]:
    async with _world(stack, mailbox, world_clock, oidc_provider) as made:
        assert isinstance(made, SignedWorld)
        yield made


@asynccontextmanager
async def _world(
    stack: Stack, mailbox: Mailpit, world_clock: Clock | None, provider: OidcServer | None = None
) -> AsyncIterator[World]:
    run = unique("w").replace("-", "_")
    trust: dict[str, Any] = (
        {"jwt_jwks_url": provider.jwks_url, "jwt_issuer": provider.issuer} if provider else {}
    )
    tokens = provider_tokens(provider) if provider else bearer
    notifications_settings = await _notifications_settings(stack, run, mailbox, **trust)
    # Participants' private links open in the web app, as in production.
    events_settings = await fresh_events_settings(
        stack, run, public_url="http://events", app_url="http://web", **trust
    )
    async with (
        running(create_network(settings(NetworkSettings, stack, run, **trust))) as network,
        running(create_events(events_settings, clock=world_clock)) as events,
        running(create_notifications(notifications_settings, world_clock)) as notifications,
    ):
        network_id = await _seed(network, events, tokens)
        web_settings = WebSettings(
            # Many tests register from one address: the rate limit has a test of its own.
            environment="test",
            default_region_id=REGION,
            register_burst=10_000,
            oidc_issuer=provider.issuer if provider else None,
            # The test's own broker: the default is a developer's `make up` on this machine.
            kafka_bootstrap=stack.bootstrap,
            consumer_group=f"{run}-web",
            **trust,
        )
        web_app = create_web(
            web_settings,
            transports={
                "network": httpx.ASGITransport(app=network.app),
                "events": httpx.ASGITransport(app=events.app),
                "notifications": httpx.ASGITransport(app=notifications.app),
            },
        )
        async with running(web_app) as web:
            if provider is None:
                yield World(network, events, web, notifications, mailbox, network_id)
                return
            # Imported here: the browser tests' module imports this one.
            from services.web.tests.browser.test_browser import serving

            async with serving(web.app) as site:
                # The sign-in's callback and the provider's redirects go to the real port.
                web_settings.public_url = site
                yield SignedWorld(
                    network, events, web, notifications, mailbox, network_id,
                    tokens=tokens, provider=provider, site=site,
                )  # fmt: skip


def hidden(html: str, name: str) -> str:
    """The value of a hidden form field."""
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden field {name}"
    return found.group(1)


async def register_on_form(
    browser: httpx.AsyncClient, event_id: str, name: str, email: str, municipality_id: str
) -> httpx.Response:
    """Through the event page's public form, as a visitor without JavaScript."""
    page = await browser.get(f"/events/{event_id}")
    return await browser.post(
        f"/events/{event_id}/register",
        data={
            "csrf_token": hidden(page.text, "csrf_token"),
            "form_key": hidden(page.text, "form_key"),
            "name": name,
            "email": email,
            "municipality_id": municipality_id,
            "role": "Lærer",
        },
    )
