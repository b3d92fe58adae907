"""Registering through the public web app (role ``web``): who may take a member seat, and what
the pages read about an event (seats left, the waiting list, who may register, one's place in
line), against Kafka + FerretDB."""

import json
import random
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from samling_contracts import CONTENT_TYPE, Fact, envelope
from samling_contracts.network import MunicipalityEmailDomainsChanged, MunicipalityRegistered
from samling_contracts.topics import PARTICIPANTS_RESTRICTED, REGISTRATIONS
from samling_contracts.vocabulary import Country
from samling_devtools.testing import (
    RunningService,
    eventually,
    producer,
    read_topic,
    running,
    unique,
)
from samling_events.main import create
from samling_events.settings import EventsSettings
from samling_runtime.auth import Role
from samling_runtime.clock import ManualClock

from .conftest import COORDINATOR, SeedNetwork, applicant, headers, published_event
from .test_registration import register, token_for

pytestmark = pytest.mark.integration

WEB = headers([Role.WEB])


def a_municipality() -> str:
    """A municipality no other test of the session publishes domains for."""
    return f"NO-{random.randint(1000, 9999)}"


Publish = Callable[..., Awaitable[None]]


@pytest.fixture
def publish(topics: str) -> Publish:
    async def send(*facts: Fact) -> None:
        async with producer(topics) as p:
            for fact in facts:
                event = envelope(fact, source="/test")
                await p.send_and_wait(
                    fact.spec().topic.name,
                    event.to_json(),
                    key=event.partitionkey.encode(),
                    headers=[("content-type", CONTENT_TYPE.encode())],
                )

    return send


async def domains_known(events: RunningService, municipality_id: str, count: int = 1) -> None:
    async def seen() -> bool:
        found = await events.db["municipality_email_domains"].count_documents(
            {"municipality_id": municipality_id}
        )
        return found >= count

    await eventually(seen)


async def test_an_address_in_the_municipalitys_domain_takes_the_member_seat(
    events: RunningService, seed_network: SeedNetwork, publish: Publish
) -> None:
    municipality = a_municipality()
    network_id = await seed_network([municipality])
    await publish(
        MunicipalityEmailDomainsChanged(
            municipality_id=municipality, email_domains=["bodo.kommune.no"]
        )
    )
    await domains_known(events, municipality)
    event_id = await published_event(
        events,
        network_id,
        capacity=3,
        contingents=[{"municipality_id": municipality, "seats": 1}],
    )
    backed = await register(
        events,
        event_id,
        applicant(1, municipality, email="Kari.Nordmann@Bodo.Kommune.NO"),
        h=WEB,
    )
    assert backed.status_code == 201, backed.text
    assert (backed.json()["status"], backed.json()["seat_no"]) == ("confirmed", 1)
    assert backed.json()["unverified_claim"] is False
    # A look-alike domain backs nothing.
    lookalike = await register(
        events,
        event_id,
        applicant(2, municipality, email="ola@bodo.kommune.no.evil.example"),
        h=WEB,
    )
    assert lookalike.json()["status"] == "pending_approval"


