"""Every link in every kind of mail lands on a page of the web app that answers 200 with HTML
in the mail's language, with a heading.

The mails are real: the network, events and notifications services run against Kafka,
FerretDB and Mailpit. Most kinds are caused by their facts (a contact person's invitation, a
registration confirmed, waitlisted, cancelled, a seat offered, an announcement); the rest
(approval, reminders, pre-work, changes, cancellation, follow-up, digest, reports) are queued
on the notifications service's own delivery worker with the parameters its fact handlers give
them, so they go through the same builder, links, SMTP and mailbox. Each link is then followed
as a browser would: on the web app, and the one-click unsubscribe on the notifications API,
which sends a browser on to the web app's confirm page.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from samling_devtools.testing import bearer, call, eventually
from samling_events.adapters.api.tokens import manage_token
from samling_events.settings import EventsSettings
from samling_notifications.adapters.delivery import DeliveryWorker
from samling_notifications.adapters.store.notices import event_params
from samling_notifications.container import started_in
from samling_notifications.domain.notices import Draft, Kind, Recipient, RecipientType

from services.web.tests.conftest import COORDINATOR, World, hidden
from services.web.tests.integration.test_pages import person, send_form

pytestmark = pytest.mark.integration

CONTACT = "ase.ornes@bodo.example.no"
BODO_ADMIN = bearer("u-admin-bodo", "municipality_admin", municipality_id="NO-1804")
LINK = re.compile(r"https?://[^\s\"'<>]+")


def parsed(data: bytes) -> EmailMessage:
    message: EmailMessage = message_from_bytes(data, policy=policy.default)
    return message


def links_of(message: EmailMessage) -> set[str]:
    """Every http(s) link in the text and HTML parts, and the List-Unsubscribe header's."""
    found: set[str] = set()
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            text = part.get_content().replace("&amp;", "&")
            found |= {link.rstrip(".,;)") for link in LINK.findall(text)}
    if message["List-Unsubscribe"]:
        found.add(str(message["List-Unsubscribe"]).strip("<>"))
    return found


async def open_page(world: World, link: str, language: str) -> httpx.Response:
    """GET a link as a browser would, following redirects between the services' hosts."""
    clients = {
        "web": world.web.client,
        "events": world.events.client,
        "notifications": world.notifications.client,
    }
    for _ in range(5):
        url = urlsplit(link)
        path = url.path + (f"?{url.query}" if url.query else "")
        response = await clients[url.hostname or ""].get(
            path, headers={"Accept-Language": language}, follow_redirects=False
        )
        if response.status_code not in (301, 302, 303, 307):
            return response
        link = response.headers["location"]
    raise AssertionError(f"{link}: too many redirects")


async def set_contacts(world: World, contacts: list[dict[str, str]]) -> None:
    """Bodø's contact persons (name, email, language), once the notifications service knows
    them all."""
    await call(world.network.client, "PUT", "/municipalities/NO-1804/contacts", 200,
               headers=COORDINATOR, json={"contacts": contacts})  # fmt: skip
    emails = [c["email"] for c in contacts]

    async def known() -> bool:
        found = await world.notifications.db["recipients"].count_documents(
            {"email": {"$in": emails}, "active": {"$ne": False}}
        )
        return found == len(emails)

    await eventually(known, timeout=30)


async def _contact_person(world: World) -> None:
    await set_contacts(world, [{"name": "Åse Ørnes", "email": CONTACT, "language": "nn"}])


async def _register(world: World, event_id: str, who: dict[str, str]) -> None:
    async with world.browser() as browser:
        sent = await send_form(browser, event_id, **who)
        assert sent.status_code == 303, sent.text


