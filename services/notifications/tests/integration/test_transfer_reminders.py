"""Transfer plans' reminders against the real Kafka, FerretDB and Mailpit, on a travelling
clock: the manager told they were named; "before" to both people with their own links; a
reschedule moves "after"; a conversation held before its time is not recalled; a cancelled
registration's plan reminds nobody; an erasure removes the plan's reminders and the manager's
address. Every query this makes of the reminders and recipients is answered from an index."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from samling_contracts.events import ParticipantErased, RegistrationCancelled, RegistrationConfirmed
from samling_contracts.transfer import (
    TransferConversationHeld,
    TransferManagerNamed,
    TransferPlanCreated,
    TransferPlanRescheduled,
)
from samling_contracts.vocabulary import TransferConversation
from samling_devtools.infra import Stack
from samling_devtools.mailpit import Mailpit
from samling_devtools.query_plans import explain_plan, recorder, scanned_tables
from samling_devtools.testing import eventually, running
from samling_notifications.container import started_in
from samling_notifications.main import create
from samling_runtime.clock import TravellingClock

from .facts import START, World, publish

pytestmark = pytest.mark.integration

NOW = START - timedelta(days=20)
DURING = START + timedelta(hours=3)
AFTER = START + timedelta(days=30, hours=6)
MOVED = timedelta(days=7)


def plan_of(world: World, n: int, event_id: str) -> tuple[Any, ...]:
    participant = world.participant(n)
    registration = RegistrationConfirmed(
        registration_id=f"reg_{world.run}_{n}",
        event_id=event_id,
        participant_id=participant.participant_id,
        municipality_id="NO-1804",
    )
    ids = {
        "plan_id": f"trp_reg_{world.run}_{n}",
        "registration_id": registration.registration_id,
        "event_id": event_id,
        "participant_id": participant.participant_id,
    }
    created = TransferPlanCreated(
        **ids, municipality_id="NO-1804", before_due_at=NOW, during_due_at=DURING,
        after_due_at=AFTER,
    )  # fmt: skip
    manager = TransferManagerNamed(
        plan_id=ids["plan_id"],
        participant_id=participant.participant_id,
        name=f"Leder {n}",
        email=world.email(f"m{n}"),
        language="nb",
        manager_url=f"https://samling.no/t/{world.run}-m{n}",
        event_id=event_id,
    )
    return participant, registration, created, manager, ids


def texts(mailbox: Mailpit, address: str) -> dict[str, str]:
    """Subject → plain text of the mails to ``address``."""
    found = {}
    for received in mailbox.messages(to=address):
        message = received.parsed()
        body = message.get_body(("plain",))
        found[str(message["Subject"])] = "" if body is None else str(body.get_content())
    return found


async def test_transfer_reminders_follow_the_plan_on_a_travelling_clock(
    stack: Stack, mailbox: Mailpit, notifications_settings: Callable[..., Any]
) -> None:
    world = World()
    clock = TravellingClock()  # real time, so notices waiting for an address come due
    clock.set(NOW)
    settings = await notifications_settings(scheduler_poll_seconds=3600)
    queries = recorder()  # before the service's client is made: it listens to new clients
    queries.sent.clear()
    queries.recording = True
    try:
        await journey(stack, mailbox, world, clock, settings)
    finally:
        queries.recording = False
    shapes = {
        q.shape: q
        for q in queries.sent
        if q.database == settings.mongo_db and q.collection in ("reminders", "recipients")
    }
    async with running(create(settings, clock)) as service:
        for shape, query in shapes.items():
            if shape == "reminders {}" or "$exists" in shape:
                continue  # once at start: whether there are any (a limit of one), the back-fill
            assert scanned_tables(await explain_plan(service.db, query)) == [], shape


async def journey(
    stack: Stack, mailbox: Mailpit, world: World, clock: TravellingClock, settings: Any
) -> None:
    event = world.event()
    kari, kari_reg, kari_plan, kari_manager, kari_ids = plan_of(world, 1, event.event_id)
    per, per_reg, per_plan, per_manager, _ = plan_of(world, 2, event.event_id)
    title = event.title
    async with running(create(settings, clock)) as service:
        scheduler = started_in(service.app).get().scheduler
        await publish(stack.bootstrap, event, kari, per, kari_reg, per_reg, kari_plan, per_plan)
        await publish(stack.bootstrap, kari_manager, per_manager)

        async def planned() -> bool:
            reminders = await service.db["reminders"].count_documents(
                {"event_id": event.event_id, "plan_id": {"$ne": None}}
            )
            recipients = service.db["recipients"]
            managers = [
                await recipients.find_one({"_id": f"mgr_{p.plan_id}"})
                for p in (kari_plan, per_plan)
            ]
            return reminders == 12 and all(managers)

        await eventually(planned, timeout=60)

        # The managers are told they were named, with their own link to the plan.
        named = f"Overføringsplan: {title}"

        async def told() -> bool:
            return all(named in texts(mailbox, m.email) for m in (kari_manager, per_manager))

        await eventually(told, timeout=60)
        to_ola = texts(mailbox, kari_manager.email)[named]
        assert "Deltaker 1 har ført deg opp som sin leder" in to_ola
        assert kari_manager.manager_url in to_ola

        # "Before" falls due at once: both people of both plans, each with their own link.
        assert await scheduler.fire_reminders() == 8  # 4 people, inbox and e-mail
        before = f"Påminnelse: samtalen før «{title}»"

        async def reminded_before() -> bool:
            people = (kari.email, kari_manager.email, per.email, per_manager.email)
            return all(before in texts(mailbox, a) for a in people)

        await eventually(reminded_before, timeout=60)
        to_kari = texts(mailbox, kari.email)[before]
        assert f"{kari.manage_url}/transfer/{kari_reg.registration_id}" in to_kari
        assert "med lederen din" in to_kari
        to_ola = texts(mailbox, kari_manager.email)[before]
        assert kari_manager.manager_url in to_ola
        assert "med Deltaker 1" in to_ola
        assert "/transfer/" not in to_ola

        # The event moves a week; Kari and her manager hold "during" early; Per cancels.
        await publish(
            stack.bootstrap,
            TransferPlanRescheduled(
                **kari_ids, during_due_at=DURING + MOVED, after_due_at=AFTER + MOVED
            ),
            TransferConversationHeld(
                **kari_ids,
                municipality_id="NO-1804",
                conversation=TransferConversation.DURING,
                held_at=NOW + timedelta(days=1),
            ),
            RegistrationCancelled(**per_reg.model_dump(), cancelled_by="participant"),
        )

        async def settled() -> bool:
            after = await service.db["reminders"].find_one(
                {"_id": f"transfer:{kari_plan.plan_id}:after:manager"}
            )
            during = await service.db["reminders"].find_one(
                {"_id": f"transfer:{kari_plan.plan_id}:during:participant"}
            )
            per_left = await service.db["reminders"].count_documents(
                {"event_id": event.event_id, "registration_id": per_reg.registration_id}
            )
            return bool(
                after
                and after["due_at"] == AFTER + MOVED
                and during
                and during.get("held")
                and per_left == 0
            )

        await eventually(settled, timeout=60)
        clock.set(DURING + MOVED + timedelta(minutes=1))
        assert await scheduler.fire_reminders() == 0  # held; Per's plan is gone
        clock.set(AFTER + timedelta(minutes=1))
        assert await scheduler.fire_reminders() == 0  # "after" moved on
        clock.set(AFTER + MOVED + timedelta(minutes=1))
        assert await scheduler.fire_reminders() == 4  # Kari and her manager
        assert await scheduler.fire_reminders() == 0  # once only
        after = f"Påminnelse: samtalen etter «{title}»"

        async def reminded_after() -> bool:
            return all(after in texts(mailbox, a) for a in (kari.email, kari_manager.email))

        await eventually(reminded_after, timeout=60)
        assert (
            f"{kari.manage_url}/transfer/{kari_reg.registration_id}"
            in (texts(mailbox, kari.email)[after])
        )
        for address in (per.email, per_manager.email):
            assert [s for s in texts(mailbox, address) if s.startswith("Påminnelse")] == [before]
        assert not any("underveis" in s for s in texts(mailbox, kari.email))

        # Kari asks to be forgotten: her plan's reminders and her manager's address go.
        await publish(stack.bootstrap, ParticipantErased(participant_id=kari.participant_id))

        async def forgotten() -> bool:
            left = await service.db["reminders"].count_documents(
                {"participant_id": kari.participant_id}
            )
            manager = await service.db["recipients"].find_one({"_id": f"mgr_{kari_plan.plan_id}"})
            return left == 0 and bool(manager and manager.get("erased") and "email" not in manager)

        await eventually(forgotten, timeout=60)
