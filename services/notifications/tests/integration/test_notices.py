"""Facts in, notices out: e-mail (with .ics and unsubscribe links), the inbox, preferences."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from samling_contracts.events import (
    EventScheduled,
    ParticipantContactRecorded,
    RegistrationConfirmed,
)
from samling_contracts.network import ContactPersonsChanged
from samling_contracts.vocabulary import Language
from samling_devtools.infra import Stack
from samling_devtools.mailpit import Mailpit
from samling_devtools.testing import eventually, running
from samling_notifications.adapters.store.notices import event_params
from samling_notifications.container import started_in
from samling_notifications.domain.notices import Kind, Recipient, RecipientType
from samling_notifications.main import create
from samling_runtime.auth import Role, mint_token
from samling_runtime.clock import ManualClock
from samling_runtime.settings import ServiceSettings

from .facts import START, World, publish

pytestmark = pytest.mark.integration


def bearer(
    subject: str, email: str | None = None, role: Role = Role.PARTICIPANT, **claims: Any
) -> dict[str, str]:
    token = mint_token(ServiceSettings(), subject=subject, roles=[role], email=email, **claims)
    return {"Authorization": f"Bearer {token}"}


def mails(sink: Mailpit, address: str) -> Callable[[], Any]:
    async def probe() -> Any:
        return sink.messages(to=address)

    return probe


def a_registration(
    world: World,
) -> tuple[EventScheduled, ParticipantContactRecorded, RegistrationConfirmed]:
    """An event, a participant's address, and her confirmed registration for it."""
    scheduled = world.event()
    participant = world.participant(1)
    confirmed = RegistrationConfirmed(
        registration_id=f"reg_{world.run}",
        event_id=scheduled.event_id,
        participant_id=participant.participant_id,
        municipality_id="NO-1804",
    )
    return scheduled, participant, confirmed


async def email_log(db: Any, recipient_id: str) -> Any:
    """The delivery log of the recipient's (one) e-mail notice, once there is one."""
    notice = await db.notifications.find_one({"recipient_id": recipient_id, "channel": "email"})
    return notice and await db.deliveries.find_one({"_id": notice["_id"]})


