"""The browser journey of issue #17, from the mailbox, on a travelling clock.

A participant registers for a course on its page; her confirmation mail opens "my
registrations", where she names her manager; the manager's mail opens his page. Both write in
the conversation before the course. The course takes place (the clock moves past the "after"
conversation's due time, no sleeping); the "after" reminder reaches both in Mailpit and its
links open their pages, where both write, she marks it held and proposes to share it as a
report draft, and he agrees. The draft then appears, in the SMTTE template, at the events
API for her municipality's administrator (the administrator's page is another branch's). In
bokmål at 1280 px, with axe on each page.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import Browser, Page
from samling_devtools.testing import bearer, call, eventually
from samling_runtime.clock import Clock, TravellingClock

from services.web.tests.browser.test_browser import (  # noqa: F401 - fixtures used by name
    WIDTHS,
    audit,
    browser,
    site,
)
from services.web.tests.browser.test_mail_journey import link_to, mail_to, on_site
from services.web.tests.conftest import World

pytestmark = pytest.mark.integration

CLOCK = TravellingClock()
KARI = "kari.overforing@example.no"
OLA = "ola.leder.overforing@example.no"
BODO_ADMIN = bearer("u-admin-bodo", "municipality_admin", municipality_id="NO-1804")
AFTER_DAYS = 30
"""The events service's default ``transfer_after_days``."""


@pytest.fixture(scope="module")
def world_clock() -> Clock | None:
    return CLOCK


async def write(page: Page, conversation: str, field: str, text: str) -> None:
    await page.fill(f"#note-{conversation}-{field}", text)
    form = f"form[action$='/{conversation}/notes']:has(input[value='{field}'])"
    await page.click(f"{form} button[type=submit]")
    await page.wait_for_selector("[role=status]")
    assert text in await page.content()


async def test_a_plan_from_naming_the_manager_to_a_shared_report_draft(
    world: World,
    site: str,  # noqa: F811
    browser: Browser,  # noqa: F811
) -> None:
    starts = CLOCK.now().replace(microsecond=0) + timedelta(days=30)
    title = "Kurs: Lesestrategier i praksis"
    event_id = await world.plain(title, "course_seminar", starts)
    her = await browser.new_context(viewport=WIDTHS["1280"], locale="nb-NO")
    him = await browser.new_context(viewport=WIDTHS["1280"], locale="nb-NO")
    kari, ola = await her.new_page(), await him.new_page()

    # She registers on the course's page and opens "my registrations" from her mail.
    await kari.goto(f"{site}/events/{event_id}")
    await kari.fill("#name", "Kari Overføring")
    await kari.fill("#email", KARI)
    await kari.select_option("#municipality_id", "NO-1804")
    await kari.fill("#role", "Lærer")
    await kari.click("form[action$='/register'] button[type=submit]")
    await kari.wait_for_url("**/registered")
    confirmed = await mail_to(world, KARI, "registration.confirmed", title)
    await kari.goto(on_site(site, link_to(confirmed, r"/r/")))
    await audit(kari, "transfer-journey-my-registrations")

    # She names her manager; he is told, with his own link to the plan.
    await kari.fill("input[name=manager_name]", "Ola Leder")
    await kari.fill("input[name=manager_email]", OLA)
    await kari.click("form[action$='/manager'] button[type=submit]")
    await kari.wait_for_selector("[role=status]")
    await write(kari, "before", "goals_me", "Bruke lesestrategier i alle fag.")
    await audit(kari, "transfer-journey-before-participant")
    named = await mail_to(world, OLA, "transfer.manager_named", "Kari Overføring")
    await ola.goto(on_site(site, link_to(named, r"/t/")))
    assert "Bruke lesestrategier i alle fag." in await ola.content()
    await write(ola, "before", "goals_organisation", "Felles språk om lesing på trinnet.")
    await audit(ola, "transfer-journey-before-manager")
    # The conversation before the course was due when the plan was made: both were reminded.
    await mail_to(world, KARI, "transfer.reminder", "lederen din")
    await mail_to(world, OLA, "transfer.reminder", "med Kari Overføring")

    # The course takes place; the "after" conversation falls due a month later.
    ends = starts + timedelta(hours=6)
    CLOCK.set(ends + timedelta(days=AFTER_DAYS, minutes=1))
    after = f"samtalen etter «{title}»"

    async def reminded(address: str) -> str:
        message = await mail_to(world, address, "transfer.reminder", after)
        return on_site(site, link_to(message, r"/r/|/t/"))

    her_link, his_link = await reminded(KARI), await reminded(OLA)
    assert "/transfer/" in her_link  # her plan's page under her private link
    assert "/t/" in his_link
    await kari.goto(her_link)
    await audit(kari, "transfer-journey-after-participant")
    await write(kari, "after", "effect", "Elevene leser mer målrettet.")
    await ola.goto(his_link)
    await write(ola, "after", "went_well", "Lærerne deler opplegg med hverandre.")
    await audit(ola, "transfer-journey-after-manager")

    # She marks it held and proposes it as a report draft; he agrees.
    await kari.goto(her_link)
    await kari.click("form[action$='/after/held'] button[type=submit]")
    await kari.wait_for_selector("[role=status]")
    await kari.click("form[action$='/after/sharing/report_draft/propose'] button")
    await kari.wait_for_selector("[role=status]")
    await ola.goto(his_link)
    await ola.click("form[action$='/after/sharing/report_draft/agree'] button")
    await ola.wait_for_selector("[role=status]")
    await audit(ola, "transfer-journey-shared-manager")

    async def drafted() -> list[dict[str, object]] | None:
        drafts: list[dict[str, object]] = await call(
            world.events.client,
            "GET",
            "/municipalities/NO-1804/transfer/report-drafts",
            200,
            headers=BODO_ADMIN,
        )
        return [d for d in drafts if d["event_id"] == event_id] or None

    (draft,) = await eventually(drafted)
    assert draft["conversation"] == "after"
    assert draft["draft"] == {
        "context": [],
        "goals": [],
        "signs": [],
        "actions": [],
        "evaluation": ["Elevene leser mer målrettet.", "Lærerne deler opplegg med hverandre."],
    }
    await her.close()
    await him.close()
