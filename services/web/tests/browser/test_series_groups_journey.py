"""Recurring meetings, groups and evaluation results in Debian's Chromium, signed in on the
provider's own page as the coordinator: meetings every second Tuesday planned with the form,
seen together, one cancelled; a dialogue conference's groups allocated, one person moved,
allocated again with the move kept; the evaluation read after participants evaluated through
their private link. axe-core at 375 and 1280 px on every new page, no CSP refusals."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Browser, Page, expect
from samling_devtools.testing import call
from samling_events.adapters.api.tokens import manage_token
from samling_events.settings import EventsSettings

from services.web.tests.browser.test_browser import CHROMIUM, WIDTHS, audit, audit_each, browser
from services.web.tests.browser.test_signin_journey import sign_in_on_the_providers_page
from services.web.tests.browser.test_workspace_journey import refusals
from services.web.tests.integration.test_workspace_series_groups import (
    fortnightly,
    next_tuesday,
    series_of,
)
from services.web.tests.workspace_world import Workspace, workspace

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (install.sh adds it)"),
]

__all__ = ["browser", "workspace"]  # the fixtures, used by name
STARTS_IN = timedelta(seconds=75)
"""The conference starts soon after the groups are made, so it can be evaluated."""


@pytest.fixture(scope="module")
async def conference(workspace: Workspace) -> tuple[str, datetime]:
    """A published dialogue conference with people from Bodø and Fauske."""
    starts = datetime.now(UTC).replace(microsecond=0) + STARTS_IN
    names = ["Anne", "Bjørn", "Cecilie", "Dag", "Eli", "Frode"]
    people = {f"{name} Gruppe": "NO-1804" if n < 4 else "NO-1841" for n, name in enumerate(names)}
    return await workspace.conference("Dialogkonferanse: Skriving", starts, people), starts


async def evaluate(
    browser: Browser, ws: Workspace, participant_id: str, rating: int, comment: str
) -> None:
    """Through the private link in the participant's mail, on a phone."""
    secret = EventsSettings().participant_secret.get_secret_value()
    context = await browser.new_context(viewport=WIDTHS["375"], locale="nb-NO")
    page = await context.new_page()
    await page.goto(f"{ws.site}/r/{manage_token(participant_id, secret)}/evaluation")
    await page.check(f"input[name=rating][value='{rating}']")
    await page.check("#useful_for_practice")
    await page.fill("#comment", comment)
    await page.get_by_role("button", name="Send evalueringen").click()
    await expect(page.locator("[role=status]")).to_contain_text("Takk for evalueringen")
    await context.close()


async def signed_in_page(browser: Browser, ws: Workspace, width: str) -> tuple[Page, list[str]]:
    context = await browser.new_context(viewport=WIDTHS[width], locale="nb-NO")
    page = await context.new_page()
    refused = refusals(page)
    await page.goto(f"{ws.site}/")
    await sign_in_on_the_providers_page(page, ws, "koordinator")
    return page, refused


async def test_a_series_planned_seen_together_and_one_meeting_cancelled(
    workspace: Workspace, browser: Browser
) -> None:
    page, refused = await signed_in_page(browser, workspace, "1280")
    await page.click("nav.account a[href='/workspace/series']")
    await page.wait_for_url("**/workspace/series")
    await page.click("a[href='/workspace/series/new']")
    await page.wait_for_url("**/workspace/series/new")
    # Sent empty: the summary first, each message beside its field.
    await page.click("form.series-form button[type=submit]")
    await expect(page.locator("#error-summary")).to_be_visible()
    await expect(page.locator("#title-error")).to_contain_text("Skriv inn en tittel")
    await audit(page, "workspace-series-new-errors-nb-1280")

    first = next_tuesday()
    await page.fill("#title", "Nettverksmøte: Lesing")
    await page.select_option("#network_id", workspace.network_id)
    await page.fill("#first_date", first.isoformat())
    await page.select_option("#interval", "2")
    await page.fill("#count", "4")
    await page.fill("#starts", "18:00")
    await page.fill("#ends", "20:00")
    await page.fill("#venue", "Fauske hotell")
    await page.click("form.series-form button[type=submit]")
    await page.wait_for_url("**/workspace/series/ser_*")
    series_id = page.url.rsplit("/", 1)[1].split("#")[0]
    meetings = page.locator("li.series__meeting")
    await expect(meetings).to_have_count(4)
    # Every second Tuesday, shown together.
    headings = await page.locator("li.series__meeting h3").all_inner_texts()
    assert all(h.startswith("tirsdag") for h in headings), headings
    await audit(page, "workspace-series-nb-1280")

    await page.get_by_role("button", name="Publiser alle utkast (4)").click()
    await expect(page.locator("[role=status]")).to_contain_text("Publisert")
    await meetings.nth(1).get_by_role("link", name="Avlys dette møtet").click()
    await page.wait_for_url("**/cancel?occurrence=*")
    await page.fill("#reason", "Innleder er syk")
    await page.get_by_role("button", name="Ja, avlys").click()
    await page.wait_for_url(f"**/workspace/series/{series_id}*")
    await expect(meetings.nth(1).locator(".ds-tag")).to_have_text("Avlyst")
    await expect(meetings.nth(0).locator(".ds-tag")).to_have_text("Publisert")
    await audit(page, "workspace-series-one-cancelled-nb-1280")
    statuses = [m["status"] for m in await series_of(workspace, series_id)]
    assert statuses == ["published", "cancelled", "published", "published"]
    assert refused == []
    await page.context.close()