async def _name_a_manager(world: World, who: dict[str, str], manager: str) -> None:
    """A course's participant names her manager on her plan's page: the manager is told, and
    the conversation before the course falls due at once (both get its reminder)."""
    event_id = await world.plain(
        "Kurs: Alle lenker", "course_seminar", world.starts + timedelta(days=40)
    )
    await _register(world, event_id, who)
    registration = next(
        r for r in await world.registrations(event_id) if r["email"] == who["email"]
    )
    secret = EventsSettings().participant_secret.get_secret_value()
    mine = f"/r/{manage_token(registration['participant_id'], secret)}"
    plan = f"{mine}/transfer/{registration['id']}"
    async with world.browser() as browser:
        page = await browser.get(mine)  # "my registrations", with the form naming the manager
        named = await browser.post(
            f"{plan}/manager",
            data={"csrf_token": hidden(page.text, "csrf_token"), "manager_name": "Ola Lenke",
                  "manager_email": manager},
        )  # fmt: skip
        assert named.status_code == 303, named.text


async def write_report(world: World, title: str, visibility: str) -> str:
    created = await call(
        world.network.client,
        "POST",
        "/reports",
        201,
        headers=BODO_ADMIN,
        json={
            "title": title,
            "body": {"template": "free_text", "text": "Lesevenner på tvers av trinn."},
            "tags": {"learning_arenas": ["reflection_group"], "language": "nb"},
            "network_ids": [world.network_id] if visibility == "network" else [],
            "visibility": visibility,
        },
    )
    await call(world.network.client, "POST", f"/reports/{created['id']}/publish", 200,
               headers=BODO_ADMIN)  # fmt: skip
    report_id: str = created["id"]

    async def scoped() -> bool:  # the notifications service knows who may read it
        return await world.notifications.db["reports"].find_one({"_id": report_id}) is not None

    await eventually(scoped, timeout=30)
    return report_id


async def _queue_the_other_kinds(
    world: World, event_id: str, participant_id: str, contact_id: str, reports: dict[str, str]
) -> list[Kind]:
    """The kinds no step above caused, queued as their fact handlers queue them."""
    delivery: DeliveryWorker = started_in(world.notifications.app).get().delivery
    stores = delivery.stores
    details = await event_params(stores, event_id)
    participant = Recipient(id=participant_id, type=RecipientType.PARTICIPANT)
    contact = Recipient(id=contact_id, type=RecipientType.CONTACT)
    task = {"task": "Les kapittel 3", "due_at": details["starts_at"]}
    drafts: list[tuple[Kind, Recipient, dict[str, str], dict[str, Any]]] = [
        (Kind.REGISTRATION_APPROVED, participant, {"event_id": event_id}, {}),
        (Kind.REGISTRATION_DECLINED, participant, {"event_id": event_id}, {}),
        (Kind.EVENT_UPDATED, participant, {"event_id": event_id}, {}),
        (
            Kind.EVENT_RESCHEDULED,
            participant,
            {"event_id": event_id},
            {"previous_starts_at": details["starts_at"]},
        ),
        (Kind.EVENT_CANCELLED, participant, {"event_id": event_id}, {"reason": "Storm"}),
        (Kind.EVENT_REMINDER, participant, {"event_id": event_id}, {}),
        (Kind.ASSIGNMENT_ASSIGNED, participant, {"event_id": event_id}, task),
        (Kind.ASSIGNMENT_REMINDER, participant, {"event_id": event_id}, task),
        (Kind.ASSIGNMENT_DUE, participant, {"event_id": event_id}, task),
        (Kind.EVENT_FOLLOWUP, participant, {"event_id": event_id}, {}),
        (
            Kind.REPORT_PUBLISHED,
            contact,
            {"report_id": reports["network"]},
            {"report": "Lesevenner (nettverket)"},
        ),
        (
            Kind.REPORT_REVISED,
            contact,
            {"report_id": reports["public"]},
            {"report": "Lesevenner (alle)"},
        ),
        (Kind.DIGEST, contact, {}, {"item_ids": []}),
    ]
    for kind, recipient, refs, params in drafts:
        await delivery.queue(
            Draft(
                kind=kind,
                source_event_id=f"test-{uuid.uuid4().hex}",
                recipients=[recipient],
                refs=refs,
                params={**details, **params} if "event_id" in refs else params,
            )
        )
    return [kind for kind, *_ in drafts]


