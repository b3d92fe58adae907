"""The pages in a real browser: Debian's Chromium driven by Playwright, axe-core's WCAG 2.1 AA
rules on every page at 375 and 1280 px in bokmål and English, a registration with JavaScript
turned off, and a screenshot of each page (services/web/.screenshots/, git-ignored)."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.async_api import Browser, ConsoleMessage, Page, ViewportSize, async_playwright
from samling_devtools.processes import free_port
from samling_devtools.testing import call, eventually, running
from samling_events.adapters.api.tokens import manage_token
from samling_events.adapters.api.transfer_sides import manager_token
from samling_events.settings import EventsSettings
from samling_web.main import create as create_web
from samling_web.settings import WebSettings

from services.web.tests.browser.registration_form import register_on_the_page
from services.web.tests.conftest import COORDINATOR, QUESTIONS, World

CHROMIUM = shutil.which("chromium")
WEB = Path(__file__).resolve().parents[2]
AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = WEB / ".screenshots"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS: dict[str, ViewportSize] = {
    "375": {"width": 375, "height": 800},
    "1280": {"width": 1280, "height": 900},
}
LOCALES = {"nb": "nb-NO", "en": "en-GB"}

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (install.sh adds it)"),
]


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    """A web app on a real port, in this event loop (the services it calls are here too)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return bool(server.started)

    await eventually(started, timeout=30)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


@pytest.fixture(scope="module")
async def site(world: World) -> AsyncIterator[str]:
    async with serving(world.web.app) as url:
        yield url


@pytest.fixture(scope="module")
async def strict_site(world: World) -> AsyncIterator[str]:
    """The web app with a registration form that takes one form per client an hour."""
    strict = create_web(
        WebSettings(environment="test", register_burst=1, register_per_hour=1),
        transports={
            "network": httpx.ASGITransport(app=world.network.app),
            "events": httpx.ASGITransport(app=world.events.app),
        },
    )
    async with running(strict) as web, serving(web.app) as url:
        yield url


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        await launched.close()


async def audit(page: Page, name: str) -> None:
    """axe-core's WCAG 2.1 A/AA rules find nothing; the page is photographed for people."""
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=SHOTS / f"{name}.png", full_page=True)
    # evaluate() runs through the DevTools protocol, outside the page's CSP.
    await page.evaluate(AXE.read_text() + "\n;undefined")
    result = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    assert len(result["passes"]) > 10, "axe checked next to nothing"
    violations = [
        {"id": v["id"], "help": v["help"], "nodes": [n["html"] for n in v["nodes"][:3]]}
        for v in result["violations"]
    ]
    assert violations == [], f"{name}: {json.dumps(violations, indent=1, ensure_ascii=False)}"


async def audit_each(
    page: Page, site: str, pages: Mapping[str, str], prefix: str, tag: str
) -> None:
    """Each of ``pages`` (name: path) opens and passes :func:`audit`, as ``prefix-name-tag``."""
    for name, path in pages.items():
        answer = await page.goto(f"{site}{path}")
        assert answer is not None
        assert answer.status == 200, path
        await audit(page, f"{prefix}-{name}-{tag}")


async def pages_of_the_slice(world: World, site: str) -> dict[str, str]:
    """An event with questions and pre-work, and one that has begun, to evaluate."""
    event_id = await world.publish("Dialogkonferanse: Lesing i alle fag", 1, days=1)
    await world.ask(event_id, QUESTIONS)
    await world.assign(event_id, "pre", "Ta med et eksempel fra egen praksis", world.starts)
    began = datetime.now(UTC) - timedelta(hours=1)
    begun_id = await world.plain("Nettverkssamling: Vurdering", "network_meeting", began)
    return {
        "calendar": f"{site}/",
        "filtered": f"{site}/?network={world.network_id}&municipality=NO-1804",
        "event": f"{site}/events/{event_id}",
        "event_id": event_id,
        "begun_id": begun_id,
    }


async def evaluating(world: World, event_id: str, email: str) -> str:
    """The private link of someone with a seat at an event that has begun."""
    registered = await call(
        world.events.client, "POST", f"/events/{event_id}/registrations", 201,
        headers=COORDINATOR,
        json={"name": "Eva Evaluer", "email": email, "municipality_id": "NO-1804", "role": "Lærer"},
    )  # fmt: skip
    secret = EventsSettings().participant_secret.get_secret_value()
    return f"/r/{manage_token(registered['participant_id'], secret)}"


