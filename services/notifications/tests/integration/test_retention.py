"""Privacy over time: a participant anonymised after the retention period is forgotten as on
erasure, and old notices are swept away when the clock passes their retention."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from samling_contracts.events import ParticipantAnonymised, RegistrationConfirmed
from samling_devtools.infra import Stack
from samling_devtools.testing import eventually, running
from samling_notifications.container import started_in
from samling_notifications.main import create
from samling_runtime.auth import Role, mint_token
from samling_runtime.clock import ManualClock
from samling_runtime.settings import ServiceSettings

from .facts import World, publish

pytestmark = pytest.mark.integration


def participant_headers(email: str) -> dict[str, str]:
    token = mint_token(
        ServiceSettings(), subject=f"u-{email}", roles=[Role.PARTICIPANT], email=email
    )
    return {"Authorization": f"Bearer {token}"}


def confirmed(world: World, n: int) -> RegistrationConfirmed:
    return RegistrationConfirmed(
        registration_id=f"reg_{world.run}_{n}",
        event_id=f"evt_{world.run}_1",
        participant_id=f"par_{world.run}_{n}",
        municipality_id="NO-1804",
    )


async def test_an_anonymised_participant_is_forgotten_as_on_erasure(
    stack: Stack, notifications_settings: Callable[..., Any]
) -> None:
    world = World()
    kari = world.participant(1)
    async with running(create(await notifications_settings())) as service:
        db = service.db
        await publish(stack.bootstrap, kari, confirmed(world, 1))

        async def notified() -> list[dict[str, Any]]:
            docs = await db.notifications.find({"recipient_id": kari.participant_id}).to_list()
            return docs if len(docs) == 2 else []

        notices = await eventually(notified)
        assert {n["channel"] for n in notices} == {"email", "inbox"}
        inbox = participant_headers(kari.email)
        (entry,) = (await service.client.get("/inbox", headers=inbox)).json()["items"]
        read = await service.client.put(f"/inbox/{entry['id']}/read", headers=inbox)
        assert read.status_code == 200

        await publish(stack.bootstrap, ParticipantAnonymised(participant_id=kari.participant_id))

        async def forgotten() -> dict[str, Any] | None:
            doc = await db.recipients.find_one({"_id": kari.participant_id})
            return doc if doc and doc.get("erased") else None

        person = await eventually(forgotten)
        assert not {"name", "email", "manage_url"} & set(person)
        for notice in await db.notifications.find({"recipient_id": kari.participant_id}).to_list():
            assert notice["params"] == {}  # what the message would be rendered from
            assert notice["erased"] is True
        assert await db.inbox_reads.count_documents({"recipient_id": kari.participant_id}) == 0
        assert await db.registrations.count_documents({"participant_id": kari.participant_id}) == 0
        assert (await service.client.get("/inbox", headers=inbox)).json()["items"] == []

        # The contact details arriving late (another topic, no common order) are discarded.
        (late,) = await publish(stack.bootstrap, kari)

        async def handled() -> bool:
            marker = {"_id": {"$regex": re.escape(f":{late.id}") + "$"}}
            return await db.processed_events.count_documents(marker) == 1

        await eventually(handled)
        after_late = await db.recipients.find_one({"_id": kari.participant_id})
        assert after_late is not None
        assert "email" not in after_late
        assert after_late["erased"] is True


async def test_old_notices_and_their_read_state_are_swept(
    stack: Stack, notifications_settings: Callable[..., Any]
) -> None:
    world = World()
    old, new = world.participant(1), world.participant(2)
    clock = ManualClock(datetime(2027, 1, 4, 8, 0, tzinfo=UTC))
    settings = await notifications_settings(notice_retention_days=180)
    async with running(create(settings, clock)) as service:
        db = service.db

        async def notices_of(participant_id: str) -> list[dict[str, Any]]:
            return await db.notifications.find({"recipient_id": participant_id}).to_list()

        await publish(stack.bootstrap, old, confirmed(world, 1))
        (kept_entry,) = await eventually(
            lambda: _inbox_entries(service.client, participant_headers(old.email))
        )
        await service.client.put(
            f"/inbox/{kept_entry['id']}/read", headers=participant_headers(old.email)
        )
        old_ids = [n["_id"] for n in await notices_of(old.participant_id)]
        assert len(old_ids) == 2
        assert await db.inbox_reads.count_documents({"_id": {"$in": old_ids}}) == 1

        clock.advance(timedelta(days=100))
        await publish(stack.bootstrap, new, confirmed(world, 2))

        async def both_channels() -> bool:
            return len(await notices_of(new.participant_id)) == 2

        await eventually(both_channels)
        scheduler = started_in(service.app).get().scheduler
        assert await scheduler.sweep_old_notices() == 0  # 100 days: nothing is old yet

        clock.advance(timedelta(days=81))  # the first notices are 181 days old, the others 81
        assert await scheduler.sweep_old_notices() == 2
        assert await notices_of(old.participant_id) == []
        assert await db.inbox_reads.count_documents({"_id": {"$in": old_ids}}) == 0
        assert len(await notices_of(new.participant_id)) == 2
        assert await scheduler.sweep_old_notices() == 0


async def _inbox_entries(client: Any, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await client.get("/inbox", headers=headers)).json()["items"]
    return items
