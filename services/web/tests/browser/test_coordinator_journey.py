"""Issue #13's coordinator journey, uninterrupted, in Debian's Chromium: signed in on the
provider's own page, the coordinator plans a short-afternoon dialogue conference from the
template and publishes it; the dashboard's count rises without a reload while people register
through the public form; she allocates groups and moves one person; on the day she checks a
person in on a 375 px phone; and once participants have evaluated through their private link,
she reads the evaluation. The events service and the web app share a travelling clock, so "on
the day" needs no waiting. axe-core on each page on the way, and no CSP refusal."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, expect
from samling_runtime.clock import Clock, TravellingClock

from services.web.tests.browser.registration_form import register_on_the_page
from services.web.tests.browser.test_browser import CHROMIUM, audit, browser
from services.web.tests.browser.test_planning_journey import _plan_the_conference
from services.web.tests.browser.test_series_groups_journey import evaluate, signed_in_page
from services.web.tests.workspace_world import Workspace, workspace

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (install.sh adds it)"),
]

__all__ = ["browser", "workspace"]  # the fixtures, used by name
CLOCK = TravellingClock()
OSLO = ZoneInfo("Europe/Oslo")
PEOPLE = [("Anne Ask", "NO-1804"), ("Bjørn Berg", "NO-1804"), ("Cecilie Coll", "NO-1841"),
          ("Dag Dahl", "NO-1841")]  # fmt: skip


@pytest.fixture(scope="module")
def world_clock() -> Clock | None:
    return CLOCK


async def register_on_the_public_form(
    browser: Browser, ws: Workspace, event_id: str, name: str, municipality_id: str
) -> None:
    context = await browser.new_context(locale="nb-NO")
    page = await context.new_page()
    await page.goto(f"{ws.site}/events/{event_id}")
    email = f"{name.split()[0].lower()}.journey@example.no"
    await register_on_the_page(page, name, email, municipality_id)
    await context.close()


async def test_the_coordinator_plans_watches_groups_checks_in_and_reads_the_evaluation(
    workspace: Workspace, browser: Browser
) -> None:
    ws = workspace
    day = (CLOCK.now().astimezone(OSLO) + timedelta(days=3)).date()
    starts = datetime.combine(day, datetime.min.time().replace(hour=12), tzinfo=OSLO)
    page, refused = await signed_in_page(browser, ws, "1280")

    # Planned from the short-afternoon template, then published.
    event_id = await _plan_the_conference(page, ws, starts)
    await page.click("form[action$='/publish'] button")
    await expect(page.locator("[role=status]")).to_contain_text("er publisert")

    # The dashboard's count rises as people register through the public form: no reload.
    await page.click("nav.account a[href='/workspace/dashboard']")
    await page.wait_for_url("**/workspace/dashboard")
    taken = page.locator(f"[data-event-id='{event_id}'] [data-figure='seats_taken']")
    await expect(taken).to_have_text("0")
    await page.evaluate("window.samlingMark = 'still here'")
    for name, municipality_id in PEOPLE:
        await register_on_the_public_form(browser, ws, event_id, name, municipality_id)
    await expect(taken).to_have_text(str(len(PEOPLE)), timeout=30_000)
    assert await page.evaluate("window.samlingMark") == "still here"
    await audit(page, "journey-dashboard-nb-1280")

    # Groups for part 3: allocated, one person moved.
    await page.goto(f"{ws.site}/workspace/events/{event_id}")
    await page.click(f"a[href='/workspace/events/{event_id}/groups']")
    await page.wait_for_url("**/groups")
    await page.fill("#size", "2")
    await page.get_by_role("button", name="Fordel grupper").click()
    groups = page.locator("li.groups__group")
    await expect(groups).to_have_count(2)
    mover = groups.nth(0).locator(".groups__people > li").first
    moved = await mover.locator(".people__name").inner_text()
    await mover.locator("select").select_option(label="Gruppe 2")
    await mover.get_by_role("button", name="Flytt").click()
    await expect(page.locator("[role=status]")).to_contain_text(f"{moved} er flyttet.")
    await expect(groups.nth(1)).to_contain_text(moved)
    await expect(groups.nth(0)).not_to_contain_text(moved)
    await audit(page, "journey-groups-nb-1280")
    assert refused == []
    await page.context.close()

    # The day: check-in at the door, on a phone.
    CLOCK.set(starts.astimezone(OSLO) - timedelta(minutes=30))
    phone, refused = await signed_in_page(browser, ws, "375")
    await phone.goto(f"{ws.site}/workspace/events/{event_id}/check-in")
    await phone.fill("#q", "Anne")
    await phone.click("form[role=search] button[type=submit]")
    person = phone.locator("li.checkin__person", has_text="Anne Ask")
    await person.get_by_role("button", name="Sjekk inn").click()
    await expect(phone.locator("[role=status]")).to_contain_text("Anne Ask er sjekket inn.")
    await audit(phone, "journey-checkin-nb-375")
    assert refused == []
    await phone.context.close()

    # Once it has begun, two participants evaluate; the coordinator reads the results.
    CLOCK.set(starts + timedelta(hours=4))
    people = {r["name"]: r for r in await ws.registrations(event_id)}
    assert people["Anne Ask"]["attended"] is True
    assert {r["status"] for r in people.values()} == {"confirmed"}
    await evaluate(browser, ws, people["Anne Ask"]["participant_id"], 5, "Vurdert til 5")
    await evaluate(browser, ws, people["Dag Dahl"]["participant_id"], 2, "Vurdert til 2")
    page, refused = await signed_in_page(browser, ws, "1280")
    await page.goto(f"{ws.site}/workspace/events/{event_id}")
    await page.click(f"a[href='/workspace/events/{event_id}/evaluation']")
    await page.wait_for_url("**/evaluation")
    await expect(page.locator("[data-responses]")).to_have_text("Evalueringer mottatt: 2")
    await expect(page.locator("[data-question=rating]")).to_contain_text("Snitt 3,5 av 5")
    await expect(page.locator(".evaluation-comments")).to_contain_text("Vurdert til 5")
    await audit(page, "journey-evaluation-nb-1280")
    assert refused == []
    await page.context.close()
