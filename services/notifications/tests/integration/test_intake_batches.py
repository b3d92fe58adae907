"""The fact intake reads a batch of records at a time and handles the facts of different
participants concurrently: a batch's notices are written together, one participant's facts
stay in order, and a bad record is dead-lettered alone."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from pymongo import monitoring
from samling_contracts import CONTENT_TYPE, Fact, envelope
from samling_contracts.events import (
    ParticipantErased,
    RegistrationCancelled,
    RegistrationConfirmed,
)
from samling_contracts.topics import REGISTRATIONS
from samling_devtools.infra import Stack
from samling_devtools.testing import eventually, producer, read_topic, running
from samling_notifications.main import create

from .facts import World, publish, send

pytestmark = pytest.mark.integration


class Inserts(monitoring.CommandListener):
    """Counts the ``insert`` commands into one database's ``notifications`` collection."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if (
            event.database_name == self.database
            and event.command_name == "insert"
            and event.command.get("insert") == "notifications"
        ):
            self.count += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def registrations(world: World, event_id: str, people: int) -> list[Fact]:
    facts: list[Fact] = []
    for n in range(people):
        facts.append(
            RegistrationConfirmed(
                registration_id=f"reg_{world.run}_{n}",
                event_id=event_id,
                participant_id=f"par_{world.run}_{n}",
                municipality_id="NO-1804",
            )
        )
    return facts


async def test_a_batch_of_registrations_is_written_together_and_in_order_per_participant(
    stack: Stack, notifications_settings: Callable[..., Any]
) -> None:
    world = World()
    people = 40
    scheduled = world.event()
    first = registrations(world, scheduled.event_id, people)
    # Participant 0 cancels right after confirming: the two facts must apply in that order.
    cancelled = RegistrationCancelled(
        registration_id=f"reg_{world.run}_0",
        event_id=scheduled.event_id,
        participant_id=f"par_{world.run}_0",
        municipality_id="NO-1804",
        cancelled_by="participant",
    )
    settings = await notifications_settings()
    inserts = Inserts(settings.mongo_db)
    monitoring.register(inserts)  # the service's client, made at start-up, reports to it
    # Published before the service starts: it finds them waiting and reads them as batches.
    await publish(
        stack.bootstrap,
        scheduled,
        *(world.participant(n) for n in range(people)),
        *first,
        cancelled,
    )
    async with running(create(settings)) as service:
        notices = service.db["notifications"]

        async def all_in_inboxes() -> bool:
            confirmed = await notices.count_documents(
                {"source_event_id": {"$exists": True}, "kind": "registration.confirmed"}
            )
            cancelled_inbox = await notices.count_documents({"kind": "registration.cancelled"})
            return confirmed == 2 * people and cancelled_inbox == 2  # inbox and e-mail each

        await eventually(all_in_inboxes, timeout=60)
        registration = await service.db["registrations"].find_one({"_id": f"reg_{world.run}_0"})
        assert registration is not None
        assert registration["status"] == "cancelled"
        # One fact at a time wrote the notices of each fact with an insert of their own (41).
        assert inserts.count <= people // 4, inserts.count
    inserts.database = ""  # the listener stays registered for the session: let it rest


async def test_a_bad_record_in_a_batch_is_dead_lettered_alone(
    stack: Stack, notifications_settings: Callable[..., Any]
) -> None:
    world = World()
    scheduled = world.event()
    good = [envelope(f, source="/test") for f in registrations(world, scheduled.event_id, 2)]
    bad_data = json.dumps(
        {
            **good[0].model_dump(mode="json"),
            "id": f"bad-{world.run}",
            "data": {"registration_id": f"reg_bad_{world.run}", "event_id": "e"},
        }
    ).encode()
    bad_json = b"{not json " + world.run.encode()
    settings = await notifications_settings()
    # All on one partition (one event), between good neighbours, waiting before the start:
    # the service reads them in one batch.
    key = scheduled.event_id.encode()
    headers = [("content-type", CONTENT_TYPE.encode())]
    async with producer(stack.bootstrap) as p:
        await send(p, good[0])
        await p.send_and_wait(REGISTRATIONS.name, bad_data, key=key, headers=headers)
        await p.send_and_wait(REGISTRATIONS.name, bad_json, key=key, headers=headers)
        await send(p, good[1])
    async with running(create(settings)) as service:

        async def handled() -> bool:
            registered = await service.db["registrations"].count_documents(
                {"_id": {"$in": [f"reg_{world.run}_0", f"reg_{world.run}_1"]}}
            )
            marked = await service.db["processed_events"].count_documents(
                {"_id": {"$in": [f"{settings.consumer_group}:{e.id}" for e in good]}}
            )
            return registered == marked == 2

        await eventually(handled, timeout=60)

        def both_arrived(records: list[Any]) -> bool:
            values = {r.value for r in records}
            return bad_data in values and bad_json in values

        records = await read_topic(stack.bootstrap, REGISTRATIONS.dead_letter, both_arrived)
        reasons = {r.value: dict(r.headers)["dlq-reason"] for r in records}
        assert b"ValidationError" in reasons[bad_data]
        assert b"JSONDecodeError" in reasons[bad_json]
        assert not {e.to_json() for e in good} & set(reasons), "a good neighbour was dead-lettered"


async def test_a_late_copy_of_an_erased_participants_address_is_not_kept(
    stack: Stack, notifications_settings: Callable[..., Any]
) -> None:
    world = World()
    kari = world.participant(1)
    settings = await notifications_settings()
    async with running(create(settings)) as service:
        recipients = service.db["recipients"]
        await publish(stack.bootstrap, kari, ParticipantErased(participant_id=kari.participant_id))

        async def erased() -> bool:
            doc = await recipients.find_one({"_id": kari.participant_id})
            return bool(doc and doc.get("erased"))

        await eventually(erased, timeout=60)
        (late,) = await publish(stack.bootstrap, kari)

        async def handled() -> bool:
            marker = {"_id": f"{settings.consumer_group}:{late.id}"}
            return await service.db["processed_events"].find_one(marker) is not None

        await eventually(handled, timeout=60)
        doc = await recipients.find_one({"_id": kari.participant_id})
        assert doc == {
            "_id": kari.participant_id,
            "type": "participant",
            "erased": True,
            "active": False,
        }