async def test_an_unbacked_claim_waits_for_the_municipality_which_is_told_and_approves(
    events: RunningService, seed_network: SeedNetwork, publish: Publish, topics: str
) -> None:
    municipality = a_municipality()
    network_id = await seed_network([municipality])
    await publish(
        MunicipalityEmailDomainsChanged(municipality_id=municipality, email_domains=["k.no"])
    )
    await domains_known(events, municipality)
    event_id = await published_event(events, network_id, capacity=2)
    pending = await register(events, event_id, applicant(1, municipality), h=WEB)
    assert pending.status_code == 201, pending.text
    reg = pending.json()
    assert (reg["status"], reg["unverified_claim"]) == ("pending_approval", True)
    assert reg["seat_no"] is not None  # held while the municipality decides

    # The municipality's own administrator and coordinators keep registering as before.
    admin = headers([Role.MUNICIPALITY_ADMIN], municipality_id=municipality)
    by_admin = await register(events, event_id, applicant(2, municipality), h=admin)
    assert by_admin.json()["status"] == "confirmed"

    other_admin = headers([Role.MUNICIPALITY_ADMIN], municipality_id="NO-1833")
    path = f"/events/{event_id}/registrations/{reg['id']}"
    for who in (WEB, other_admin, COORDINATOR):
        refused = await events.client.post(f"{path}/approve", headers=who)
        assert refused.status_code in (403, 404), refused.text
    approved = await events.client.post(f"{path}/approve", headers=admin)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "confirmed"

    def types(records: list[Any]) -> list[str]:
        return [
            json.loads(r.value)["type"].rsplit(".", 2)[-2]
            for r in records
            if r.key == event_id.encode() and reg["id"].encode() in r.value
        ]

    facts = await read_topic(topics, REGISTRATIONS.name, lambda rs: len(types(rs)) >= 3)
    assert types(facts) == ["awaiting-approval", "approved", "confirmed"]
    waiting = next(
        json.loads(r.value)["data"]
        for r in facts
        if r.key == event_id.encode() and b"awaiting-approval" in r.value
    )
    assert waiting == {
        "registration_id": reg["id"],
        "event_id": event_id,
        "participant_id": reg["participant_id"],
        "municipality_id": municipality,
        "reason": "unverified_municipality",
    }


async def test_a_newer_domain_list_replaces_the_older(
    events: RunningService, seed_network: SeedNetwork, publish: Publish
) -> None:
    municipality = a_municipality()
    network_id = await seed_network([municipality])
    await publish(
        MunicipalityEmailDomainsChanged(municipality_id=municipality, email_domains=["old.no"]),
        MunicipalityEmailDomainsChanged(municipality_id=municipality, email_domains=["new.no"]),
    )
    await domains_known(events, municipality, 2)
    event_id = await published_event(events, network_id)
    old = await register(events, event_id, applicant(1, municipality, email="a@old.no"), h=WEB)
    new = await register(events, event_id, applicant(2, municipality, email="b@new.no"), h=WEB)
    assert (old.json()["status"], new.json()["status"]) == ("pending_approval", "confirmed")


