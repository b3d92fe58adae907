"""The coordinator's workspace in Debian's Chromium: signed in on the provider's own page,
the dashboard's count rises without a reload when someone registers through the public form,
and a person is checked in at the door on a 375 px phone. axe-core at 375 and 1280 px on
every page of the workspace, and no Content-Security-Policy refusal (the live figures come
from the app's own script)."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, expect

from services.web.tests.browser.registration_form import register_on_the_page
from services.web.tests.browser.test_browser import CHROMIUM, WIDTHS, audit, audit_each, browser
from services.web.tests.browser.test_signin_journey import sign_in_on_the_providers_page
from services.web.tests.workspace_world import Workspace, workspace

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (install.sh adds it)"),
]

__all__ = ["browser", "workspace"]  # the fixtures, used by name


def refusals(page: Page) -> list[str]:
    found: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            found.append(message.text)

    page.on("console", record)
    return found


async def register_on_the_public_form(browser: Browser, ws: Workspace, name: str) -> None:
    context = await browser.new_context(locale="nb-NO")
    page = await context.new_page()
    await page.goto(f"{ws.site}/events/{ws.today}")
    email = f"{name.split()[0].lower()}@example.no"
    await register_on_the_page(page, name, email, "NO-1841", "Rektor")
    await context.close()


async def test_the_count_rises_live_and_a_person_is_checked_in_on_a_phone(
    workspace: Workspace, browser: Browser
) -> None:
    context = await browser.new_context(viewport=WIDTHS["1280"], locale="nb-NO")
    page = await context.new_page()
    refused = refusals(page)
    await page.goto(f"{workspace.site}/")
    await sign_in_on_the_providers_page(page, workspace, "koordinator")
    await page.click("nav.account a[href='/workspace/dashboard']")
    await page.wait_for_url("**/workspace/dashboard")
    taken = page.locator(f"[data-event-id='{workspace.today}'] [data-figure='seats_taken']")
    before = int(await taken.inner_text())
    # Marks this document: a reload would make a new one without the mark.
    await page.evaluate("window.samlingMark = 'still here'")

    await register_on_the_public_form(browser, workspace, "Live Lunde")
    await expect(taken).to_have_text(str(before + 1), timeout=30_000)
    assert await page.evaluate("window.samlingMark") == "still here"
    await expect(page.locator("[data-figures-status]")).to_contain_text("Nettverksmøte")
    await audit(page, "workspace-dashboard-live-nb-1280")
    assert refused == []
    await context.close()

    phone = await browser.new_context(viewport=WIDTHS["375"], locale="nb-NO")
    page = await phone.new_page()
    await page.goto(f"{workspace.site}/")
    await sign_in_on_the_providers_page(page, workspace, "koordinator")
    await page.goto(f"{workspace.site}/workspace/dashboard")
    await page.click(f"a[href='/workspace/events/{workspace.today}/check-in']")
    await page.wait_for_url("**/check-in")
    await page.fill("#q", "Live")
    await page.click("form[role=search] button[type=submit]")
    await page.wait_for_url("**/check-in?q=Live")
    person = page.locator("li.checkin__person", has_text="Live Lunde")
    await person.get_by_role("button", name="Sjekk inn").click()
    await page.wait_for_selector("[role=status]")
    assert "Live Lunde er sjekket inn." in await page.inner_text("[role=status]")
    await expect(person.locator(".ds-tag")).to_have_text("Sjekket inn")
    await audit(page, "workspace-checkin-done-nb-375")
    await phone.close()
    people = {r["name"]: r for r in await workspace.registrations(workspace.today)}
    assert people["Live Lunde"]["attended"] is True


async def test_every_workspace_page_passes_axe_at_both_widths(
    workspace: Workspace, browser: Browser
) -> None:
    await workspace.register(workspace.today, "Aksel Aksesjon")
    pages = {
        "home": "/workspace",
        "dashboard": "/workspace/dashboard",
        "registrations": f"/workspace/events/{workspace.today}",
        "checkin": f"/workspace/events/{workspace.today}/check-in",
        "checkin-search": f"/workspace/events/{workspace.today}/check-in?q=ingen+slik",
    }
    for width, viewport in WIDTHS.items():
        context = await browser.new_context(viewport=viewport, locale="nb-NO")
        page = await context.new_page()
        refused = refusals(page)
        await page.goto(f"{workspace.site}/")
        await sign_in_on_the_providers_page(page, workspace, "koordinator")
        await audit_each(page, workspace.site, pages, "workspace", f"nb-{width}")
        assert refused == []
        await context.close()
