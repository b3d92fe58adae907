"""The whole story across the three services, over their public APIs and topics only.

A coordinator creates a network, municipalities join, a dialogue conference is scheduled from
the one-day template, contact persons are invited (e-mail with .ics, inbox), participants
register until it is full and more wait, one cancels and the first in line is promoted and
told, the reminder fires (an injected clock, no sleeping), attendance is recorded, the
follow-up asks for an experience report, a municipality publishes one to the network and
subscribers hear about it in their language. Every fact is read back from Kafka with the
CloudEvents SDK, and no personal data appears on a public topic.
"""

import itertools
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_structured
from cloudevents.core.formats.json import JSONFormat
from samling_contracts import ALL_TOPICS
from samling_contracts.topics import every_topic_name
from samling_devtools.infra import Stack
from samling_devtools.mailpit import Mailpit
from samling_devtools.testing import (
    bearer,
    call,
    eventually,
    read_topic,
    running,
    start_at_end,
    unique,
)
from samling_events.main import create as create_events
from samling_events.settings import EventsSettings
from samling_network.main import create as create_network
from samling_network.settings import NetworkSettings
from samling_notifications.main import create as create_notifications
from samling_notifications.settings import NotificationsSettings
from samling_runtime.auth import Role
from samling_runtime.clock import TravellingClock

# Part of `make test`; `make test-journey` runs it alone.
pytestmark = [pytest.mark.integration, pytest.mark.journey, pytest.mark.timeout(900)]

REGION = "rkk-salten"


