"""Experience reports in Chromium (issue #13): Bodø's administrator signs in on the
provider's page, writes an SMTTE report (the error summary first), publishes it, finds it in
the report library (and so does Fauske's administrator, signed in on her own), withdraws it
after the confirmation page, and it is gone from both their libraries. A transfer conversation shared as a report draft (issue #17) is listed and opens the
SMTTE form filled in. axe-core at 375 and 1280 px on every page of the way, and no
Content-Security-Policy refusal in the console."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page
from samling_devtools.oidc import DemoUser

from services.web.tests.browser.test_browser import CHROMIUM, WIDTHS, audit, browser
from services.web.tests.browser.test_signin_journey import (
    Signed,
    provider,
    sign_in_on_the_providers_page,
    signed,
)
from services.web.tests.integration.test_report_pages import _shared_draft

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (install.sh adds it)"),
]

__all__ = ["browser", "provider", "signed"]  # the fixtures, used by name
FAUSKE_ADMIN = DemoUser("fauske-admin", "Frida Fauske", "frida@fauske.kommune.no",
                        ("municipality_admin",), region="rkk-salten", municipality="NO-1841")  # fmt: skip
"""Another municipality's administrator, signed in at the same provider."""


async def titles_in_the_library(page: Page, site: str, word: str) -> list[str]:
    await page.goto(f"{site}/reports")
    await page.fill("#q", word)
    await page.click("form[role=search] button[type=submit]")
    await page.wait_for_url("**/reports?**")
    return await page.locator(".report-list h2").all_inner_texts()


async def test_an_administrator_writes_publishes_finds_and_withdraws_a_report(
    signed: Signed, browser: Browser
) -> None:
    plan_id = await _shared_draft(signed)
    signed.provider.provider.users[FAUSKE_ADMIN.username] = FAUSKE_ADMIN
    refused: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    for width, viewport in WIDTHS.items():
        title = f"Lesevenner i Bodø {width}"
        context = await browser.new_context(viewport=viewport, locale="nb-NO")
        page = await context.new_page()
        page.on("console", record)
        await page.goto(f"{signed.site}/reports")
        await page.click(".report-arenas summary")  # the catalogue, opened to be checked too
        await audit(page, f"reports-library-anonymous-{width}")
        await sign_in_on_the_providers_page(page, signed, "bodo-admin")
        await page.click("nav.account a[href='/workspace/reports']")
        await page.wait_for_url("**/workspace/reports")
        assert await page.locator(f"input[name=plan][value='{plan_id}']").count() == 1
        await audit(page, f"reports-workspace-{width}")

        # The shared conversation opens the SMTTE form with its notes under their headings.
        await page.locator("form[action='/workspace/reports/new'] button").first.click()
        await page.wait_for_url("**/workspace/reports/new?**")
        assert await page.input_value("#context") == "Skolen satser på lesing."
        await audit(page, f"reports-form-from-transfer-{width}")

        await page.goto(f"{signed.site}/workspace/reports")
        await page.click("a[href='/workspace/reports/new?template=smtte']")
        await page.wait_for_url("**/workspace/reports/new?template=smtte")
        await audit(page, f"reports-form-smtte-{width}")
        await page.click("button[value=publish]")
        await page.wait_for_selector("#error-summary")
        assert await page.locator("#error-summary a[href='#title']").count() == 1
        await audit(page, f"reports-form-errors-{width}")

        await page.fill("#title", title)
        await page.fill("#context", "Tre skoler ville styrke lesingen på mellomtrinnet.")
        await page.fill("#goals", "Flere elever leser på fritida.")
        await page.check("#arena-reflection_group")
        await page.select_option("#level", "unit")
        await page.check("#visibility-public")
        await page.click("button[value=publish]")
        await page.wait_for_url("**/workspace/reports")
        assert f"«{title}» er publisert." in await page.inner_text("[role=status]")
        await audit(page, f"reports-published-{width}")

        assert title in await titles_in_the_library(page, signed.site, title.split()[-1])
        await audit(page, f"reports-library-found-{width}")
        elsewhere = await browser.new_context(viewport=viewport, locale="nb-NO")
        fauske = await elsewhere.new_page()
        await fauske.goto(f"{signed.site}/reports")
        await sign_in_on_the_providers_page(fauske, signed, FAUSKE_ADMIN.username)
        assert title in await titles_in_the_library(fauske, signed.site, title.split()[-1])
        await page.click(f"text={title}")
        await page.wait_for_url("**/reports/rep_*")
        assert await page.inner_text("h1") == title
        await audit(page, f"report-smtte-{width}")

        await page.goto(f"{signed.site}/workspace/reports")
        card = page.locator("li.report-card", has_text=title)
        await card.locator("a[href$='/withdraw']").click()
        await page.wait_for_url("**/withdraw")
        await audit(page, f"reports-withdraw-confirm-{width}")
        await page.click("form[action$='/withdraw'] button[type=submit]")
        await page.wait_for_url("**/workspace/reports")
        assert "er trukket tilbake" in await page.inner_text("[role=status]")
        assert title not in await titles_in_the_library(page, signed.site, title.split()[-1])
        assert title not in await titles_in_the_library(fauske, signed.site, title.split()[-1])
        await elsewhere.close()
        assert refused == []
        await context.close()


async def test_the_report_pages_pass_axe_in_english_at_both_widths(
    signed: Signed, browser: Browser
) -> None:
    for width, viewport in WIDTHS.items():
        context = await browser.new_context(viewport=viewport, locale="en-GB")
        page = await context.new_page()
        await page.goto(f"{signed.site}/language/en?next=/reports")
        assert await page.inner_text("h1") == "Report library"
        await audit(page, f"reports-library-en-{width}")
        await sign_in_on_the_providers_page(page, signed, "bodo-admin")
        await page.goto(f"{signed.site}/workspace/reports")
        assert await page.inner_text("h1") == "Experience reports"
        await audit(page, f"reports-workspace-en-{width}")
        for template in ("practice", "free_text"):
            await page.goto(f"{signed.site}/workspace/reports/new?template={template}")
            await page.click("button[value=draft]")
            await page.wait_for_selector("#error-summary")
            assert "Enter a title" in await page.inner_text("#error-summary")
            await audit(page, f"reports-form-{template}-errors-en-{width}")
        await context.close()
