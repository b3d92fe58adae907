"""Signing in for real: the services verify the development OpenID Connect provider's RS256
tokens through its JWKS, the web app reads with its own client-credentials token, and people
sign in on the provider's own page in Debian's Chromium.

A municipality administrator approves a registration made through the public form with an
address outside the municipality's e-mail domains; a coordinator and a participant get 403 on
the approvals queue and no link to it; signing out ends the sign-in. axe-core at 375 and
1280 px on every page of the web app on the way."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, Page
from samling_devtools.infra import Stack
from samling_devtools.oidc import DEMO_CLIENTS, DEMO_PASSWORD, Client, OidcServer
from samling_devtools.oidc.flow import client_token
from samling_devtools.processes import free_port
from samling_devtools.testing import RunningService, call, eventually, running, unique
from samling_events.main import create as create_events
from samling_network.main import create as create_network
from samling_network.settings import NetworkSettings
from samling_web.main import create as create_web
from samling_web.settings import WebSettings

from services.web.tests.browser.registration_form import register_on_the_page
from services.web.tests.browser.test_browser import CHROMIUM, WIDTHS, audit, browser
from services.web.tests.conftest import REGION, fresh_events_settings, settings
from services.web.tests.signing_in import SignsIn, authorization, provider_token

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (install.sh adds it)"),
]

__all__ = ["browser"]  # the fixture, used by name
SEEDER = Client("samling-seed", "seed-only-secret", roles=("system",))
BODO = "NO-1804"


@dataclass
class Signed(SignsIn):
    """The services and the web app, all trusting the provider's keys only."""

    provider: OidcServer
    network: RunningService
    events: RunningService
    site: str
    event_id: str


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcServer]:
    with OidcServer(free_port(), clients=(*DEMO_CLIENTS, SEEDER)).running() as server:
        yield server


async def _seed(provider: OidcServer, network: RunningService, events: RunningService) -> str:
    """Bodø (mail at bodo.kommune.no) in a network of the region, and a published event."""
    coordinator = provider_token(provider, "koordinator")
    admin = provider_token(provider, "bodo-admin")
    await call(network.client, "POST", "/regions", 201, headers=authorization(client_token(provider.issuer, SEEDER)),
               json={"id": REGION, "name": "RKK Salten"})  # fmt: skip
    await call(network.client, "POST", "/municipalities", 201, headers=coordinator,
               json={"country": "NO", "number": "1804", "name": "Bodø",
                     "email_domains": ["bodo.kommune.no"]})  # fmt: skip
    net = await call(network.client, "POST", "/networks", 201, headers=coordinator,
                     json={"name": "Skoleledernettverket", "field": "school"})  # fmt: skip
    await call(network.client, "POST", f"/networks/{net['id']}/memberships", 201, headers=admin,
               json={"municipality_id": BODO})  # fmt: skip

    async def known() -> bool:
        members = await events.db["membership_view"].count_documents({"network_id": net["id"]})
        domains = await events.db["municipality_email_domains"].count_documents(
            {"municipality_id": BODO}
        )
        return members == 1 and domains >= 1

    await eventually(known)
    starts = (datetime.now(UTC) + timedelta(days=14)).replace(hour=8, minute=0, microsecond=0)
    created = await call(events.client, "POST", "/events", 201, headers=coordinator, json={
        "kind": "network_meeting", "network_id": net["id"], "title": "Nettverksmøte: Lesing",
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=5)).isoformat(),
        "timezone": "Europe/Oslo", "venue": "Bodø rådhus", "capacity": 20,
    })  # fmt: skip
    await call(events.client, "POST", f"/events/{created['id']}/publish", 200, headers=coordinator)
    event_id: str = created["id"]
    return event_id


@pytest.fixture(scope="module")
async def signed(stack: Stack, topics: str, provider: OidcServer) -> AsyncIterator[Signed]:
    run = unique("s").replace("-", "_")
    trust: dict[str, Any] = {"jwt_jwks_url": provider.jwks_url, "jwt_issuer": provider.issuer}
    async with (
        running(create_network(settings(NetworkSettings, stack, run, **trust))) as network,
        running(create_events(await fresh_events_settings(stack, run, **trust))) as events,
    ):
        event_id = await _seed(provider, network, events)
        port = free_port()
        site = f"http://127.0.0.1:{port}"
        web_settings = WebSettings(
            environment="test",
            default_region_id=REGION,
            public_url=site,
            oidc_issuer=provider.issuer,
            **trust,
        )
        web_app = create_web(
            web_settings,
            transports={
                "network": httpx.ASGITransport(app=network.app),
                "events": httpx.ASGITransport(app=events.app),
            },
        )
        async with running(web_app) as web:
            server = uvicorn.Server(
                uvicorn.Config(web.app, port=port, lifespan="off", log_level="warning")
            )
            task = asyncio.create_task(server.serve())

            async def started() -> bool:
                return bool(server.started)

            await eventually(started, timeout=30)
            yield Signed(provider, network, events, site, event_id)
            server.should_exit = True
            await task