async def test_from_network_to_experience_report(
    stack: Stack, mailbox: Mailpit, settings_for: Callable[..., Any]
) -> None:
    run = unique("e2e").replace("-", "")

    def mail(who: str) -> str:
        return f"{who}.{run}@example.no"

    clock = TravellingClock()
    starts_at = (clock.now() + timedelta(days=3)).replace(hour=8, minute=0, second=0, microsecond=0)

    coordinator = bearer("u-coord", Role.COORDINATOR, region_id=REGION)
    system = bearer("client-admin", Role.SYSTEM)
    municipalities = {
        "NO-1804": ("1804", "Bodø", mail("ase"), "Åse Ørnes", "nb"),
        "NO-1841": ("1841", "Fauske", mail("ola"), "Ola Nordmann", "nn"),
        "NO-1840": ("1840", "Saltdal", mail("eva"), "Eva Lind", "en"),
    }
    admins = {
        m: bearer(f"admin-{m}", Role.MUNICIPALITY_ADMIN, municipality_id=m) for m in municipalities
    }

    notifications_settings = settings_for(
        NotificationsSettings,
        smtp_host=mailbox.host,
        smtp_port=mailbox.port,
        delivery_poll_seconds=0.1,
        scheduler_poll_seconds=0.1,
    )
    events_settings = settings_for(EventsSettings)
    # Read only what this journey publishes, not every earlier test's facts.
    for settings in (events_settings, notifications_settings):
        await start_at_end(stack.bootstrap, settings.consumer_group, every_topic_name())
    async with (
        running(create_network(settings_for(NetworkSettings))) as network,
        running(create_events(events_settings, clock=clock)) as events,
        running(create_notifications(notifications_settings, clock=clock)) as notifications,
    ):
        # A coordinator sets up the region, its municipalities and a network; they join.
        await call(
            network.client,
            "POST",
            "/regions",
            201,
            headers=system,
            json={"id": REGION, "name": "RKK Salten"},
        )
        for _id, (number, name, email, person, language) in municipalities.items():
            await call(
                network.client,
                "POST",
                "/municipalities",
                201,
                headers=coordinator,
                json={
                    "country": "NO",
                    "number": number,
                    "name": name,
                    "contacts": [{"name": person, "email": email, "language": language}],
                },
            )
        net = await call(
            network.client,
            "POST",
            "/networks",
            201,
            headers=coordinator,
            json={"name": "Skoleledernettverket", "field": "school"},
        )
        for municipality_id in municipalities:
            await call(
                network.client,
                "POST",
                f"/networks/{net['id']}/memberships",
                201,
                headers=admins[municipality_id],
                json={"municipality_id": municipality_id},
            )

        async def members_known() -> bool:
            return (
                await events.db["membership_view"].count_documents(
                    {"network_id": net["id"], "active": True}
                )
                == 3
            )

        await eventually(members_known)

        # The notifications service reads the memberships and the contact persons from other
        # topics than the events it announces, each at its own pace: an invitation goes to the
        # contact persons it knows when the event is published (a contact list that arrives
        # later gets no invitation), so the coordinator publishes once they are known there too.
        async def contacts_known() -> bool:
            lists = await notifications.db["contact_lists"].count_documents(
                {"_id": {"$in": list(municipalities)}}
            )
            members = await notifications.db["memberships"].count_documents(
                {"network_id": net["id"], "active": True}
            )
            return lists == members == len(municipalities)

        await eventually(contacts_known)

        # A dialogue conference from the one-day template, published.
        planned = await call(
            events.client,
            "POST",
            "/events/from-template",
            201,
            headers=coordinator,
            json={
                "template": "one_day",
                "network_id": net["id"],
                "title": "Dialogkonferanse: Lesing i alle fag",
                "starts_at": starts_at.isoformat(),
                "venue": "Bodø rådhus",
                "capacity": 2,
            },
        )
        event_id = planned["event"]["id"]
        agenda = planned["event"]["agenda"]
        assert [a["title"] for a in agenda] == [
            "Del 1: Forberedelse og innspill",
            "Del 2: Praksiseksempler",
            "Del 3: Erfaringsdeling i grupper på tvers av kommuner",
            "Del 4: Oppfølging",
        ]
        # One day: the parts follow each other within the event, with no overlap.
        spans = [
            (datetime.fromisoformat(a["starts_at"]), datetime.fromisoformat(a["ends_at"]))
            for a in agenda
        ]
        assert spans[0][0] == starts_at
        assert all(end <= start for (_, end), (start, _) in itertools.pairwise(spans))
        assert spans[-1][1] == datetime.fromisoformat(planned["event"]["ends_at"])
        await call(events.client, "POST", f"/events/{event_id}/publish", 200, headers=coordinator)

        # Contact persons of member municipalities are invited: e-mail with .ics and inbox.
        for _, (_, _, email, _, _) in municipalities.items():
            await eventually(lambda: _kinds_are(mailbox, email, ["event.invitation"]))  # noqa: B023
            assert any(a.endswith(".ics") for a in _attachments(mailbox.messages(to=email)[0]))
        inbox = await call(
            notifications.client,
            "GET",
            "/inbox",
            200,
            headers=bearer("u-ase", Role.PARTICIPANT, email=mail("ase")),
        )
        assert len(inbox["items"]) == 1

        # Participants register until it is full; more land on the waiting list.
        people = ["kari", "per", "siri", "nils"]
        registrations = {}
        for who in people:
            registrations[who] = await call(
                events.client,
                "POST",
                f"/events/{event_id}/registrations",
                201,
                headers=bearer(f"u-{who}", Role.PARTICIPANT, email=mail(who)),
                json={
                    "name": who.title(),
                    "email": mail(who),
                    "municipality_id": "NO-1804",
                    "role": "lærer",
                    "language": "nb",
                },
            )
        statuses = [registrations[w]["status"] for w in people]
        assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]

        # Kari cancels; Siri, first in line, is promoted and told.
        await call(
            events.client,
            "POST",
            f"/events/{event_id}/registrations/{registrations['kari']['id']}/cancel",
            200,
            headers=bearer("u-kari", Role.PARTICIPANT, email=mail("kari")),
        )
        await eventually(
            lambda: _kinds_are(
                mailbox,
                mail("siri"),
                ["registration.waitlisted", "registration.promoted", "registration.confirmed"],
            )
        )
        await eventually(
            lambda: _kinds_are(
                mailbox, mail("kari"), ["registration.confirmed", "registration.cancelled"]
            )
        )
        await eventually(lambda: _kinds_are(mailbox, mail("nils"), ["registration.waitlisted"]))

        # The reminder fires 24 hours before, moved there by the clock, not by sleeping.
        clock.set(starts_at - timedelta(hours=23))
        await eventually(
            lambda: _kinds_are(mailbox, mail("per"), ["registration.confirmed", "event.reminder"])
        )
        await eventually(
            lambda: _kinds_are(
                mailbox,
                mail("siri"),
                [
                    "registration.waitlisted",
                    "registration.promoted",
                    "registration.confirmed",
                    "event.reminder",
                ],
            )
        )
        # Those without a seat are not reminded.
        assert _kinds(mailbox, mail("kari")) == [
            "registration.confirmed",
            "registration.cancelled",
        ]
        assert _kinds(mailbox, mail("nils")) == ["registration.waitlisted"]

        # The day comes: attendance, completion, and the follow-up asking for a report.
        clock.set(starts_at + timedelta(hours=1))
        for who in ("per", "siri"):
            await call(
                events.client,
                "POST",
                f"/events/{event_id}/registrations/{registrations[who]['id']}/attendance",
                200,
                headers=coordinator,
                json={"attended": True},
            )
        await call(events.client, "POST", f"/events/{event_id}/complete", 200, headers=coordinator)
        await eventually(
            lambda: _kinds_are(
                mailbox,
                mail("per"),
                ["registration.confirmed", "event.reminder", "event.followup"],
            )
        )
        followup = _one(mailbox, mail("per"), "event.followup")
        # The evaluation form, under the participant's private link (#12).
        assert re.search(r"https?://\S+/evaluation\b", _text(followup))

        # Fauske's contact (nynorsk) follows the network's reports; Bodø publishes one.
        await call(
            notifications.client,
            "POST",
            "/subscriptions",
            201,
            headers=admins["NO-1841"],
            json={"target": "network", "value": net["id"], "municipality_id": "NO-1841"},
        )
        report = await call(
            network.client,
            "POST",
            "/reports",
            201,
            headers=admins["NO-1804"],
            json={
                "title": "Lesevenner på tvers av trinn",
                "network_ids": [net["id"]],
                "visibility": "network",
                "body": {
                    "template": "smtte",
                    "context": "Småskolen i Bodø",
                    "goals": "Flere leser",
                    "signs": "Lånetall",
                    "actions": "Lesevenner",
                    "evaluation": "Etter ett år",
                },
                "tags": {
                    "learning_arenas": ["reflection_group"],
                    "level": "unit",
                    "language": "nb",
                },
            },
        )
        await call(
            network.client,
            "POST",
            f"/reports/{report['id']}/publish",
            200,
            headers=admins["NO-1804"],
        )
        await eventually(
            lambda: _kinds_are(mailbox, mail("ola"), ["event.invitation", "report.published"])
        )
        report_mail = _one(mailbox, mail("ola"), "report.published")
        assert report_mail["Content-Language"] == "nn"
        assert "Ein ny erfaringsrapport" in _text(report_mail)
        invitations = {
            m: _one(mailbox, v[2], "event.invitation") for m, v in municipalities.items()
        }
        assert invitations["NO-1840"]["Subject"].startswith("Invitation:")  # English
        assert invitations["NO-1804"]["Subject"].startswith("Invitasjon:")  # bokmål
        # Åse (Bodø, the author) did not subscribe: her only notice is the invitation.
        assert _kinds(mailbox, mail("ase")) == ["event.invitation"]

        # Every fact is on its topic as a CloudEvent; no personal data on public topics.
        names = [p.title() for p in people] + [m[3] for m in municipalities.values()]
        emails = [mail(p) for p in people] + [m[2] for m in municipalities.values()]
        seen_types: set[str] = set()
        for topic in ALL_TOPICS:
            records = await read_topic(stack.bootstrap, topic.name, lambda rs: True, timeout=10)
            for record in records:
                if (
                    run not in record.value.decode()
                    and event_id.encode() not in record.value
                    and net["id"].encode() not in record.value
                ):
                    continue
                parsed = from_structured(
                    KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value),
                    JSONFormat(),
                )
                seen_types.add(parsed.get_type())
                if not topic.restricted:
                    text = record.value.decode()
                    assert not [e for e in emails if e in text], (topic.name, parsed.get_type())
                    assert not [n for n in names if f'"{n}"' in text], (
                        topic.name,
                        parsed.get_type(),
                    )
        expected = {
            "no.samling.network.network.created.v1",
            "no.samling.network.membership.joined.v1",
            "no.samling.events.event.scheduled.v1",
            "no.samling.events.registration.confirmed.v1",
            "no.samling.events.registration.waitlisted.v1",
            "no.samling.events.registration.cancelled.v1",
            "no.samling.events.registration.promoted.v1",
            "no.samling.events.attendance.recorded.v1",
            "no.samling.events.event.completed.v1",
            "no.samling.network.report.published.v1",
            "no.samling.notifications.notification.sent.v1",
        }
        assert expected <= seen_types, expected - seen_types


def _kinds(sink: Mailpit, to: str) -> list[str]:
    return [m.parsed()["X-Samling-Kind"] for m in sink.messages(to=to)]


async def _kinds_are(sink: Mailpit, to: str, kinds: list[str]) -> bool:
    """Exactly these notices, once each: none missing, none doubled (mail may arrive in any
    order: deliveries run concurrently)."""
    return sorted(_kinds(sink, to)) == sorted(kinds)


def _one(sink: Mailpit, to: str, kind: str) -> Any:
    """The one message of this kind to ``to``: picked by kind, not by arrival order, which
    two mails sent in the same instant do not settle."""
    (found,) = [m.parsed() for m in sink.messages(to=to) if m.parsed()["X-Samling-Kind"] == kind]
    return found


def _text(message: Any) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def _attachments(message: Any) -> list[str]:
    return [p.get_filename() or "" for p in message.parsed().walk() if p.get_filename()]


@pytest.fixture(autouse=True)
def _show_mail_on_failure(mailbox: Mailpit) -> Any:
    yield
    for message in mailbox.messages():
        parsed = message.parsed()
        print(parsed["To"], parsed["X-Samling-Kind"], parsed["Subject"])