async def test_every_link_in_every_mail_lands_on_a_page(world: World) -> None:
    await _contact_person(world)
    event_id = await world.publish("Dialogkonferanse: Alle lenker", 1, days=3)
    kari, per = person("Kari Lenke"), person("Per Lenke", "NO-1841")
    await _register(world, event_id, kari)  # a seat
    await _register(world, event_id, per)  # the waiting list
    by_status = {r["status"]: r for r in await world.registrations(event_id)}
    secret = EventsSettings().participant_secret.get_secret_value()
    kari_link = f"/r/{manage_token(by_status['confirmed']['participant_id'], secret)}"
    async with world.browser() as browser:  # Kari cancels: Per is offered the seat
        page = await browser.get(f"{kari_link}/cancel/{by_status['confirmed']['id']}")
        cancelled = await browser.post(
            f"{kari_link}/cancel/{by_status['confirmed']['id']}",
            data={"csrf_token": hidden(page.text, "csrf_token")},
        )
        assert cancelled.status_code == 303
    await call(world.network.client, "POST", f"/networks/{world.network_id}/announcements", 201,
               headers=COORDINATOR,
               json={"title": "Ny runde med kompetansemidler", "body": "Søk innen 1. mars.",
                     "language": "nb"})  # fmt: skip
    reports = {v: await write_report(world, f"Lesevenner ({v})", v) for v in ("network", "public")}
    tora, manager = person("Tora Lenke"), "ola.lenke@example.no"
    await _name_a_manager(world, tora, manager)
    contact = await world.notifications.db["recipients"].find_one({"email": CONTACT})
    assert contact is not None
    queued = await _queue_the_other_kinds(
        world, event_id, by_status["waitlisted"]["participant_id"], contact["_id"], reports
    )
    by_facts = {Kind.EVENT_INVITATION, Kind.ANNOUNCEMENT, Kind.REGISTRATION_CONFIRMED,
                Kind.REGISTRATION_WAITLISTED, Kind.REGISTRATION_CANCELLED,
                Kind.REGISTRATION_PROMOTED, Kind.TRANSFER_MANAGER_NAMED,
                Kind.TRANSFER_REMINDER}  # fmt: skip
    every_kind = by_facts | set(queued)

    def mails() -> dict[str, EmailMessage]:
        found = {}
        for received in world.mailbox.messages():
            message = parsed(received.data)
            people = (CONTACT, kari["email"], per["email"], tora["email"], manager)
            if any(a in str(message["To"]) for a in people):
                found[f"{message['X-Samling-Kind']} to {message['To']}"] = message
        return found

    async def all_arrived() -> dict[str, EmailMessage] | None:
        found = mails()
        kinds = {str(m["X-Samling-Kind"]) for m in found.values()}
        # The plan's reminder goes to both of its people, each with their own link.
        reminded = [name for name in found if name.startswith(str(Kind.TRANSFER_REMINDER))]
        return found if kinds >= {str(k) for k in every_kind} and len(reminded) == 2 else None

    arrived = await eventually(all_arrived, timeout=60)
    assert arrived is not None
    checked, wrong = 0, list[str]()
    for name, message in sorted(arrived.items()):
        language = str(message["Content-Language"])
        links = links_of(message)
        assert links, f"{name}: no link at all"
        for link in sorted(links):
            response = await open_page(world, link, language)
            html = response.text
            lands = (
                response.status_code == 200
                and response.headers["content-type"].startswith("text/html")
                and f'<html lang="{language}"' in html
                and "<h1" in html
            )
            checked += 1
            if lands:
                continue
            wrong.append(f"{name}: {link} -> {response.status_code}")
    assert wrong == []
    assert checked >= 2 * len(every_kind)


