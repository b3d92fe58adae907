"""A registration waiting for its municipality: the contact persons are asked, by e-mail with a
link to the event's page in the web app, and the participant hears the answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from samling_contracts.events import RegistrationApproved, RegistrationAwaitingApproval
from samling_devtools.infra import Stack
from samling_devtools.mailpit import Mailpit
from samling_devtools.testing import eventually, running
from samling_notifications.main import create

from .facts import World, publish

pytestmark = pytest.mark.integration


def mails(sink: Mailpit, address: str) -> Callable[[], Any]:
    async def probe() -> Any:
        return sink.messages(to=address)

    return probe


async def test_the_municipality_is_asked_and_the_participant_told(
    stack: Stack, mailbox: Mailpit, notifications_settings: Callable[..., Any]
) -> None:
    world = World()
    facts = world.setup_facts(municipalities=1, contacts_each=1, language="en")
    scheduled = world.event()
    participant = world.participant(1)
    ids = {
        "registration_id": f"reg_{world.run}",
        "event_id": scheduled.event_id,
        "participant_id": participant.participant_id,
        "municipality_id": world.municipalities[0],
    }
    settings = await notifications_settings(app_url="https://samling.example/")
    async with running(create(settings)) as service:
        await publish(stack.bootstrap, *facts)
        await world.settled(service.db)
        await publish(
            stack.bootstrap,
            scheduled,
            participant,
            RegistrationAwaitingApproval(**ids, reason="unverified_municipality"),
        )
        contact = world.contacts[0].email
        mail = await eventually(lambda: _about(mailbox, contact, "Registration awaiting approval"))
        body = mail.to_json()
        assert body["subject"] == f"Registration awaiting approval: {scheduled.title}"
        assert f"https://samling.example/events/{scheduled.event_id}" in body["text"]
        assert participant.email not in body["text"]  # the municipality decides on the link

        await publish(stack.bootstrap, RegistrationApproved(**ids))
        (told,) = await eventually(mails(mailbox, participant.email))
        told_mail = told.to_json()
        assert told_mail["subject"] == f"Påmelding godkjent: {scheduled.title}"
        assert participant.manage_url in told_mail["text"]


async def _about(sink: Mailpit, address: str, subject: str) -> Any:
    found = [m for m in sink.messages(to=address) if m.to_json()["subject"].startswith(subject)]
    return found[0] if found else None
