"""The browser journey of issue #17, all the way through the web app, on a travelling clock.

A participant (the demo user Per Deltaker) registers for a course on its page without an
account, then signs in on the identity provider's page and reaches his registrations from the
menu ("My registrations", issue #13): he names his manager and opens the plan from there. The
manager's mail opens his page. Both write in the conversation before the course. The course
takes place (the clock moves past the "after" conversation's due time, no sleeping); the
"after" reminder reaches both in Mailpit and its links open their pages, where both write, he
marks it held and proposes to share it as a report draft, and she agrees. Bodø's
administrator then signs in on the provider's page and finds the draft in her report
workspace; it opens the SMTTE template filled in with their notes. In bokmål at 1280 px, with
axe on each page; the participant's own pages (registrations, inbox, preferences) at 375 px
too, and in English.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import Browser, Page
from samling_devtools.oidc import DEMO_USERS
from samling_runtime.clock import Clock, TravellingClock

from services.web.tests.browser.registration_form import register_on_the_page
from services.web.tests.browser.test_browser import (  # noqa: F401 - fixtures used by name
    WIDTHS,
    audit,
    browser,
)
from services.web.tests.browser.test_mail_journey import link_to, mail_to, on_site
from services.web.tests.browser.test_signin_journey import sign_in_on_the_providers_page
from services.web.tests.conftest import SignedWorld

pytestmark = pytest.mark.integration

CLOCK = TravellingClock()
PER = next(u for u in DEMO_USERS if u.username == "deltaker")
LISE = "lise.leder.overforing@example.no"
AFTER_DAYS = 30
"""The events service's default ``transfer_after_days``."""
EFFECT = "Elevene leser mer målrettet."
WENT_WELL = "Lærerne deler opplegg med hverandre."


@pytest.fixture(scope="module")
def world_clock() -> Clock | None:
    return CLOCK


async def write(page: Page, conversation: str, field: str, text: str) -> None:
    await page.fill(f"#note-{conversation}-{field}", text)
    form = f"form[action$='/{conversation}/notes']:has(input[value='{field}'])"
    await page.click(f"{form} button[type=submit]")
    await page.wait_for_selector("[role=status]")
    assert text in await page.content()


async def his_own_pages_at_both_widths(page: Page, site: str) -> None:
    """My registrations, my inbox (one notice marked read) and my preferences, audited."""
    for path, name in (("/me/inbox", "inbox"), ("/me/preferences", "preferences")):
        await page.click(f"nav.account a[href='{path}']")
        await page.wait_for_url(f"{site}{path}")
        for width in ("375", "1280"):
            await page.set_viewport_size(WIDTHS[width])
            await audit(page, f"transfer-journey-my-{name}-{width}")
    await page.goto(f"{site}/me/inbox")
    before = await page.inner_text("nav.account a[href='/me/inbox']")
    await page.locator("form[action$='/read'] button").first.click()
    await page.wait_for_selector("[role=status]")
    assert await page.inner_text("nav.account a[href='/me/inbox']") != before
    await page.click("nav.account a[href='/me/registrations']")
    await page.wait_for_url(f"{site}/me/registrations")
    await page.set_viewport_size(WIDTHS["375"])
    await audit(page, "transfer-journey-my-registrations-375")
    # The same three pages in English, on the phone.
    for path, heading in (
        ("/me/registrations", "My registrations"),
        ("/me/inbox", "My inbox"),
        ("/me/preferences", "Your e-mail from Samling"),
    ):
        await page.goto(f"{site}/language/en?next={path}")
        assert await page.inner_text("h1") == heading
        await audit(page, f"transfer-journey-my-{path.rsplit('/', 1)[-1]}-en-375")
    await page.goto(f"{site}/language/nb?next=/me/registrations")
    await page.set_viewport_size(WIDTHS["1280"])