@pytest.mark.parametrize("language", ["nb", "en"])
async def test_every_page_passes_axe_at_both_widths(
    world: World, site: str, strict_site: str, browser: Browser, language: str
) -> None:
    urls = await pages_of_the_slice(world, site)
    refused: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    for width, viewport in WIDTHS.items():
        context = await browser.new_context(viewport=viewport, locale=LOCALES[language])
        page = await context.new_page()
        page.on("console", record)
        tag = f"{language}-{width}"

        await page.goto(urls["calendar"])
        assert await page.get_attribute("html", "lang") == language
        await audit(page, f"calendar-{tag}")
        await page.goto(urls["filtered"])
        await audit(page, f"calendar-filtered-{tag}")

        await page.goto(urls["event"])
        await audit(page, f"event-{tag}")

        # The form sent empty: the error summary and the messages beside the fields.
        await page.click("form[action$='/register'] button[type=submit]")
        await page.wait_for_selector(".ds-error-summary")
        await audit(page, f"event-errors-{tag}")

        await page.fill("#name", f"Kari {tag}")
        await page.fill("#email", f"kari.{tag}@example.no")
        await page.select_option("#municipality_id", "NO-1804")
        await page.fill("#role", "Lærer")
        await page.check("#answer_session")
        await page.click("form[action$='/register'] button[type=submit]")
        await page.wait_for_url("**/registered")
        await audit(page, f"registered-{tag}")

        (reg,) = [
            r
            for r in await world.registrations(urls["event_id"])
            if r["email"] == f"kari.{tag}@example.no"
        ]
        secret = EventsSettings().participant_secret.get_secret_value()
        await page.goto(f"{site}/r/{manage_token(reg['participant_id'], secret)}")
        await audit(page, f"my-registration-{tag}")
        await page.click("form[action*='/assignments/'] button[type=submit]")
        await page.wait_for_selector("[role=status]")
        await audit(page, f"assignment-done-{tag}")
        await page.click("a[href*='/cancel/']")
        await audit(page, f"cancel-{tag}")
        await page.click("form.actions button[type=submit]")
        await page.wait_for_selector("[role=status]")

        link = await evaluating(world, urls["begun_id"], f"eva.{tag}@example.no")
        await page.goto(f"{site}{link}")
        await audit(page, f"my-registration-begun-{tag}")
        await page.click("a[href*='/evaluation']")
        await audit(page, f"evaluation-{tag}")
        await page.click("form[action$='/evaluation'] button[type=submit]")
        await page.wait_for_selector(".ds-error-summary")
        await audit(page, f"evaluation-errors-{tag}")
        await page.check("#rating_4")
        await page.click("form[action$='/evaluation'] button[type=submit]")
        await page.wait_for_selector("[role=status]")
        await page.click(f"a[href='{link}/erase']")
        await audit(page, f"erase-{tag}")
        await page.click("form.actions button[type=submit]")
        await page.wait_for_selector("[role=status]")
        await audit(page, f"erased-{tag}")

        # The 429 page: the strict app's one form an hour is spent by the first.
        strict_event = urls["event"].replace(site, strict_site)
        for _ in range(2):
            await page.goto(strict_event)
            await page.click("form[action$='/register'] button[type=submit]")
            await page.wait_for_selector("h1")
        assert await page.get_attribute("html", "lang") == language
        await audit(page, f"too-many-{tag}")

        await page.goto(f"{site}/events/no-such-event")
        await audit(page, f"not-found-{tag}")
        assert refused == [], refused
        await context.close()


async def test_registering_works_with_javascript_turned_off(
    world: World, site: str, browser: Browser
) -> None:
    event_id = await world.publish("Temadag uten skript", 5, days=2)
    context = await browser.new_context(java_script_enabled=False, locale="nn-NO")
    page = await context.new_page()
    await page.goto(f"{site}/")
    await page.click(f"a[href='/events/{event_id}']")
    await register_on_the_page(page, "Nils Nynorsk", "nils.nynorsk@example.no", "NO-1841", "Rektor")
    assert page.url.endswith(f"/events/{event_id}/registered")
    assert "Du har fått plass" in await page.inner_text("h1")
    assert await page.get_attribute("html", "lang") == "nn"
    (registration,) = await world.registrations(event_id)
    assert registration["status"] == "confirmed"
    await context.close()


@pytest.mark.parametrize("language", ["nb", "en"])
async def test_the_transfer_plan_passes_axe_at_both_widths(
    world: World, site: str, browser: Browser, language: str
) -> None:
    """Naming the manager on my registrations, the participant's plan with a note and a
    proposal, and the manager's page (issue #17)."""
    starts = world.starts + timedelta(days=50)
    event_id = await world.plain(f"Kurs: Overføring {language}", "course_seminar", starts)
    secret = EventsSettings().participant_secret.get_secret_value()
    for width, viewport in WIDTHS.items():
        context = await browser.new_context(viewport=viewport, locale=LOCALES[language])
        page = await context.new_page()
        tag = f"{language}-{width}"
        link = await evaluating(world, event_id, f"tove.{tag}@example.no")
        await page.goto(f"{site}{link}")
        await audit(page, f"my-registration-transfer-{tag}")
        await page.fill("input[name=manager_name]", "Ola Leder")
        await page.fill("input[name=manager_email]", f"ola.{tag}@example.no")
        await page.click("form[action$='/manager'] button[type=submit]")
        await page.wait_for_selector("[role=status]")
        await audit(page, f"transfer-{tag}")
        await page.fill("#note-before-goals_me", "Lesestrategier i alle fag")
        await page.click("form[action$='/before/notes'] button[type=submit] >> nth=0")
        await page.wait_for_selector("[role=status]")
        await page.click("form[action$='/before/sharing/coordinators/propose'] button")
        await page.wait_for_selector("[role=status]")
        await audit(page, f"transfer-noted-{tag}")

        registration_id = page.url.rsplit("/", 1)[-1]
        doc = await world.events.db["transfer_plans"].find_one({"registration_id": registration_id})
        assert doc is not None
        token = manager_token(doc["_id"], doc["manager_key"], secret)
        await page.goto(f"{site}/t/{token}")
        assert "Lesestrategier i alle fag" in await page.content()
        await audit(page, f"transfer-manager-{tag}")
        await context.close()
