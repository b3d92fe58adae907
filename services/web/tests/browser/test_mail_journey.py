"""Journeys (a) and (b) of issue #12, from the mailbox, in a real browser.

A municipality's contact person opens the invitation in Mailpit, follows its register link and
registers two colleagues (the event has one seat: the second waits); the first colleague's
confirmation mail opens "my registration", where she cancels; the second receives the offer
mail, follows it and accepts before the deadline. In bokmål at 1280 px, and in nynorsk and
English at 375 px, with axe on each page. Then the pages behind the mail footers and the report
and network links pass axe too.
"""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser
from samling_devtools.testing import call, eventually
from samling_notifications.container import started_in

from services.web.tests.browser.registration_form import register_on_the_page
from services.web.tests.browser.test_browser import (  # noqa: F401 - fixtures used by name
    LOCALES,
    WIDTHS,
    audit,
    browser,
    site,
)
from services.web.tests.conftest import COORDINATOR, World
from services.web.tests.integration.test_mail_links import set_contacts, write_report

pytestmark = pytest.mark.integration

CONTACTS = {"nb": "ase.nb@bodo.example.no", "nn": "nora.nn@bodo.example.no",
            "en": "emma.en@bodo.example.no"}  # fmt: skip
LINK = re.compile(r"https?://[^\s\"'<>]+")
ALL_LOCALES = {**LOCALES, "nn": "nn-NO"}


def parsed(data: bytes) -> EmailMessage:
    message: EmailMessage = message_from_bytes(data, policy=policy.default)
    return message


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


async def mail_to(world: World, address: str, kind: str, about: str) -> EmailMessage:
    """The first mail of ``kind`` to ``address`` that mentions ``about``."""

    async def arrived() -> EmailMessage | None:
        for received in world.mailbox.messages(to=address):
            message = parsed(received.data)
            if message["X-Samling-Kind"] == kind and about in text_of(message):
                return message
        return None

    return await eventually(arrived, timeout=60)


def on_site(base: str, link: str) -> str:
    """A mail's link as this test reaches the web app (the services run here as http://web)."""
    url = urlsplit(link)
    path = url.path + (f"?{url.query}" if url.query else "")
    return base + path


def link_to(message: EmailMessage, pattern: str) -> str:
    found: list[str] = [u for u in LINK.findall(text_of(message)) if re.search(pattern, u)]
    assert found, f"no link matching {pattern} in {message['Subject']}"
    return found[0]


async def _contacts(world: World) -> None:
    await set_contacts(
        world,
        [
            {"name": f"Kontakt {language}", "email": email, "language": language}
            for language, email in CONTACTS.items()
        ],
    )


async def _one_seat_with_offers(world: World, title: str, days: int) -> str:
    starts = world.starts + timedelta(days=days)
    created = await call(
        world.events.client,
        "POST",
        "/events",
        201,
        headers=COORDINATOR,
        json={
            "kind": "theme_day",
            "network_id": world.network_id,
            "title": title,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=6)).isoformat(),
            "venue": "Bodø rådhus, Kongens gate 1",
            "capacity": 1,
            "offer_hours": 48,
        },
    )
    event_id: str = created["id"]
    await call(world.events.client, "POST", f"/events/{event_id}/publish", 200,
               headers=COORDINATOR)  # fmt: skip
    return event_id


@pytest.mark.parametrize(("language", "width"), [("nb", "1280"), ("nn", "375"), ("en", "375")])
async def test_from_the_invitation_to_an_accepted_offer(
    world: World,
    site: str,  # noqa: F811
    browser: Browser,  # noqa: F811
    language: str,
    width: str,
) -> None:
    await _contacts(world)
    days = {"nb": 30, "nn": 31, "en": 32}[language]
    title = f"Temadag fra e-post ({language})"
    event_id = await _one_seat_with_offers(world, title, days)
    context = await browser.new_context(viewport=WIDTHS[width], locale=ALL_LOCALES[language])
    page = await context.new_page()
    tag = f"{language}-{width}"
    first, second = (f"{who}.{language}@example.no" for who in ("forste", "andre"))

    # The contact person's invitation: its register link opens the event page.
    invitation = await mail_to(world, CONTACTS[language], "event.invitation", title)
    assert invitation["Content-Language"] == language
    await page.goto(on_site(site, link_to(invitation, f"/events/{event_id}$")))
    assert await page.get_attribute("html", "lang") == language
    await audit(page, f"journey-event-{tag}")
    for name, email in ((f"Første {language}", first), (f"Andre {language}", second)):
        await page.goto(on_site(site, link_to(invitation, f"/events/{event_id}$")))
        await register_on_the_page(page, name, email, "NO-1804")
    await audit(page, f"journey-waiting-{tag}")  # the second waits

    # The first colleague's confirmation: "my registration", and she cancels.
    confirmation = await mail_to(world, first, "registration.confirmed", title)
    await page.goto(on_site(site, link_to(confirmation, "/r/")))
    await audit(page, f"journey-mine-{tag}")
    await page.click("a[href*='/cancel/']")
    await page.click("form.actions button[type=submit]")
    await page.wait_for_selector("[role=status]")

    # The second gets the offer, follows it and accepts before the deadline.
    offer = await mail_to(world, second, "registration.promoted", title)
    await page.goto(on_site(site, link_to(offer, "/r/")))
    await audit(page, f"journey-offer-{tag}")
    await page.click("form[action*='/accept/'] button[type=submit]")
    await page.wait_for_selector("[role=status]")
    await audit(page, f"journey-accepted-{tag}")
    statuses = {r["email"]: r["status"] for r in await world.registrations(event_id)}
    assert statuses == {first: "cancelled", second: "confirmed"}
    await context.close()


@pytest.mark.parametrize("language", ["nb", "en"])
async def test_the_pages_behind_the_mail_footers_and_links_pass_axe(
    world: World,
    site: str,  # noqa: F811
    browser: Browser,  # noqa: F811
    language: str,
) -> None:
    await _contacts(world)
    report_id = await write_report(world, f"Lesevenner ({language})", "network")
    delivery = started_in(world.notifications.app).get().delivery
    contact = await world.notifications.db["recipients"].find_one({"email": CONTACTS["nb"]})
    assert contact is not None
    scope = await world.notifications.db["reports"].find_one({"_id": report_id})
    assert scope is not None
    reader = delivery.links.reader(report_id, contact["_id"], scope, delivery.runtime.clock.now())
    preferences = on_site(site, delivery.links.preferences(contact["_id"]))
    pages = {
        "preferences": preferences,
        "unsubscribe": preferences.replace("/preferences/", "/unsubscribe/"),
        "report": f"{site}/reports/{report_id}?t={reader}",
        "network": f"{site}/networks/{world.network_id}",
    }
    for width, viewport in WIDTHS.items():
        context = await browser.new_context(viewport=viewport, locale=LOCALES[language])
        page = await context.new_page()
        for name, url in pages.items():
            await page.goto(url)
            assert await page.get_attribute("html", "lang") == language
            await audit(page, f"{name}-{language}-{width}")
        await context.close()