async def register_on_the_form(page: Page, world: Signed, name: str, email: str) -> None:
    await page.goto(f"{world.site}/events/{world.event_id}")
    await register_on_the_page(page, name, email, BODO)


class Site(Protocol):
    """Where people sign in (the provider) and where they come back to (the web app)."""

    provider: OidcServer
    site: str


async def sign_in_on_the_providers_page(page: Page, world: Site, username: str) -> None:
    """From the header's link, through the provider's form, back to where one was."""
    await page.click("nav.account a[href^='/signin']")
    await page.wait_for_url(f"{world.provider.issuer}/authorize**")
    await page.fill("#username", username)
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{world.site}/**")


async def registration(world: Signed, email: str) -> dict[str, Any]:
    page = await call(world.events.client, "GET", f"/events/{world.event_id}/registrations",
                      200, headers=world.token("koordinator"))  # fmt: skip
    (found,) = [r for r in page["items"] if r["email"] == email]
    return dict(found)


async def test_an_administrator_signs_in_approves_one_registration_and_declines_another(
    signed: Signed, browser: Browser
) -> None:
    for width, viewport in WIDTHS.items():
        email = f"ola.{width}@gmail.example"
        other = f"kari.{width}@gmail.example"
        public = await browser.new_context(viewport=viewport, locale="nb-NO")
        await register_on_the_form(await public.new_page(), signed, f"Ola {width}", email)
        await register_on_the_form(await public.new_page(), signed, f"Kari {width}", other)
        await public.close()
        assert (await registration(signed, email))["status"] == "pending_approval"
        assert (await registration(signed, other))["status"] == "pending_approval"

        context = await browser.new_context(viewport=viewport, locale="nb-NO")
        page = await context.new_page()
        await page.goto(f"{signed.site}/")
        await audit(page, f"signin-calendar-anonymous-{width}")
        await sign_in_on_the_providers_page(page, signed, "bodo-admin")
        assert await page.inner_text("nav.account .account__name") == "Berit Bodø"
        await audit(page, f"signin-calendar-admin-{width}")

        await page.click("nav.account a[href='/workspace/approvals']")
        await page.wait_for_url("**/workspace/approvals")
        card = page.locator("li.approval", has_text=f"Ola {width}")
        assert await card.count() == 1
        await audit(page, f"approvals-nb-{width}")
        decisions = (
            (f"Ola {width}", email, "approve", "Velkommen, avklart med rektor.", "confirmed"),
            (
                f"Kari {width}",
                other,
                "decline",
                "Kurset er for lærere på mellomtrinnet.",
                "declined",
            ),
        )
        for name, address, decision, note, status in decisions:
            card = page.locator("li.approval", has_text=name)
            await card.locator("textarea").fill(note)
            await card.locator(f"button[value={decision}]").click()
            await page.wait_for_selector("[role=status]")
            assert name in await page.inner_text("[role=status]")
            assert await page.locator("li.approval", has_text=name).count() == 0
            await audit(page, f"approvals-{status}-nb-{width}")
            decided = await registration(signed, address)
            assert (decided["status"], decided["decision_note"]) == (status, note)

        await page.click("nav.account button.account__signout")
        await page.wait_for_url(f"{signed.site}/")
        assert await page.locator("nav.account a[href^='/signin']").count() == 1
        await page.goto(f"{signed.site}/workspace/approvals")  # the sign-in is gone
        await page.wait_for_url(f"{signed.provider.issuer}/authorize**")
        await context.close()


@pytest.mark.parametrize("username", ["koordinator", "deltaker"])
async def test_others_get_403_on_the_queue_and_no_link_to_it(
    signed: Signed, browser: Browser, username: str
) -> None:
    for width, viewport in WIDTHS.items():
        context = await browser.new_context(viewport=viewport, locale="nb-NO")
        page = await context.new_page()
        await page.goto(f"{signed.site}/")
        await sign_in_on_the_providers_page(page, signed, username)
        assert await page.locator("nav.account .account__name").count() == 1
        assert await page.locator("a[href='/workspace/approvals']").count() == 0
        answer = await page.goto(f"{signed.site}/workspace/approvals")
        assert answer is not None
        assert answer.status == 403
        await audit(page, f"approvals-forbidden-{username}-{width}")
        await context.close()
