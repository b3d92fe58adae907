"""The municipality administrator's memberships, contact persons and staff, and the
coordinator's networks, in Debian's Chromium: signed in on the provider's own page, Bodø's
administrator joins a network, leaves it (after the confirmation page), sees both in the
history, corrects and saves the contact persons and finds her staff's registrations; the
coordinator posts an announcement that a visitor then reads on the network's public page.
axe-core on every new page at 375 and 1280 px, and no Content-Security-Policy refusal."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page, expect
from samling_devtools.testing import call, unique

from services.web.tests.browser.test_browser import CHROMIUM, WIDTHS, audit, browser
from services.web.tests.browser.test_signin_journey import sign_in_on_the_providers_page
from services.web.tests.browser.test_workspace_journey import refusals
from services.web.tests.workspace_world import Workspace, workspace

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (install.sh adds it)"),
]

__all__ = ["browser", "workspace"]  # the fixtures, used by name
DAY = r"\d{1,2}\. \w+ \d{4}"


async def _network(ws: Workspace, name: str) -> str:
    created = await call(ws.network.client, "POST", "/networks", 201,
                         headers=ws.token("koordinator"), json={"name": name, "field": "health"})  # fmt: skip
    network_id: str = created["id"]
    return network_id


async def _signed_in(browser: Browser, ws: Workspace, username: str, width: str) -> Page:
    context = await browser.new_context(viewport=WIDTHS[width], locale="nb-NO")
    page = await context.new_page()
    await page.goto(f"{ws.site}/")
    await sign_in_on_the_providers_page(page, ws, username)
    return page


async def _join_and_leave(page: Page, ws: Workspace, name: str, width: str) -> None:
    await page.click("nav.account a[href='/workspace/memberships']")
    await page.wait_for_url("**/workspace/memberships")
    await audit(page, f"admin-memberships-nb-{width}")
    await page.locator("li", has_text=name).get_by_role("button", name="Bli med").click()
    await expect(page.locator("[role=status]")).to_contain_text(
        f"Kommunen din er nå medlem av {name}."
    )
    await audit(page, f"admin-memberships-joined-nb-{width}")
    await page.locator("li", has_text=name).get_by_role("link", name="Gå ut av").click()
    await page.wait_for_url("**/leave")
    await expect(page.locator("h1")).to_have_text("Gå ut av nettverket?")
    await audit(page, f"admin-leave-nb-{width}")
    await page.get_by_role("button", name="Ja, gå ut av nettverket").click()
    await page.wait_for_url("**/workspace/memberships")
    await expect(page.locator("[role=status]")).to_contain_text(
        f"Kommunen din har gått ut av {name}."
    )
    row = page.locator("tr", has_text=name)
    joined, left = await row.locator("td").all_inner_texts()
    assert re.fullmatch(DAY, joined), joined
    assert left == joined  # joined and left today: both dates in the history
    # Left, it can be joined again.
    await expect(page.locator("li", has_text=name).get_by_role("button")).to_have_count(1)


async def _edit_contacts(page: Page, width: str) -> None:
    await page.click("nav.account a[href='/workspace/contacts']")
    await page.wait_for_url("**/workspace/contacts")
    await audit(page, f"admin-contacts-nb-{width}")
    await page.fill("#name-0", "Åse Ørnes")
    await page.fill("#email-0", "ase.ornes@bodo.kommune.no")
    await page.fill("#role-0", "Kommunalsjef oppvekst")
    await page.select_option("#language-0", "nn")
    await page.fill("#name-1", "Bjørn Berg")
    await page.fill("#email-1", "bjørn at bodø")
    await page.get_by_role("button", name="Lagre kontaktpersonene").click()
    summary = page.locator("#error-summary")
    await expect(summary).to_contain_text("Kontaktperson 2, E-post")
    await expect(page.locator("#email-1-error")).to_be_visible()
    await expect(page.locator("#name-0")).to_have_value("Åse Ørnes")  # kept
    await audit(page, f"admin-contacts-errors-nb-{width}")
    await page.fill("#email-1", "bjorn.berg@bodo.kommune.no")
    await page.get_by_role("button", name="Lagre kontaktpersonene").click()
    await expect(page.locator("[role=status]")).to_contain_text("Kontaktpersonene er lagret.")
    await expect(page.locator("#email-1")).to_have_value("bjorn.berg@bodo.kommune.no")
    await expect(page.locator("#role-0")).to_have_value("Kommunalsjef oppvekst")


async def test_the_administrator_joins_leaves_edits_contacts_and_sees_her_staff(
    workspace: Workspace, browser: Browser
) -> None:
    for width in WIDTHS:
        name = f"Helsenettverket {width} {unique('n')}"
        await _network(workspace, name)
        staff = f"Stine Stab {width}"
        await workspace.register(workspace.later, staff, "NO-1804")
        page = await _signed_in(browser, workspace, "bodo-admin", width)
        refused = refusals(page)
        await _join_and_leave(page, workspace, name, width)
        await _edit_contacts(page, width)
        await page.click("nav.account a[href='/workspace/staff']")
        await page.wait_for_url("**/workspace/staff")
        row = page.locator("tr", has_text=staff)
        await expect(row).to_contain_text("Verksted: Skriving")
        await expect(row).to_contain_text("Bekreftet")
        await audit(page, f"admin-staff-nb-{width}")
        assert refused == []
        await page.context.close()


async def test_the_coordinator_posts_an_announcement_a_visitor_reads(
    workspace: Workspace, browser: Browser
) -> None:
    for width in WIDTHS:
        title = f"Søk kompetansemidler innen 1. mars ({width})"
        page = await _signed_in(browser, workspace, "koordinator", width)
        refused = refusals(page)
        await page.click("nav.account a[href='/workspace/networks']")
        await page.wait_for_url("**/workspace/networks")
        await audit(page, f"coordinator-networks-nb-{width}")
        await page.click(f"a[href='/workspace/networks/{workspace.network_id}']")
        await expect(page.locator("tr", has_text="Bodø")).to_contain_text("Fortsatt medlem")
        await audit(page, f"coordinator-network-nb-{width}")
        await page.get_by_role("button", name="Publiser kunngjøringen").click()
        await expect(page.locator("#error-summary")).to_contain_text("Skriv en tittel")
        await audit(page, f"coordinator-network-errors-nb-{width}")
        await page.fill("#title", title)
        await page.fill("#body", "RKK Salten hjelper med søknaden.")
        await page.get_by_role("button", name="Publiser kunngjøringen").click()
        await expect(page.locator("[role=status]")).to_contain_text(f"«{title}» er publisert")
        await audit(page, f"coordinator-network-posted-nb-{width}")
        assert refused == []
        await page.context.close()

        visitor = await browser.new_context(viewport=WIDTHS[width], locale="nb-NO")
        public = await visitor.new_page()
        await public.goto(f"{workspace.site}/networks/{workspace.network_id}")
        await expect(public.locator("article", has_text=title)).to_contain_text(
            "RKK Salten hjelper med søknaden."
        )
        await visitor.close()