async def test_a_non_member_at_an_event_open_to_all_claims_no_member_seat(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    # A member of its own: other tests of the session give NO-1804 e-mail domains.
    member_id = f"NO-{random.randint(5000, 9999)}"
    network_id = await seed_network([member_id])
    event_id = await published_event(events, network_id, open_to_all=True)
    outsider = await register(events, event_id, applicant(1, "NO-1833"), h=WEB)
    assert outsider.json()["status"] == "confirmed"
    member = await register(events, event_id, applicant(2, member_id), h=WEB)
    assert member.json()["status"] == "pending_approval"


async def test_the_web_role_does_nothing_an_organiser_does(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id)
    reg = (await register(events, event_id, applicant(1))).json()
    forbidden = [
        ("POST", "/events", {"kind": "workshop"}),
        ("POST", f"/events/{event_id}/cancel", {}),
        ("POST", f"/events/{event_id}/close-registration", None),
        ("GET", f"/events/{event_id}/registrations", None),
        ("GET", f"/events/{event_id}/attendance", None),
        ("POST", f"/events/{event_id}/registrations/{reg['id']}/attendance", {"attended": True}),
    ]
    for method, where, body in forbidden:
        response = await events.client.request(method, where, json=body, headers=WEB)
        assert response.status_code == 403, (method, where, response.text)
    for method, where in (
        ("GET", f"/events/{event_id}/registrations/{reg['id']}"),
        ("POST", f"/events/{event_id}/registrations/{reg['id']}/cancel"),
        ("POST", f"/events/{event_id}/registrations/{reg['id']}/approve"),
    ):
        response = await events.client.request(method, where, headers=WEB)
        assert response.status_code == 404, (method, where, response.text)
    # It reads what the public may see, and no more.
    assert (await events.client.get(f"/events/{event_id}", headers=WEB)).status_code == 200


async def test_seats_left_waitlist_and_places_in_line(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804", "NO-1841"])
    event_id = await published_event(events, network_id, capacity=2)

    async def availability() -> tuple[int, bool]:
        one = (await events.client.get(f"/events/{event_id}", headers=WEB)).json()
        listed = (
            await events.client.get("/events", params={"network_id": network_id}, headers=WEB)
        ).json()["items"]
        assert [(e["seats_left"], e["waitlist"]) for e in listed] == [
            (one["seats_left"], one["waitlist"])
        ]
        return one["seats_left"], one["waitlist"]

    assert await availability() == (2, False)
    regs = [(await register(events, event_id, applicant(n))).json() for n in range(1, 6)]
    assert [r["status"] for r in regs] == ["confirmed"] * 2 + ["waitlisted"] * 3
    assert [r["waiting_position"] for r in regs] == [None, None, 1, 2, 3]
    assert await availability() == (0, True)

    mine = await events.client.get(f"/manage/{token_for(events, regs[3]['participant_id'])}")
    assert [r["waiting_position"] for r in mine.json()["registrations"]] == [2]
    cancelled = await events.client.post(
        f"/events/{event_id}/registrations/{regs[0]['id']}/cancel", headers=COORDINATOR
    )
    assert cancelled.status_code == 200
    mine = await events.client.get(f"/manage/{token_for(events, regs[3]['participant_id'])}")
    assert [r["waiting_position"] for r in mine.json()["registrations"]] == [1]
    assert await availability() == (0, True)

    closed = await events.client.post(f"/events/{event_id}/close-registration", headers=COORDINATOR)
    assert closed.status_code == 200
    assert await availability() == (0, False)  # full, and nobody can join the waiting list


async def test_eligibility_names_the_members_or_the_whole_region(
    events: RunningService, seed_network: SeedNetwork, publish: Publish
) -> None:
    network_id = await seed_network(["NO-1841", "NO-1804"])
    members_only = await published_event(events, network_id)
    answer = await events.client.get(f"/events/{members_only}/eligibility")  # no token
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"municipality_ids": ["NO-1804", "NO-1841"]}

    region = f"rkk-{random.randint(0, 10**9)}"
    await publish(
        *(
            MunicipalityRegistered(
                municipality_id=f"NO-{n}",
                region_id=region,
                number=n,
                name=f"K{n}",
                country=Country.NO,
            )
            for n in ("1838", "1839")
        )
    )

    async def seen() -> bool:
        return await events.db["municipality_view"].count_documents({"region_id": region}) == 2

    await eventually(seen)
    coordinator = headers([Role.COORDINATOR], region_id=region)
    created = await events.client.post(
        "/events",
        json={
            "kind": "workshop",
            "title": "Regional samling",
            "starts_at": "2027-02-10T09:00:00+01:00",
            "ends_at": "2027-02-10T15:00:00+01:00",
            "venue": "Fauske",
            "capacity": 10,
        },
        headers=coordinator,
    )
    region_wide = created.json()["id"]
    assert (await events.client.get(f"/events/{region_wide}/eligibility")).status_code == 404
    await events.client.post(f"/events/{region_wide}/publish", headers=coordinator)
    answer = await events.client.get(f"/events/{region_wide}/eligibility")
    assert answer.json() == {"municipality_ids": ["NO-1838", "NO-1839"]}
    assert (await events.client.get("/events/evt_none/eligibility")).status_code == 404


async def test_the_private_link_opens_in_the_web_app(
    settings_for: Callable[..., Any], clock: ManualClock, topics: str
) -> None:
    settings = settings_for(EventsSettings, app_url="https://samling.example/")
    async with running(create(settings, clock)) as service:
        event_id = await published_event(service, None)  # region-wide: no network to wait for
        body = applicant(1, email=f"{unique('kari')}@example.no")
        participant = (await register(service, event_id, body)).json()["participant_id"]
        link = f"https://samling.example/r/{token_for(service, participant)}"

        def links(records: list[Any]) -> list[str]:
            return [
                json.loads(r.value)["data"]["manage_url"]
                for r in records
                if r.key == participant.encode()
            ]

        # Read while the service runs: its outbox relay publishes the contact fact.
        await read_topic(topics, PARTICIPANTS_RESTRICTED.name, lambda rs: link in links(rs))
