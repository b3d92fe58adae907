"""Who gets what: subscriptions by a person, digests by preference, transactional notices
that are never digested, and erasure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from samling_contracts.events import (
    ParticipantErased,
    RegistrationDeclined,
    RegistrationPromoted,
    RegistrationWaitlisted,
)
from samling_contracts.network import ReportPublished, ReportTags
from samling_devtools.infra import Stack
from samling_devtools.mailpit import Mailpit
from samling_devtools.testing import eventually, running
from samling_notifications.container import started_in
from samling_notifications.main import create
from samling_runtime.auth import Role, mint_token
from samling_runtime.clock import TravellingClock
from samling_runtime.settings import ServiceSettings

from .facts import START, World, publish

pytestmark = pytest.mark.integration


async def test_subscriptions_digests_transactional_notices_and_erasure(
    stack: Stack, mailbox: Mailpit, notifications_settings: Callable[..., Any]
) -> None:
    world = World()
    # Real time, moved by hand: Kari's address travels on another topic and may come after
    # her notices, which then look for it again a few (real) seconds later.
    clock = TravellingClock()
    clock.set(START - timedelta(days=30))
    reader = world.email("reader")
    token = mint_token(
        ServiceSettings(), subject=f"u-{world.run}", roles=[Role.PARTICIPANT], email=reader
    )
    person = {"Authorization": f"Bearer {token}"}
    kari = world.participant(1, language="en")
    event = world.event()
    base = {
        "event_id": event.event_id,
        "participant_id": kari.participant_id,
        "municipality_id": "NO-1804",
    }
    async with running(
        create(await notifications_settings(scheduler_poll_seconds=3600), clock)
    ) as service:
        client = service.client
        made = await client.post(
            "/subscriptions",
            json={"target": "report_tag", "value": "reflection_group"},
            headers={**person, "Idempotency-Key": world.run},
        )
        assert made.status_code == 201, made.text
        again = await client.post(
            "/subscriptions",
            json={"target": "report_tag", "value": "reflection_group"},
            headers=person,
        )
        assert again.status_code == 200  # subscribing twice keeps one subscription
        listed = (await client.get("/subscriptions", headers=person)).json()["items"]
        assert [s["value"] for s in listed] == ["reflection_group"]
        prefs = await client.put(
            "/preferences/me", json={"digest": "daily", "language": "nn"}, headers=person
        )
        assert prefs.json()["digest"] == "daily"

        reports = [
            ReportPublished(
                report_id=f"rep_{world.run}_{n}",
                municipality_id="NO-1804",
                region_id="rkk-salten",
                visibility="region",
                template="smtte",
                title=f"Lesevenner {n}",
                tags=ReportTags(learning_arenas=["reflection_group"], language="nn"),
            )
            for n in (1, 2)
        ]
        await publish(
            stack.bootstrap,
            *reports,
            event,
            kari,
            RegistrationWaitlisted(registration_id=f"reg_{world.run}", position=2, **base),
            RegistrationPromoted(
                registration_id=f"reg_{world.run}",
                offer_expires_at=START - timedelta(days=3),
                **base,
            ),
        )

        async def queued() -> bool:
            inbox = (await client.get("/inbox", headers=person)).json()["items"]
            return len(inbox) == 2

        await eventually(queued)
        assert mailbox.messages(to=reader) == []  # bundled for the daily digest, not sent
        inbox = (await client.get("/inbox", headers=person)).json()["items"]
        assert {e["title"] for e in inbox} == {
            "Ny erfaringsrapport: Lesevenner 1",
            "Ny erfaringsrapport: Lesevenner 2",
        }

        # Transactional notices go at once, in the participant's language, offer time included.
        async def kari_told() -> bool:
            return len(mailbox.messages(to=kari.email)) == 2

        await eventually(kari_told)
        subjects = sorted(m.to_json()["subject"] for m in mailbox.messages(to=kari.email))
        assert subjects == [f"A seat for you: {event.title}", f"Waiting list: {event.title}"]
        offer = next(
            m.to_json() for m in mailbox.messages(to=kari.email) if "seat" in m.to_json()["subject"]
        )
        assert "Accept it by" in offer["text"]

        # The digest goes out at its time: one mail listing both reports, in nynorsk.
        clock.advance(timedelta(days=1))
        scheduler = started_in(service.app).get().scheduler
        assert await scheduler.send_digests() == 1
        assert await scheduler.send_digests() == 0

        async def digested() -> Any:
            return mailbox.messages(to=reader)

        (digest,) = await eventually(digested)
        mail = digest.to_json()
        assert mail["subject"] == "Samling: 2 nye varsel"
        assert "Lesevenner 1" in mail["text"]
        assert "Lesevenner 2" in mail["text"]
        assert "List-Unsubscribe" in mail["headers"]

        # Erasure: the participant's address and unsent mail are gone; later notices skip them.
        await publish(
            stack.bootstrap,
            ParticipantErased(participant_id=kari.participant_id),
            RegistrationDeclined(registration_id=f"reg_{world.run}_2", **base),
        )

        async def erased() -> bool:
            doc = await service.db["recipients"].find_one({"_id": kari.participant_id})
            declined = await service.db["notifications"].find_one(
                {
                    "recipient_id": kari.participant_id,
                    "kind": "registration.declined",
                    "channel": "email",
                }
            )
            outcome = declined and await service.db["deliveries"].find_one({"_id": declined["_id"]})
            return bool(
                doc
                and doc.get("erased")
                and "email" not in doc
                and outcome
                and outcome["status"] == "skipped"
            )

        await eventually(erased)
        assert len(mailbox.messages(to=kari.email)) == 2
