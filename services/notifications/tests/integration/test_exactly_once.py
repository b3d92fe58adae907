"""Exactly once per person: a killed service, a redelivered fact, bad messages.

The kill test runs the service as a real uvicorn process, SIGKILLs it while it is sending a
fan-out, starts it again and counts what reached the SMTP sink and the inbox.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from samling_contracts import CONTENT_TYPE, envelope
from samling_contracts.network import AnnouncementPosted
from samling_contracts.topics import CONTACTS_RESTRICTED, EVENTS
from samling_devtools.infra import Stack
from samling_devtools.mailpit import Mailpit
from samling_devtools.processes import free_port
from samling_devtools.services import ServiceProcess, ServiceProcessSpec
from samling_devtools.smtp_sink import SmtpSink
from samling_devtools.testing import eventually, mongo_db, producer, read_topic, running
from samling_notifications.main import create

from .facts import World, publish, send

pytestmark = pytest.mark.integration


def delivered_to(sink: Mailpit | SmtpSink, world: World) -> list[Any]:
    suffix = f".{world.run}@example.no"
    return [m for m in sink.messages() if any(r.endswith(suffix) for r in m.rcpt_tos)]


async def test_a_service_killed_mid_batch_sends_every_notice_once_after_restart(
    stack: Stack,
    mailbox: Mailpit,
    notifications_settings: Callable[..., Any],
    tmp_path: Path,
) -> None:
    settings = await notifications_settings()
    world = World()
    setup = world.setup_facts(municipalities=4, contacts_each=50)
    people = len(world.contacts)
    env = {
        "SAMLING_NOTIFICATIONS_ENVIRONMENT": "test",
        "SAMLING_NOTIFICATIONS_KAFKA_BOOTSTRAP": stack.bootstrap,
        "SAMLING_NOTIFICATIONS_MONGO_URL": stack.mongo_url,
        "SAMLING_NOTIFICATIONS_MONGO_DB": settings.mongo_db,
        "SAMLING_NOTIFICATIONS_CONSUMER_GROUP": settings.consumer_group,
        "SAMLING_NOTIFICATIONS_SMTP_HOST": mailbox.host,
        "SAMLING_NOTIFICATIONS_SMTP_PORT": str(mailbox.port),
        "SAMLING_NOTIFICATIONS_SMTP_CONNECTIONS": "4",
        "SAMLING_NOTIFICATIONS_DELIVERY_RECORD_EVERY": "4",
        "SAMLING_NOTIFICATIONS_DELIVERY_LEASE_SECONDS": "1",
        "SAMLING_NOTIFICATIONS_DELIVERY_POLL_SECONDS": "0.1",
        "SAMLING_NOTIFICATIONS_RELAY_INTERVAL_SECONDS": "0.2",
        "SAMLING_NOTIFICATIONS_LOG_LEVEL": "WARNING",
    }
    spec = ServiceProcessSpec("notifications", "samling_notifications.main:create", free_port())
    first = ServiceProcess(spec, env, tmp_path)
    first.start()
    try:
        await asyncio.to_thread(first.wait_ready)
        await publish(stack.bootstrap, *setup)
        async with mongo_db(stack.mongo_url, settings.mongo_db) as db:
            await world.settled(db)
            announcement = AnnouncementPosted(
                network_id=world.network_id,
                announcement_id=f"ann_{world.run}",
                title="Ny runde med kompetansemidler",
                body="Søk innen 1. mars.",
                language="nb",
            )
            await publish(stack.bootstrap, world.event(), announcement)

            async def some_sent() -> bool:
                return len(delivered_to(mailbox, world)) >= 60

            await eventually(some_sent, interval=0.02)
            first.kill()
            at_kill = len(delivered_to(mailbox, world))
            assert at_kill < 2 * people, "the kill came too late to test anything"

            second = ServiceProcess(spec, env, tmp_path)
            second.start()
            try:
                await asyncio.to_thread(second.wait_ready)

                async def all_sent() -> bool:
                    ids = {m.message_id for m in delivered_to(mailbox, world)}
                    return len(ids) >= 2 * people

                await eventually(all_sent, timeout=120)
                notices = db["notifications"]

                async def all_recorded() -> bool:
                    sent = await db["deliveries"].count_documents({"status": "sent"})
                    return sent == 2 * people

                await eventually(all_recorded, timeout=60)
            finally:
                second.stop()

            received = delivered_to(mailbox, world)
            distinct = {m.message_id for m in received}
            # None missing: every person got both notices, and nothing else arrived.
            assert len(distinct) == 2 * people
            per_person: dict[str, int] = {}
            for message in received:
                per_person[message.rcpt_tos[0]] = per_person.get(message.rcpt_tos[0], 0) + 1
            assert set(per_person) == {c.email for c in world.contacts}
            # None doubled in the store: one notice per person, fact and channel.
            assert await notices.count_documents({"channel": "inbox"}) == 2 * people
            assert await notices.count_documents({"channel": "email"}) == 2 * people
            sent_lines = await db["deliveries_revisions"].count_documents({"state.status": "sent"})
            # On the wire: a mail the server accepted just before the kill, whose outcome
            # the process could not record, is sent again (same Message-ID). That window is
            # at most delivery_record_every (4) messages.
            resent = len(received) - len(distinct)
            assert resent <= 4, f"{resent} messages were sent twice"
            # One "sent" line per notice, plus one per resent mail whose first outcome was
            # written but whose notice the killed process had not yet marked done.
            assert 2 * people <= sent_lines <= 2 * people + resent
            print(
                f"kill test: {at_kill} mails before the kill, {len(received)} received, "
                f"{len(distinct)} distinct, {resent} resent in the SMTP ambiguity window"
            )
    finally:
        first.kill()


async def test_a_graceful_stop_finishes_and_records_the_mails_in_flight(
    stack: Stack, slow_smtp_sink: SmtpSink, notifications_settings: Callable[..., Any]
) -> None:
    """Stopped mid-send, the service waits for the mails the server has but not yet answered,
    records them, and leaves the rest to whoever runs next: nothing is sent twice."""
    mailbox = slow_smtp_sink  # Mailpit answers at once; this sink holds the answer open
    settings = await notifications_settings(
        smtp_connections=4, smtp_host=mailbox.host, smtp_port=mailbox.port
    )
    world = World(mailbox="+slow")  # the sink keeps each mail at once and answers it late
    setup = world.setup_facts(municipalities=1, contacts_each=12)
    people = len(world.contacts)
    async with running(create(settings)) as service:
        await publish(stack.bootstrap, *setup)
        await world.settled(service.db)
        await publish(stack.bootstrap, world.event())

        async def sending() -> bool:
            return len(delivered_to(mailbox, world)) >= 1

        await eventually(sending, interval=0.01)
    # Stopped while up to four mails waited for their answer.
    at_stop = delivered_to(mailbox, world)
    assert 1 <= len(at_stop) < people, "the stop came too late to test anything"
    async with mongo_db(stack.mongo_url, settings.mongo_db) as db:
        recorded = await db["deliveries"].count_documents({"status": "sent"})
        assert recorded == len(at_stop) == len({m.message_id for m in at_stop})

    async with running(create(settings)):

        async def all_sent() -> bool:
            return len(delivered_to(mailbox, world)) >= people

        await eventually(all_sent, timeout=60)
        await asyncio.sleep(2)  # time enough for a mail sent twice to show up
    received = delivered_to(mailbox, world)
    assert len(received) == len({m.message_id for m in received}) == people


async def test_the_same_fact_delivered_twice_notifies_once(
    stack: Stack, mailbox: Mailpit, notifications_settings: Callable[..., Any]
) -> None:
    world = World()
    setup = world.setup_facts(municipalities=1, contacts_each=2)
    async with running(create(await notifications_settings())) as service:
        await publish(stack.bootstrap, *setup)
        await world.settled(service.db)
        (scheduled,) = await publish(stack.bootstrap, world.event())
        for contact in world.contacts:

            async def mailed(email: str = contact.email) -> list[Any]:
                return list(mailbox.messages(to=email))

            await eventually(mailed)
        # Redelivery of the same event id; then once more after forgetting that it was
        # handled (a crash between the notices and the processed marker).
        async with producer(stack.bootstrap) as p:
            await send(p, scheduled)
            await service.db["processed_events"].delete_many({"_id": {"$regex": scheduled.id}})
            await send(p, scheduled)
            marker = envelope(
                AnnouncementPosted(
                    network_id=world.network_id,
                    announcement_id="ann_marker",
                    title="Etter",
                    body="Kommer etter duplikatene.",
                    language="nb",
                ),
                source="/test",
            )
            await send(p, marker)

        async def marker_seen() -> bool:
            return all(len(mailbox.messages(to=c.email)) == 2 for c in world.contacts)

        await eventually(marker_seen)
        for contact in world.contacts:
            subjects = sorted(m.to_json()["subject"] for m in mailbox.messages(to=contact.email))
            assert subjects == sorted(
                [f"Invitasjon: {world.event().title}", f"Nytt fra Nettverk {world.run}: Etter"]
            )
        assert (
            await service.db["notifications"].count_documents({"source_event_id": scheduled.id})
            == 4
        )


async def test_bad_messages_go_to_the_dead_letter_topic_and_consumption_goes_on(
    stack: Stack, mailbox: Mailpit, notifications_settings: Callable[..., Any]
) -> None:
    world = World()
    setup = world.setup_facts(municipalities=1, contacts_each=1)
    good = envelope(setup[-1], source="/test")
    bad_contacts = json.dumps(
        {**good.model_dump(mode="json"), "id": f"bad-{world.run}", "data": {"contacts": "nope"}}
    ).encode()
    bad_event = b"{not json " + world.run.encode()
    async with running(create(await notifications_settings())) as service:
        async with producer(stack.bootstrap) as p:
            headers = [("content-type", CONTENT_TYPE.encode())]
            await p.send_and_wait(
                CONTACTS_RESTRICTED.name, bad_contacts, key=b"NO-1", headers=headers
            )
            await p.send_and_wait(EVENTS.name, bad_event, key=b"evt", headers=headers)
        await publish(stack.bootstrap, *setup)
        await world.settled(service.db)
        for topic, value, reason in (
            (CONTACTS_RESTRICTED, bad_contacts, b"ValidationError"),
            (EVENTS, bad_event, b"JSONDecodeError"),
        ):

            def arrived(records: list[Any], expected: bytes = value) -> bool:
                return any(r.value == expected for r in records)

            records = await read_topic(stack.bootstrap, topic.dead_letter, arrived)
            headers_of = dict(next(r for r in records if r.value == value).headers)
            assert reason in headers_of["dlq-reason"]
            assert headers_of["dlq-original-topic"] == topic.name.encode()