async def test_groups_moved_and_kept_then_the_evaluation_read(
    workspace: Workspace, browser: Browser, conference: tuple[str, datetime]
) -> None:
    event_id, starts = conference
    page, refused = await signed_in_page(browser, workspace, "1280")
    await page.goto(f"{workspace.site}/workspace/events/{event_id}")
    await page.click(f"a[href='/workspace/events/{event_id}/groups']")
    await page.wait_for_url("**/groups")
    await page.fill("#size", "3")
    await page.get_by_role("button", name="Fordel grupper").click()
    groups = page.locator("li.groups__group")
    await expect(groups).to_have_count(2)
    await expect(groups.nth(0)).to_contain_text("Kommuner: Bodø, Fauske")

    mover = groups.nth(0).locator(".groups__people > li").first
    name = await mover.locator(".people__name").inner_text()
    await mover.locator("select").select_option(label="Gruppe 2")
    await mover.get_by_role("button", name="Flytt").click()
    await expect(page.locator("[role=status]")).to_contain_text(f"{name} er flyttet.")
    await expect(groups.nth(1)).to_contain_text(name)

    await page.get_by_role("button", name="Fordel gruppene på nytt").click()
    await expect(page.locator("[role=status]")).to_contain_text("Gruppene er fordelt.")
    kept = groups.nth(1).locator(".groups__people > li", has_text=name)
    await expect(kept.locator(".ds-tag")).to_have_text("Flyttet for hånd")
    await expect(groups.nth(0)).not_to_contain_text(name)
    await audit(page, "workspace-groups-moved-kept-nb-1280")

    # Once it has begun, two participants evaluate through the link in their mail.
    await asyncio.sleep(max(0.0, (starts - datetime.now(UTC)).total_seconds() + 1))
    people = [r for r in await workspace.registrations(event_id) if r["status"] == "confirmed"]
    for person, (rating, comment) in zip(
        people, ((5, "Gode samtaler på tvers"), (3, "")), strict=False
    ):
        await evaluate(browser, workspace, person["participant_id"], rating, comment)

    await page.goto(f"{workspace.site}/workspace/events/{event_id}")
    await page.click(f"a[href='/workspace/events/{event_id}/evaluation']")
    await page.wait_for_url("**/evaluation")
    await expect(page.locator("[data-responses]")).to_have_text("Evalueringer mottatt: 2")
    await expect(page.locator("[data-question=rating]")).to_contain_text("Snitt 4 av 5")
    await expect(page.locator("[data-question=useful_for_practice]")).to_contain_text("Ja: 2 av 2")
    await expect(page.locator(".evaluation-comments")).to_contain_text("Gode samtaler på tvers")
    await audit(page, "workspace-evaluation-read-nb-1280")
    assert refused == []
    await page.context.close()


async def test_every_new_page_passes_axe_at_both_widths(
    workspace: Workspace, browser: Browser, conference: tuple[str, datetime]
) -> None:
    event_id, _ = conference
    made = await fortnightly(workspace, "Axe-møte", 3, 3)
    series = f"/workspace/series/{made['series_id']}"
    first = made["events"][0]["id"]
    await call(workspace.events.client, "POST", f"/events/{event_id}/groups", 200,
               headers=workspace.token("koordinator"), json={"size": 3})  # fmt: skip
    pages = {
        "series-list": "/workspace/series",
        "series-new": "/workspace/series/new",
        "series": series,
        "series-cancel-one": f"{series}/cancel?occurrence={first}",
        "series-cancel-all": f"{series}/cancel",
        "groups": f"/workspace/events/{event_id}/groups",
        "evaluation": f"/workspace/events/{event_id}/evaluation",
        "home": "/workspace",
    }
    for width in WIDTHS:
        page, refused = await signed_in_page(browser, workspace, width)
        await audit_each(page, workspace.site, pages, "workspace", f"nb-{width}")
        # A meeting's move form opened, and sent with a mistake: the message beside it.
        await page.goto(f"{workspace.site}{series}")
        meeting = page.locator(f"#m-{first}")
        await meeting.locator("summary").click()
        await meeting.locator(f"#ends-{first}").fill("17:00")
        await meeting.get_by_role("button", name="Flytt møtet").click()
        await expect(page.locator(f"#ends-{first}-error")).to_be_visible()
        await audit(page, f"workspace-series-move-error-nb-{width}")
        assert refused == [], refused
        await page.context.close()
