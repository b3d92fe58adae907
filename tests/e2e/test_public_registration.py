"""Registering through the public web app, across the three services: a municipality's e-mail
domains (network) decide whether a person without an account takes its member seat (events);
when nothing backs the claim, the municipality is asked by e-mail and its answer reaches the
participant (notifications). Over the public APIs, the real Kafka, store and mailbox."""

from collections.abc import Callable
from typing import Any

import pytest
from samling_contracts.topics import every_topic_name
from samling_devtools.infra import Stack
from samling_devtools.mailpit import Mailpit
from samling_devtools.testing import bearer, call, eventually, running, start_at_end, unique
from samling_events.main import create as create_events
from samling_events.settings import EventsSettings
from samling_network.main import create as create_network
from samling_network.settings import NetworkSettings
from samling_notifications.main import create as create_notifications
from samling_notifications.settings import NotificationsSettings
from samling_runtime.auth import Role

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

REGION = "rkk-salten"
APP = "https://samling.example"


def _kinds(sink: Mailpit, to: str) -> list[str]:
    return [m.parsed()["X-Samling-Kind"] for m in sink.messages(to=to)]


async def test_a_backed_claim_takes_the_seat_and_an_unbacked_one_waits_for_the_municipality(
    stack: Stack, mailbox: Mailpit, settings_for: Callable[..., Any]
) -> None:
    run = unique("pub").replace("-", "")
    contact = f"ase.{run}@example.no"
    coordinator = bearer("u-coord", Role.COORDINATOR, region_id=REGION)
    admin = bearer("admin-bodo", Role.MUNICIPALITY_ADMIN, municipality_id="NO-1804")
    web = bearer("client-samling-web", Role.WEB)
    events_settings = settings_for(EventsSettings, app_url=APP)
    notifications_settings = settings_for(
        NotificationsSettings,
        smtp_host=mailbox.host,
        smtp_port=mailbox.port,
        delivery_poll_seconds=0.1,
        app_url=APP,
    )
    for settings in (events_settings, notifications_settings):
        await start_at_end(stack.bootstrap, settings.consumer_group, every_topic_name())
    async with (
        running(create_network(settings_for(NetworkSettings))) as network,
        running(create_events(events_settings)) as events,
        running(create_notifications(notifications_settings)) as notifications,
    ):
        await call(
            network.client,
            "POST",
            "/regions",
            201,
            headers=bearer("client-admin", Role.SYSTEM),
            json={"id": REGION, "name": "RKK Salten"},
        )
        await call(
            network.client,
            "POST",
            "/municipalities",
            201,
            headers=coordinator,
            json={
                "country": "NO",
                "number": "1804",
                "name": "Bodø",
                "contacts": [{"name": "Åse Ørnes", "email": contact, "language": "nb"}],
            },
        )
        # The municipality's administrator says which addresses are its staff's.
        await call(
            network.client,
            "PUT",
            "/municipalities/NO-1804/email-domains",
            200,
            headers=admin,
            json={"email_domains": ["Bodo.Kommune.no"]},
        )
        net = await call(
            network.client,
            "POST",
            "/networks",
            201,
            headers=coordinator,
            json={"name": "Skoleledernettverket", "field": "school"},
        )
        await call(
            network.client,
            "POST",
            f"/networks/{net['id']}/memberships",
            201,
            headers=admin,
            json={"municipality_id": "NO-1804"},
        )

        async def known() -> bool:
            member = await events.db["membership_view"].count_documents(
                {"network_id": net["id"], "active": True}
            )
            domains = await events.db["municipality_email_domains"].count_documents(
                {"municipality_id": "NO-1804"}
            )
            contacts = await notifications.db["contact_lists"].count_documents({"_id": "NO-1804"})
            return member == domains == contacts == 1

        await eventually(known)
        event = await call(
            events.client,
            "POST",
            "/events",
            201,
            headers=coordinator,
            json={
                "kind": "workshop",
                "network_id": net["id"],
                "title": "Verksted: Lesing i alle fag",
                "starts_at": "2030-02-10T09:00:00+01:00",
                "ends_at": "2030-02-10T15:00:00+01:00",
                "venue": "Bodø rådhus",
                "capacity": 10,
            },
        )
        event_id = event["id"]
        await call(events.client, "POST", f"/events/{event_id}/publish", 200, headers=coordinator)
        assert await call(events.client, "GET", f"/events/{event_id}/eligibility", 200) == {
            "municipality_ids": ["NO-1804"]
        }

        def person(name: str, email: str) -> dict[str, str]:
            return {"name": name, "email": email, "municipality_id": "NO-1804", "role": "Lærer"}

        staff = await call(
            events.client,
            "POST",
            f"/events/{event_id}/registrations",
            201,
            headers=web,
            json=person("Kari Nordmann", f"kari.{run}@bodo.kommune.no"),
        )
        assert staff["status"] == "confirmed"
        stranger_address = f"ola.{run}@example.no"
        waiting = await call(
            events.client,
            "POST",
            f"/events/{event_id}/registrations",
            201,
            headers=web,
            json=person("Ola Nordmann", stranger_address),
        )
        assert waiting["status"] == "pending_approval"

        # The municipality's contact person is asked, with a link to the event's page.
        await eventually(lambda: _asked(mailbox, contact))
        (asked,) = [
            m
            for m in mailbox.messages(to=contact)
            if m.parsed()["X-Samling-Kind"] == "registration.awaiting_approval"
        ]
        assert f"{APP}/events/{event_id}" in asked.to_json()["text"]

        approved = await call(
            events.client,
            "POST",
            f"/events/{event_id}/registrations/{waiting['id']}/approve",
            200,
            headers=admin,
        )
        assert approved["status"] == "confirmed"

        async def told() -> bool:
            return "registration.approved" in _kinds(mailbox, stranger_address)

        await eventually(told)
        answer = next(
            m
            for m in mailbox.messages(to=stranger_address)
            if m.parsed()["X-Samling-Kind"] == "registration.approved"
        )
        assert f"{APP}/r/" in answer.to_json()["text"]  # the private link opens the web app


async def _asked(sink: Mailpit, to: str) -> bool:
    return "registration.awaiting_approval" in _kinds(sink, to)
