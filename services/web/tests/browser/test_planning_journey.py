"""The coordinator plans in Debian's Chromium, signed in on the provider's own page: a
short-afternoon dialogue conference from the template, the conflict warning for the network's
workshop it overlaps (and, through htmx, its going away while another date is typed, with no
reload), publishing it, finding it on the public calendar, and moving it with a message to
those registered. axe-core on every planning page at 375 and 1280 px (bokmål and English), no
and no Content-Security-Policy refusal in the console."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import product
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page, expect
from samling_devtools.testing import call

from services.web.tests.browser.test_browser import (
    CHROMIUM,
    LOCALES,
    WIDTHS,
    audit,
    audit_each,
    browser,
)
from services.web.tests.browser.test_signin_journey import sign_in_on_the_providers_page
from services.web.tests.browser.test_workspace_journey import refusals
from services.web.tests.workspace_world import Workspace, workspace

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (install.sh adds it)"),
]

__all__ = ["browser", "workspace"]  # the fixtures, used by name
OSLO = ZoneInfo("Europe/Oslo")
TITLE = "Dialogkonferanse: Vurdering for læring"


async def _starts(ws: Workspace, event_id: str) -> datetime:
    event = await call(ws.events.client, "GET", f"/events/{event_id}", 200,
                       headers=ws.token("koordinator"))  # fmt: skip
    return datetime.fromisoformat(event["starts_at"]).astimezone(OSLO)


async def _plan_the_conference(page: Page, ws: Workspace, at: datetime) -> str:
    """From the menu to the draft's planning page; the draft's id."""
    await page.click("nav.account a[href='/workspace/planning']")
    await page.wait_for_url("**/workspace/planning")
    await page.click("a[href='/workspace/planning/conference']")
    await page.wait_for_url("**/workspace/planning/conference")
    await page.click("main form button[type=submit]")  # no shape chosen yet
    await expect(page.locator("#error-summary")).to_contain_text("Velg formen")
    await audit(page, "planning-template-error-nb-1280")
    await page.check("#template-short_afternoon")
    await page.click("main form button[type=submit]")
    await page.wait_for_url("**/conference/new?template=short_afternoon")
    await page.fill("#title", TITLE)
    await page.select_option("#network_id", ws.network_id)
    await page.fill("#starts_on", at.date().isoformat())
    await page.fill("#starts_time", at.strftime("%H:%M"))
    await page.fill("#venue", "Fauske hotell")
    await page.fill("#capacity", "40")
    await page.click("form.stacked-form button[type=submit]")
    await page.wait_for_url("**/workspace/planning/evt_*")
    return page.url.rsplit("/", 1)[-1]


async def _move_to(page: Page, day: date) -> None:
    """Types another date; an end date (an evening event that ends after midnight) moves along."""
    starts = date.fromisoformat(await page.input_value("#starts_on"))
    ends = await page.input_value("#ends_on") if await page.locator("#ends_on").count() else ""
    await page.fill("#starts_on", day.isoformat())
    if ends:
        await page.fill("#ends_on", (date.fromisoformat(ends) + (day - starts)).isoformat())
    await page.dispatch_event("#starts_on", "change")


async def test_a_short_afternoon_is_planned_warned_of_published_found_and_moved(
    workspace: Workspace, browser: Browser
) -> None:
    ws = workspace
    workshop = await _starts(ws, ws.later)  # "Verksted: Skriving", same network
    context = await browser.new_context(viewport=WIDTHS["1280"], locale="nb-NO")
    page = await context.new_page()
    refused = refusals(page)
    await page.goto(f"{ws.site}/")
    await sign_in_on_the_providers_page(page, ws, "koordinator")
    event_id = await _plan_the_conference(page, ws, workshop)

    conflicts = page.locator("#conflicts")
    await expect(conflicts).to_contain_text("Overlapper med «Verksted: Skriving»")
    await expect(conflicts).to_contain_text("i samme nettverk")
    await expect(page.locator("#agenda-0-title")).to_have_value("Del 2: Praksiseksempler")
    await audit(page, "planning-draft-nb-1280")

    # Another date being typed: htmx asks again, and the warning goes, without a reload.
    await page.evaluate("window.samlingMark = 'still here'")
    await _move_to(page, (workshop - timedelta(days=7)).date())
    await expect(conflicts).not_to_contain_text("Overlapper", timeout=10_000)
    assert await page.evaluate("window.samlingMark") == "still here"
    await _move_to(page, workshop.date())
    await expect(conflicts).to_contain_text("Overlapper med «Verksted: Skriving»")

    await page.click("form[action$='/publish'] button")
    await expect(page.locator("[role=status]")).to_contain_text("er publisert")
    # The calendar is read at most once in two seconds: look again until it lists it.
    calendar_link = page.locator(f"main a[href='/events/{event_id}']")
    for _ in range(20):
        await page.goto(f"{ws.site}/")
        if await calendar_link.count():
            break
        await page.wait_for_timeout(500)
    await expect(calendar_link.first).to_be_visible()

    await page.goto(f"{ws.site}/workspace/planning/{event_id}")
    await page.click(f"a[href='/workspace/planning/{event_id}/reschedule']")
    await page.wait_for_url("**/reschedule")
    await audit(page, "planning-reschedule-nb-1280")
    moved = workshop + timedelta(days=14)
    await page.fill("#starts_on", moved.date().isoformat())
    if await page.locator("#ends_on").count():  # an evening draft ended after midnight
        await page.fill("#ends_on", "")
    await page.fill("#starts_time", "12:00")
    await page.fill("#ends_time", "15:00")
    await page.fill("#message", "Vi flytter to uker; samme sted.")
    await page.click("form.stacked-form button[type=submit]")
    await expect(page.locator("[role=status]")).to_contain_text("har fått nytt tidspunkt")
    await expect(page.locator("#conflicts")).to_contain_text("Ingen andre arrangementer")
    assert refused == []
    await context.close()
    assert await _starts(ws, event_id) == datetime.combine(
        moved.date(), datetime.min.time().replace(hour=12), tzinfo=OSLO
    )


async def test_every_planning_page_passes_axe_at_both_widths_in_bokmal_and_english(
    workspace: Workspace, browser: Browser
) -> None:
    ws = workspace
    pages = {
        "home": "/workspace/planning",
        "new": "/workspace/planning/new",
        "template": "/workspace/planning/conference",
        "conference": "/workspace/planning/conference/new?template=two_days",
        "event": f"/workspace/planning/{ws.later}",
        "reschedule": f"/workspace/planning/{ws.later}/reschedule",
        "cancel": f"/workspace/planning/{ws.later}/cancel",
    }
    for (width, viewport), (language, locale) in product(WIDTHS.items(), LOCALES.items()):
        context = await browser.new_context(viewport=viewport, locale=locale)
        page = await context.new_page()
        refused = refusals(page)
        await page.goto(f"{ws.site}/")
        await sign_in_on_the_providers_page(page, ws, "koordinator")
        await audit_each(page, ws.site, pages, "planning", f"{language}-{width}")
        # The plain form sent empty: the errors beside the fields pass too.
        await page.goto(f"{ws.site}/workspace/planning/new")
        await page.fill("#capacity", "")
        await page.click("form.stacked-form button[type=submit]")
        await expect(page.locator("#error-summary")).to_be_visible()
        await audit(page, f"planning-new-errors-{language}-{width}")
        assert refused == []
        await context.close()