async def test_a_plan_from_naming_the_manager_to_a_draft_in_the_report_workspace(
    signed_world: SignedWorld,
    browser: Browser,  # noqa: F811
) -> None:
    world, site = signed_world, signed_world.site
    starts = CLOCK.now().replace(microsecond=0) + timedelta(days=30)
    title = "Kurs: Lesestrategier i praksis"
    event_id = await world.plain(title, "course_seminar", starts)
    his = await browser.new_context(viewport=WIDTHS["1280"], locale="nb-NO")
    hers = await browser.new_context(viewport=WIDTHS["1280"], locale="nb-NO")
    per, lise = await his.new_page(), await hers.new_page()

    # He registers on the course's page, with the address he signs in with.
    await per.goto(f"{site}/events/{event_id}")
    await register_on_the_page(per, PER.name, PER.email, "NO-1804")
    await mail_to(world, PER.email, "registration.confirmed", title)

    # He signs in and finds the course under "My registrations".
    await sign_in_on_the_providers_page(per, world, "deltaker")
    await per.click("nav.account a[href='/me/registrations']")
    await per.wait_for_url(f"{site}/me/registrations")
    card = per.locator("li.registration", has_text=title)
    assert "Plass bekreftet" in await card.inner_text()
    await audit(per, "transfer-journey-my-registrations-1280")

    # He names his manager there; she is told, with her own link to the plan.
    await card.locator("a", has_text="Oppgi lederen din").click()
    await per.fill("input[name=manager_name]", "Lise Leder")
    await per.fill("input[name=manager_email]", LISE)
    await per.click("form[action$='/manager'] button[type=submit]")
    await per.wait_for_selector("[role=status]")
    await per.goto(f"{site}/me/registrations")
    await card.locator("a", has_text="Åpne overføringsplanen med Lise Leder").click()
    await per.wait_for_url("**/transfer/**")
    plan = per.url
    await write(per, "before", "goals_me", "Bruke lesestrategier i alle fag.")
    await audit(per, "transfer-journey-before-participant")
    named = await mail_to(world, LISE, "transfer.manager_named", PER.name)
    await lise.goto(on_site(site, link_to(named, r"/t/")))
    assert "Bruke lesestrategier i alle fag." in await lise.content()
    await write(lise, "before", "goals_organisation", "Felles språk om lesing på trinnet.")
    await audit(lise, "transfer-journey-before-manager")
    # The conversation before the course was due when the plan was made: both were reminded.
    await mail_to(world, PER.email, "transfer.reminder", f"før «{title}» med lederen din")
    await mail_to(world, LISE, "transfer.reminder", f"før «{title}» med {PER.name}")
    await his_own_pages_at_both_widths(per, site)

    # The course takes place; the "after" conversation falls due a month later.
    CLOCK.set(starts + timedelta(hours=6, days=AFTER_DAYS, minutes=1))
    after = f"samtalen etter «{title}»"

    async def reminded(address: str) -> str:
        message = await mail_to(world, address, "transfer.reminder", after)
        return on_site(site, link_to(message, r"/r/|/t/"))

    his_link, her_link = await reminded(PER.email), await reminded(LISE)
    assert his_link == plan  # the mail's link is the plan he opened from his registrations
    assert "/t/" in her_link
    await per.goto(his_link)
    await audit(per, "transfer-journey-after-participant")
    await write(per, "after", "effect", EFFECT)
    await lise.goto(her_link)
    await write(lise, "after", "went_well", WENT_WELL)
    await audit(lise, "transfer-journey-after-manager")

    # He marks it held and proposes it as a report draft; she agrees.
    await per.goto(his_link)
    await per.click("form[action$='/after/held'] button[type=submit]")
    await per.wait_for_selector("[role=status]")
    await per.click("form[action$='/after/sharing/report_draft/propose'] button")
    await per.wait_for_selector("[role=status]")
    await lise.goto(her_link)
    await lise.click("form[action$='/after/sharing/report_draft/agree'] button")
    await lise.wait_for_selector("[role=status]")
    await audit(lise, "transfer-journey-shared-manager")
    await his.close()
    await hers.close()

    # Bodø's administrator signs in and opens the draft in the SMTTE template, filled in.
    admin_context = await browser.new_context(viewport=WIDTHS["1280"], locale="nb-NO")
    admin = await admin_context.new_page()
    await admin.goto(f"{site}/reports")
    await sign_in_on_the_providers_page(admin, world, "bodo-admin")
    await admin.click("nav.account a[href='/workspace/reports']")
    await admin.wait_for_url(f"{site}/workspace/reports")
    draft = admin.locator("li.report-card", has_text=EFFECT)
    await audit(admin, "transfer-journey-reports-workspace")
    await draft.locator("form[action='/workspace/reports/new'] button").click()
    await admin.wait_for_url("**/workspace/reports/new?**template=smtte**")
    assert await admin.input_value("#evaluation") == f"{EFFECT}\n\n{WENT_WELL}"
    for empty in ("#context", "#goals", "#signs", "#actions"):
        assert await admin.input_value(empty) == "", empty
    await audit(admin, "transfer-journey-report-from-transfer")
    await admin_context.close()
