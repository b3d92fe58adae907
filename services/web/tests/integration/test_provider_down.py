"""When the identity provider does not answer: "Logg inn" and the sign-in's callback are a 503
page in the reader's language with Retry-After, never a crash, and the pages that need no
sign-in keep working. Against the real development provider, stopped, and a closed port."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from samling_devtools.oidc import DEMO_PASSWORD, OidcServer
from samling_devtools.processes import free_port
from samling_devtools.testing import running
from samling_web.main import create as create_web
from samling_web.settings import WebSettings

from services.web.tests.conftest import REGION, World

pytestmark = pytest.mark.integration


@asynccontextmanager
async def site(world: World, issuer: str) -> AsyncIterator[httpx.AsyncClient]:
    """The web app in front of the world's services, signing in at ``issuer``."""
    app = create_web(
        WebSettings(environment="test", default_region_id=REGION, oidc_issuer=issuer),
        transports={
            "network": httpx.ASGITransport(app=world.network.app),
            "events": httpx.ASGITransport(app=world.events.app),
            "notifications": httpx.ASGITransport(app=world.notifications.app),
        },
    )
    async with (
        running(app) as web,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=web.app),
            base_url="http://web",
            headers={"Accept-Language": "en"},
        ) as browser,
    ):
        yield browser


def _unavailable(answer: httpx.Response, words: str) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert int(answer.headers["retry-after"]) > 0
    assert "no-store" in answer.headers["cache-control"]
    assert words in answer.text
    assert "Traceback" not in answer.text


async def test_signing_in_at_a_closed_port_is_a_page_saying_so(world: World) -> None:
    async with site(world, f"http://127.0.0.1:{free_port()}") as browser:
        _unavailable(await browser.get("/signin"), "Signing in is not possible right now")
        browser.cookies.set("samling_lang", "nn")
        _unavailable(await browser.get("/signin"), "Det går ikkje å logge inn no")
        # What needs no sign-in works, and still offers "Logg inn".
        calendar = await browser.get("/")
        assert calendar.status_code == 200
        assert 'href="/signin' in calendar.text or 'action="/signin' in calendar.text
        assert (await browser.get("/reports")).status_code == 200


async def test_the_callback_when_the_provider_stopped_after_the_sign_in_form(
    world: World,
) -> None:
    provider = OidcServer(free_port())
    provider.start()
    try:
        async with site(world, provider.issuer) as browser:
            answer = await browser.get("/signin", params={"next": "/workspace"})
            assert answer.status_code in (302, 303), answer.text
            async with httpx.AsyncClient(timeout=10) as at_provider:
                form = await at_provider.get(answer.headers["location"])
                fields = dict(
                    re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.text)
                )
                signed = await at_provider.post(
                    f"{provider.issuer}/authorize",
                    data={
                        **{k: html.unescape(v) for k, v in fields.items()},
                        "username": "bodo-admin",
                        "password": DEMO_PASSWORD,
                    },
                )
            assert signed.status_code == 303, signed.text
            callback = httpx.URL(signed.headers["location"])
            provider.stop()  # before the web app exchanges the code
            _unavailable(
                await browser.get(f"{callback.path}?{callback.query.decode()}"),
                "Signing in is not possible right now",
            )
            # Not signed in: the workspace still asks for a sign-in.
            assert (await browser.get("/workspace")).status_code == 303
    finally:
        provider.stop()
