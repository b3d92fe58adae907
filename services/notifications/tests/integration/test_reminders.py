"""Reminders: scheduled from facts, survive a restart, move on reschedule, vanish on
cancellation of the event or the registration; one moved into the past, into an hour the poll
has finished, fires on the next poll, once. The clock travels (``set``): no sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from samling_contracts.events import (
    AssignmentAssigned,
    EventCancelled,
    EventRescheduled,
    RegistrationCancelled,
    RegistrationConfirmed,
)
from samling_devtools.infra import Stack
from samling_devtools.mailpit import Mailpit
from samling_devtools.testing import eventually, running
from samling_notifications.container import started_in
from samling_notifications.main import create
from samling_runtime.clock import TravellingClock

from .facts import START, World, publish

pytestmark = pytest.mark.integration


def rescheduled(event_id: str, moved_to: datetime) -> EventRescheduled:
    """The event, first planned at ``START``, moved to start at ``moved_to``."""
    return EventRescheduled(
        event_id=event_id,
        starts_at=moved_to,
        ends_at=moved_to + timedelta(hours=6),
        previous_starts_at=START,
        timezone="Europe/Oslo",
        sequence=1,
    )


def subjects(sink: Mailpit, address: str, prefix: str) -> list[str]:
    found = [m.to_json()["subject"] for m in sink.messages(to=address)]
    return [s for s in found if s.startswith(prefix)]


async def test_reminders_follow_the_event_and_the_registration(
    stack: Stack, mailbox: Mailpit, notifications_settings: Callable[..., Any]
) -> None:
    world = World()
    clock = TravellingClock()  # real time, so notices waiting for an address come due
    clock.set(START - timedelta(days=2))
    settings = await notifications_settings(scheduler_poll_seconds=3600)
    event = world.event()
    other = world.event("2")
    kari, ola = world.participant(1), world.participant(2)
    registrations = [
        RegistrationConfirmed(
            registration_id=f"reg_{world.run}_{p.participant_id}",
            event_id=event.event_id,
            participant_id=p.participant_id,
            municipality_id="NO-1804",
        )
        for p in (kari, ola)
    ]
    prework = AssignmentAssigned(
        event_id=event.event_id,
        assignment_id=f"asg_{world.run}",
        phase="pre",
        title="Forbered et praksiseksempel",
        due_at=START + timedelta(days=5),
    )
    async with running(create(settings, clock)) as service:
        await publish(stack.bootstrap, event, other, kari, ola, *registrations)

        async def scheduled() -> bool:
            return (
                await service.db["reminders"].count_documents(
                    {"event_id": {"$in": [event.event_id, other.event_id]}}
                )
                == 2
            )

        await eventually(scheduled)
        reminder = await service.db["reminders"].find_one({"_id": f"event:{event.event_id}"})
        assert reminder is not None
        assert reminder["due_at"] == START - timedelta(days=1)
        moved_to = START + timedelta(days=7)
        await publish(
            stack.bootstrap,
            rescheduled(event.event_id, moved_to),
            EventCancelled(event_id=other.event_id, reason="Sykdom", sequence=1),
            RegistrationCancelled(**registrations[1].model_dump(), cancelled_by="participant"),
            prework,
        )

        async def moved() -> bool:
            doc = await service.db["reminders"].find_one({"_id": f"event:{event.event_id}"})
            gone = await service.db["reminders"].find_one({"event_id": other.event_id})
            cancelled = await service.db["registrations"].find_one(
                {"_id": registrations[1].registration_id, "status": "cancelled"}
            )
            assignment = await service.db["reminders"].find_one(
                {"_id": f"assignment:{prework.assignment_id}"}
            )
            return bool(
                doc
                and doc["due_at"] == moved_to - timedelta(days=1)
                and gone is None
                and cancelled
                and assignment
            )

        await eventually(moved)

    # A restart: the reminders are documents, so they are still there.
    async with running(create(settings, clock)) as service:
        scheduler = started_in(service.app).get().scheduler
        clock.set(START - timedelta(days=1) + timedelta(minutes=1))  # the old reminder time
        assert await scheduler.fire_reminders() == 0
        clock.set(prework.due_at - timedelta(hours=23))  # pre-work due within 24 h
        assert await scheduler.fire_reminders() == 2  # Kari, inbox and e-mail
        clock.set(moved_to - timedelta(hours=23))
        assert await scheduler.fire_reminders() == 2
        assert await scheduler.fire_reminders() == 0  # fired once only

        async def reminded() -> bool:
            return len(subjects(mailbox, kari.email, "Påminnelse")) == 2

        await eventually(reminded)
        assert sorted(subjects(mailbox, kari.email, "Påminnelse")) == [
            f"Påminnelse om forarbeid: {prework.title}",
            f"Påminnelse: {event.title}",
        ]
        assert subjects(mailbox, ola.email, "Påminnelse") == []  # cancelled registration

        async def told_of_the_move() -> list[str]:
            return subjects(mailbox, kari.email, "Nytt tidspunkt")

        # Ola was told about the move before cancelling? No: his cancellation came with it;
        # Kari got the reschedule notice with the updated calendar entry.
        await eventually(told_of_the_move)
        (moved_mail,) = [
            m.to_json()
            for m in mailbox.messages(to=kari.email)
            if m.to_json()["subject"].startswith("Nytt tidspunkt")
        ]
        ics = moved_mail["attachments"][0]["content"]
        assert "SEQUENCE:1" in ics
        assert f"UID:{event.event_id}@samling.no" in ics
        # 08:00 UTC is 09:00 in Oslo in February: local time, with its zone.
        assert "DTSTART;TZID=Europe/Oslo:20270217T090000" in ics
        assert "BEGIN:VTIMEZONE" in ics


async def test_a_reminder_moved_into_a_finished_hour_in_the_past_fires_on_the_next_poll(
    stack: Stack, mailbox: Mailpit, notifications_settings: Callable[..., Any]
) -> None:
    world = World()
    clock = TravellingClock()
    clock.set(START - timedelta(days=2))
    settings = await notifications_settings(scheduler_poll_seconds=3600)
    event, kari = world.event(), world.participant(1)
    registration = RegistrationConfirmed(
        registration_id=f"reg_{world.run}_1",
        event_id=event.event_id,
        participant_id=kari.participant_id,
        municipality_id="NO-1804",
    )
    reminder_id = f"event:{event.event_id}"
    async with running(create(settings, clock)) as service:
        scheduler = started_in(service.app).get().scheduler
        await publish(stack.bootstrap, event, kari, registration)

        async def due_at() -> datetime | None:
            """The reminder's due time, once Kari's registration is known too."""
            doc = await service.db["reminders"].find_one({"_id": reminder_id})
            registered = await service.db["registrations"].find_one(
                {"_id": registration.registration_id}
            )
            return doc["due_at"] if doc and registered else None

        assert await eventually(due_at) == START - timedelta(days=1)
        clock.set(START - timedelta(days=1) + timedelta(minutes=1))
        assert await scheduler.fire_reminders() == 2  # Kari, inbox and e-mail
        clock.set(START - timedelta(hours=20))  # the hours before are finished now
        assert await scheduler.fire_reminders() == 0
        # Moved to start in 12 hours: its reminder was due a day before that, 8 hours ago, in
        # an hour the poll finished.
        moved_to = START - timedelta(hours=8)
        finished = await service.db["sweep_marks"].find_one(
            {"_id": f"reminders|{(moved_to - timedelta(days=1)).strftime('%Y-%m-%dT%H:00')}"}
        )
        assert finished is not None
        await publish(stack.bootstrap, rescheduled(event.event_id, moved_to))

        async def moved() -> bool:
            return await due_at() == moved_to - timedelta(days=1)

        await eventually(moved)
        assert await scheduler.fire_reminders() == 2
        assert await scheduler.fire_reminders() == 0  # once only

        async def reminded_twice() -> bool:
            return len(subjects(mailbox, kari.email, "Påminnelse")) == 2

        await eventually(reminded_twice)
