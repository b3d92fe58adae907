"""A small real Samling for the web app's tests: the network, events and notifications services
in this process against the session's Kafka, FerretDB and Mailpit, seeded with a region, three
municipalities (two in a network) and helpers to publish events; the web app in front of them.
The services' links point at the hosts the tests reach them by (``http://web``,
``http://events``, ``http://notifications``)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from samling_contracts.topics import ALL_TOPICS
from samling_devtools.infra import Stack
from samling_devtools.mailpit import Mailpit
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
from samling_notifications.adapters.kafka.handlers import subscriptions
from samling_notifications.main import create as create_notifications
from samling_notifications.settings import NotificationsSettings
from samling_runtime.auth import Role
from samling_runtime.clock import Clock
from samling_runtime.settings import ServiceSettings
from samling_web.main import create as create_web
from samling_web.settings import WebSettings

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

    async def publish(self, title: str, capacity: int, *, days: int = 0) -> str:
        """A published one-day dialogue conference (four parts) in the seeded network."""
        created = await call(
            self.events.client,
            "POST",
            "/events/from-template",
            201,
            headers=COORDINATOR,
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
            self.events.client, "POST", f"/events/{event_id}/publish", 200, headers=COORDINATOR
        )
        return event_id

    async def plain(self, title: str, kind: str, starts: datetime, **details: Any) -> str:
        """A published event of any kind in the seeded network (not from a template)."""
        created = await call(
            self.events.client,
            "POST",
            "/events",
            201,
            headers=COORDINATOR,
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
            self.events.client, "POST", f"/events/{event_id}/publish", 200, headers=COORDINATOR
        )
        return event_id

    async def assign(self, event_id: str, phase: str, title: str, due: datetime) -> str:
        """Pre-work ("pre") or follow-up work ("post") for everyone at the event."""
        made = await call(self.events.client, "POST", f"/events/{event_id}/assignments", 201,
                          headers=COORDINATOR,
                          json={"phase": phase, "title": title, "due_at": due.isoformat()})  # fmt: skip
        assignment_id: str = made["id"]
        return assignment_id

    async def ask(self, event_id: str, questions: list[dict[str, Any]]) -> None:
        """Give an event questions of its own (its details are replaced as a whole)."""
        event = await call(
            self.events.client, "GET", f"/events/{event_id}", 200, headers=COORDINATOR
        )
        details = {k: event[k] for k in EVENT_DETAILS if k in event}
        await call(self.events.client, "PUT", f"/events/{event_id}/details", 200,
                   headers=COORDINATOR, json={**details, "questions": questions})  # fmt: skip

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
            headers=COORDINATOR,
        )
        items: list[dict[str, Any]] = page["items"]
        return items


async def _seed(network: RunningService, events: RunningService) -> str:
    system = bearer("client-admin", Role.SYSTEM)
    await call(network.client, "POST", "/regions", 201, headers=system,
               json={"id": REGION, "name": "RKK Salten"})  # fmt: skip
    for number, name in [*MEMBERS.values(), *OUTSIDER.values()]:
        # The tests' people write from example.no: their claims need no approval.
        await call(network.client, "POST", "/municipalities", 201, headers=COORDINATOR,
                   json={"country": "NO", "number": number, "name": name,
                         "email_domains": ["example.no"]})  # fmt: skip
    net = await call(network.client, "POST", "/networks", 201, headers=COORDINATOR,
                     json={"name": "Skoleledernettverket", "field": "school"})  # fmt: skip
    for municipality_id in MEMBERS:
        admin = bearer(f"admin-{municipality_id}", Role.MUNICIPALITY_ADMIN,
                       municipality_id=municipality_id)  # fmt: skip
        await call(network.client, "POST", f"/networks/{net['id']}/memberships", 201,
                   headers=admin, json={"municipality_id": municipality_id})  # fmt: skip

    async def members_known() -> bool:
        members = await events.db["membership_view"].count_documents(
            {"network_id": net["id"], "active": True}
        )
        known = await events.db["network_view"].count_documents({"_id": net["id"]})
        lists = events.db["municipality_email_domains"]
        newest = [
            await lists.find_one({"municipality_id": m}, sort=[("as_of", -1)])
            for m in [*MEMBERS, *OUTSIDER]
        ]
        domains = all(doc and doc["email_domains"] == ["example.no"] for doc in newest)
        return members == len(MEMBERS) and known == 1 and domains

    await eventually(members_known)
    network_id: str = net["id"]
    return network_id


async def _notifications_settings(stack: Stack, run: str, mailbox: Mailpit) -> Any:
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
    )
    assert found.consumer_group is not None
    topics = [t.name for t in subscriptions(lambda: None).topics]  # type: ignore[arg-type, return-value]
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
    run = unique("w").replace("-", "_")
    notifications_settings = await _notifications_settings(stack, run, mailbox)
    # Participants' private links open in the web app, as in production.
    events_settings = settings(
        EventsSettings, stack, run, public_url="http://events", app_url="http://web"
    )
    assert events_settings.consumer_group is not None
    # Late in a full run the topics hold every earlier test's facts: the events service reads
    # only what this module's services publish, or catching up outlasts the seed's wait.
    await start_at_end(
        events_settings.kafka_bootstrap,
        events_settings.consumer_group,
        [t.name for t in ALL_TOPICS],
    )
    async with (
        running(create_network(settings(NetworkSettings, stack, run))) as network,
        running(create_events(events_settings, clock=world_clock)) as events,
        running(create_notifications(notifications_settings, world_clock)) as notifications,
    ):
        network_id = await _seed(network, events)
        web_app = create_web(
            # Many tests register from one address: the rate limit has a test of its own.
            WebSettings(environment="test", default_region_id=REGION, register_burst=10_000),
            transports={
                "network": httpx.ASGITransport(app=network.app),
                "events": httpx.ASGITransport(app=events.app),
                "notifications": httpx.ASGITransport(app=notifications.app),
            },
        )
        async with running(web_app) as web:
            yield World(network, events, web, notifications, mailbox, network_id)


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