async def test_invitations_confirmations_inbox_and_unsubscribe(
    stack: Stack, mailbox: Mailpit, notifications_settings: Callable[..., Any]
) -> None:
    world = World()
    facts = world.setup_facts(municipalities=2, contacts_each=1)
    world.contacts[1] = world.contacts[1].model_copy(update={"language": Language.SV})
    facts[-1] = facts[-1].model_copy(update={"contacts": [world.contacts[1]]})
    scheduled = world.event()
    participant = world.participant(1, language="nn")
    confirmed = RegistrationConfirmed(
        registration_id=f"reg_{world.run}",
        event_id=scheduled.event_id,
        participant_id=participant.participant_id,
        municipality_id=world.municipalities[0],
    )
    async with running(create(await notifications_settings())) as service:
        await publish(stack.bootstrap, *facts)
        await world.settled(service.db)
        await publish(stack.bootstrap, scheduled, participant, confirmed)

        nb_contact, sv_contact = (c.email for c in world.contacts)
        (nb_mail,) = await eventually(mails(mailbox, nb_contact))
        (sv_mail,) = await eventually(mails(mailbox, sv_contact))
        (confirmation,) = await eventually(mails(mailbox, participant.email))

        nb = nb_mail.to_json()
        assert nb["subject"] == f"Invitasjon: {scheduled.title}"
        assert f"Nettverk {world.run} inviterer" in nb["text"]
        assert "Bodø rådhus" in nb["html"]
        assert [a["filename"] for a in nb["attachments"]] == ["event.ics"]
        ics = nb["attachments"][0]["content"]
        assert f"UID:{scheduled.event_id}@samling.no" in ics
        assert "SEQUENCE:0" in ics
        assert nb["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert sv_mail.to_json()["subject"] == f"Inbjudan: {scheduled.title}"

        conf = confirmation.to_json()
        assert conf["subject"] == f"Påmelding stadfesta: {scheduled.title}"
        assert "Hei Deltaker 1," in conf["text"]
        assert "List-Unsubscribe" not in conf["headers"]  # about their own registration
        assert participant.manage_url in conf["text"]
        assert [a["filename"] for a in conf["attachments"]] == ["event.ics"]

        # The inbox of the contact person, found by the e-mail in their token.
        contact = bearer("u-contact-" + world.run, nb_contact, Role.MUNICIPALITY_ADMIN)
        page = (await service.client.get("/inbox", headers=contact)).json()
        assert [e["kind"] for e in page["items"]] == ["event.invitation"]
        entry = page["items"][0]
        assert entry["title"] == f"Invitasjon: {scheduled.title}"
        assert entry["read"] is False
        count = await service.client.get("/inbox/unread-count", headers=contact)
        assert count.json() == {"unread": 1}
        marked = await service.client.put(f"/inbox/{entry['id']}/read", headers=contact)
        assert marked.json() == {"id": entry["id"], "read": True}
        assert (await service.client.get("/inbox/unread-count", headers=contact)).json()[
            "unread"
        ] == 0
        await service.client.delete(f"/inbox/{entry['id']}/read", headers=contact)
        assert (await service.client.get("/inbox/unread-count", headers=contact)).json()[
            "unread"
        ] == 1
        # Someone else cannot see or mark it.
        stranger = bearer("u-stranger", "stranger@example.no")
        assert (
            await service.client.put(f"/inbox/{entry['id']}/read", headers=stranger)
        ).status_code == 404

        # The delivery log of the e-mail notice.
        email_id = nb["message_id"].strip("<>").split("@")[0]

        async def sent_logged() -> Any:
            response = await service.client.get(f"/notifications/{email_id}/log", headers=contact)
            body = response.json()
            return body if body.get("status") == "sent" else None

        log = await eventually(sent_logged)
        assert [line["status"] for line in log["log"]] == ["queued", "sent"]

        # One-click unsubscribe from the link in the mail: no more invitations by any channel.
        link = nb["headers"]["List-Unsubscribe"].strip("<>")
        path = link.split("127.0.0.1:8003", 1)[1]
        opened = await service.client.get(path)  # a browser: the web app's confirm page
        assert opened.status_code == 303
        assert opened.headers["location"].startswith("http://127.0.0.1:8000/unsubscribe/")
        response = await service.client.post(path)
        assert response.status_code == 200
        assert response.json()["unsubscribed"] is True
        assert (await service.client.post(path.replace("token=", "token=x"))).status_code == 400
        second = world.event("2")
        await publish(stack.bootstrap, second)
        await eventually(mails(mailbox, sv_contact), timeout=30)

        async def second_invitation_to_sv() -> Any:
            return len(mailbox.messages(to=sv_contact)) == 2

        await eventually(second_invitation_to_sv)
        assert len(mailbox.messages(to=nb_contact)) == 1


async def test_contact_persons_who_arrive_late_are_invited_to_upcoming_events_once(
    stack: Stack, mailbox: Mailpit, notifications_settings: Callable[..., Any]
) -> None:
    """A municipality joining after an event was announced, a new contact person, and facts
    on different topics consumed out of order all end in one invitation per person."""
    world = World()
    network, joined_first, contacts_first, joined_late, contacts_late = world.setup_facts(
        municipalities=2, contacts_each=1
    )
    first, late = world.contacts
    scheduled = world.event()
    async with running(create(await notifications_settings())) as service:
        db = service.db
        await publish(stack.bootstrap, network, joined_first, contacts_first)

        async def first_member_known() -> bool:
            return (
                await db.memberships.count_documents({"network_id": world.network_id}) == 1
                and await db.contact_lists.count_documents({"_id": world.municipalities[0]}) == 1
            )

        await eventually(first_member_known, timeout=60)
        await publish(stack.bootstrap, scheduled)
        await eventually(mails(mailbox, first.email))

        # The second municipality's contact list arrives before its membership: not yet a
        # member, no invitation; when it joins, its contact person is invited.
        await publish(stack.bootstrap, contacts_late)
        await publish(stack.bootstrap, joined_late)
        (invitation,) = await eventually(mails(mailbox, late.email))
        assert invitation.to_json()["subject"] == f"Invitasjon: {scheduled.title}"

        # A new contact person of the first municipality is invited; the one invited already
        # is not, and a repeat of the same list invites nobody again.
        newcomer = first.model_copy(
            update={"contact_id": f"con_{world.run}_new", "email": world.email("new")}
        )
        again = ContactPersonsChanged(
            municipality_id=world.municipalities[0], contacts=[first, newcomer]
        )
        await publish(stack.bootstrap, again)
        await eventually(mails(mailbox, newcomer.email))
        await publish(stack.bootstrap, again)
        # Same municipality, same partition: once the sentinel is invited, the repeat is done.
        sentinel = first.model_copy(
            update={"contact_id": f"con_{world.run}_last", "email": world.email("last")}
        )
        await publish(
            stack.bootstrap,
            ContactPersonsChanged(
                municipality_id=world.municipalities[0], contacts=[first, newcomer, sentinel]
            ),
        )
        await eventually(mails(mailbox, sentinel.email))
        for person in (first.email, late.email, newcomer.email, sentinel.email):
            assert len(mailbox.messages(to=person)) == 1, person


@pytest.mark.parametrize("clock", [None, ManualClock(START)], ids=["real-time", "frozen"])
async def test_a_notice_waits_for_an_address_that_arrives_later_on_another_topic(
    stack: Stack,
    mailbox: Mailpit,
    notifications_settings: Callable[..., Any],
    clock: ManualClock | None,
) -> None:
    """The confirmation is consumed before the participant's address (another topic, another
    consumer): the log tells why it waits, and it goes out once the address is known. With the
    clock frozen no backoff ever runs out: only the address's arrival can send it."""
    world = World()
    scheduled, participant, confirmed = a_registration(world)
    async with running(create(await notifications_settings(), clock)) as service:
        db = service.db
        await publish(stack.bootstrap, scheduled, confirmed)

        async def waiting() -> Any:
            log = await email_log(db, participant.participant_id)
            return log if log and log["status"] == "retrying" else None

        log = await eventually(waiting)
        assert log["reason"] == "no e-mail address known yet"
        assert mailbox.messages(to=participant.email) == []

        await publish(stack.bootstrap, participant)
        (confirmation,) = await eventually(mails(mailbox, participant.email), timeout=60)
        assert confirmation.to_json()["subject"] == f"Påmelding bekreftet: {scheduled.title}"

        async def sent() -> Any:
            found = await db.deliveries.find_one({"_id": log["_id"]})
            return found if found is not None and found["status"] == "sent" else None

        assert (await eventually(sent))["attempt"] >= 2
        assert len(mailbox.messages(to=participant.email)) == 1


async def test_a_notice_consumed_before_its_event_names_the_event_once_it_is_known(
    stack: Stack, mailbox: Mailpit, notifications_settings: Callable[..., Any]
) -> None:
    """The confirmation comes before the event's own fact (another topic): the mail waits for
    the event and then names it, and so does the inbox entry. The clock stands still, so it is
    the event's arrival that sends the mail."""
    world = World()
    scheduled, participant, confirmed = a_registration(world)
    async with running(create(await notifications_settings(), ManualClock(START))) as service:
        db = service.db
        await publish(stack.bootstrap, participant, confirmed)

        async def waiting_for_the_event() -> bool:
            log = await email_log(db, participant.participant_id)
            return bool(log and log["reason"] == "event details not known yet")

        await eventually(waiting_for_the_event)
        await publish(stack.bootstrap, scheduled)
        (confirmation,) = await eventually(mails(mailbox, participant.email), timeout=30)
        subject = f"Påmelding bekreftet: {scheduled.title}"
        assert confirmation.to_json()["subject"] == subject
        assert "Bodø rådhus" in confirmation.to_json()["text"]
        me = bearer(f"u-{world.run}", participant.email)
        (entry,) = (await service.client.get("/inbox", headers=me)).json()["items"]
        assert entry["title"] == subject


async def test_one_notice_queued_by_two_facts_at_once_is_sent_once(
    stack: Stack, mailbox: Mailpit, notifications_settings: Callable[..., Any]
) -> None:
    """Two facts handled at the same moment (a contact list and a membership, each inviting the
    same late-comer to the same event) queue the same notice in one batch: one mail."""
    world = World()
    scheduled = world.event()
    async with running(create(await notifications_settings())) as service:
        await publish(stack.bootstrap, scheduled)

        async def event_known() -> bool:
            return await service.db.events.count_documents({"_id": scheduled.event_id}) == 1

        await eventually(event_known, timeout=60)
        ctx = started_in(service.app).context()
        address = world.email("late")
        late = Recipient(
            id=f"con_{world.run}_late",
            type=RecipientType.CONTACT,
            name="Sen Kontakt",
            email=address,
            language="nb",
        )
        params = await event_params(ctx.stores, scheduled.event_id)
        queued = await asyncio.gather(
            *[
                ctx.notify(
                    Kind.EVENT_INVITATION,
                    f"src_{world.run}",
                    [late],
                    {"event_id": scheduled.event_id},
                    params,
                )
                for _ in range(2)
            ]
        )
        # The first queued its notices (e-mail and inbox), the second none of them.
        assert sorted(queued) == [0, 2]
        await eventually(mails(mailbox, address))
        # Time for a second copy to arrive, had one been queued.
        await asyncio.sleep(3)
        assert len(mailbox.messages(to=address)) == 1