async def test_the_preferences_page_changes_what_the_notifications_service_keeps(
    world: World,
) -> None:
    await _contact_person(world)
    contact = await world.notifications.db["recipients"].find_one({"email": CONTACT})
    assert contact is not None
    delivery: DeliveryWorker = started_in(world.notifications.app).get().delivery
    link = urlsplit(delivery.links.preferences(contact["_id"])).path
    token = link.rsplit("/", 1)[1]
    async with world.browser() as browser:
        page = await browser.get(link, headers={"Accept-Language": "nn"})
        assert page.status_code == 200
        assert '<html lang="nn"' in page.text
        assert page.headers["cache-control"] == "no-store"
        saved = await browser.post(
            link,
            data={
                "csrf_token": hidden(page.text, "csrf_token"),
                "email": "on",
                "digest": "weekly",
                "language": "en",
            },
        )
        assert saved.status_code == 303
        again = await browser.get(link)
        assert 'value="weekly" checked' in again.text
        forged = await browser.post(link, data={"csrf_token": "forged", "digest": "daily"})
        assert forged.status_code == 403
        kept = await call(world.notifications.client, "GET", "/preferences/link", 200,
                          params={"token": token})  # fmt: skip
        assert (kept["digest"], kept["language"], kept["inbox"]) == ("weekly", "en", False)
        assert kept["unsubscribed"] is False
        # The unsubscribe page asks first; the button unsubscribes.
        confirm = await browser.get(f"/unsubscribe/{token}")
        assert confirm.status_code == 200
        kept = await call(world.notifications.client, "GET", "/preferences/link", 200,
                          params={"token": token})  # fmt: skip
        assert kept["unsubscribed"] is False
        done = await browser.post(
            f"/unsubscribe/{token}", data={"csrf_token": hidden(confirm.text, "csrf_token")}
        )
        assert done.status_code == 200
        kept = await call(world.notifications.client, "GET", "/preferences/link", 200,
                          params={"token": token})  # fmt: skip
        assert kept["unsubscribed"] is True
        # Someone else's link, or a forged one, is a page that does not exist.
        assert (await browser.get(f"/preferences/{token[:-2]}xx")).status_code == 404
        assert (await browser.get(f"/unsubscribe/{token[:-2]}xx")).status_code == 404


async def test_a_members_only_report_opens_only_with_its_signed_link(world: World) -> None:
    report_id = await write_report(world, "Lesevenner (bare nettverket)", "network")
    public_id = await write_report(world, "Lesevenner (for alle)", "public")
    delivery: DeliveryWorker = started_in(world.notifications.app).get().delivery
    scope = await world.notifications.db["reports"].find_one({"_id": report_id})
    assert scope is not None
    now = delivery.runtime.clock.now()
    token = delivery.links.reader(report_id, "con_1", scope, now)
    async with world.browser() as browser:
        assert (await browser.get(f"/reports/{public_id}")).status_code == 200
        assert (await browser.get(f"/reports/{report_id}")).status_code == 404
        opened = await browser.get(f"/reports/{report_id}", params={"t": token})
        assert opened.status_code == 200
        assert "Lesevenner (bare nettverket)" in opened.text
        assert (
            "Erfaringsrapport frå Bodø"
            in (
                await browser.get(
                    f"/reports/{report_id}", params={"t": token}, headers={"Accept-Language": "nn"}
                )
            ).text
        )
        # Made for another report, tampered with, or expired: no report.
        assert (await browser.get(f"/reports/{public_id}", params={"t": token})).status_code == 404
        assert (
            await browser.get(f"/reports/{report_id}", params={"t": token[:-3] + "abc"})
        ).status_code == 404
        old = delivery.links.reader(report_id, "con_1", scope, now.replace(year=now.year - 1))
        assert (await browser.get(f"/reports/{report_id}", params={"t": old})).status_code == 404
