"""Webhooks in Chromium (issue #13): Bodø's administrator signs in on the provider's page, adds
an endpoint pointing at a receiver this test runs on 127.0.0.1 (the error summary first), keeps
the secret shown once, sees the delivery of a fact her endpoint may read (a published event),
replays it (the receiver gets it again, same webhook-id), rotates the secret after the
confirmation page (the next delivery verifies with the new secret), and enables the endpoint
again after the receiver's 410 Gone disabled it. axe-core at 375 and 1280 px on every page of
the way, and no Content-Security-Policy refusal in the console."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page
from samling_devtools.testing import eventually
from samling_devtools.webhook_receiver import Call, signed_with

from services.web.tests.browser.test_browser import CHROMIUM, WIDTHS, audit, browser
from services.web.tests.browser.test_signin_journey import sign_in_on_the_providers_page
from services.web.tests.webhooks_world import SCHEDULED, Hooked, hooked

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (install.sh adds it)"),
]

__all__ = ["browser", "hooked"]  # the fixtures, used by name


async def delivered(hooked: Hooked, endpoint_id: str, n: int) -> Call:
    """The ``n``-th call (from 1) to this endpoint: other endpoints share the receiver."""
    prefix = f"msg_{endpoint_id}_"

    async def arrived() -> list[Call] | None:
        mine = [c for c in hooked.receiver.calls if c[0]["webhook-id"].startswith(prefix)]
        return mine if len(mine) >= n else None

    return (await eventually(arrived, timeout=30))[n - 1]


async def audited(page: Page, name: str) -> None:
    """axe finds nothing, and the page is no wider than the screen (long addresses, fact types,
    secrets and compound words wrap instead)."""
    await audit(page, name)
    widths = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{name} scrolls sideways: {widths}"


async def shown_after_reloads(page: Page, selector: str) -> None:
    """Reload (the page has no live updates) until ``selector`` is on it."""

    async def there() -> bool:
        await page.reload()
        return await page.locator(selector).count() > 0

    await eventually(there, timeout=30, interval=0.5)


async def test_an_administrator_adds_replays_rotates_and_enables_a_webhook(
    hooked: Hooked, browser: Browser
) -> None:
    refused: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    for width, viewport in WIDTHS.items():
        context = await browser.new_context(viewport=viewport, locale="nb-NO")
        page = await context.new_page()
        page.on("console", record)
        await page.goto(f"{hooked.site}/")
        await sign_in_on_the_providers_page(page, hooked, "bodo-admin")
        await page.click("nav.account a[href='/workspace/webhooks']")
        await page.wait_for_url("**/workspace/webhooks")
        await audited(page, f"webhooks-list-{width}")

        # The form: nothing chosen, the error summary first; then the receiver on this machine.
        await page.click("a[href='/workspace/webhooks/new']")
        await page.wait_for_url("**/workspace/webhooks/new")
        await audited(page, f"webhooks-new-{width}")
        await page.click("form[action='/workspace/webhooks/new'] button[type=submit]")
        await page.wait_for_selector("#error-summary")
        assert await page.locator("#error-summary a[href='#event_types']").count() == 1
        await audited(page, f"webhooks-new-errors-{width}")
        await page.fill("#url", hooked.receiver_url)
        await page.check(f"input[value='{SCHEDULED}']")
        await page.click("form[action='/workspace/webhooks/new'] button[type=submit]")
        await page.wait_for_selector("#secret")
        secret = await page.inner_text("#secret")
        assert secret.startswith("whsec_")
        await audited(page, f"webhooks-secret-{width}")
        await page.click("a:has-text('Gå til endepunktet')")
        await page.wait_for_url("**/workspace/webhooks/whk_*")
        endpoint_page = page.url
        endpoint_id = endpoint_page.rsplit("/", 1)[-1]

        # A published event reaches the receiver, signed; the page lists the delivery.
        await hooked.schedule(f"Webhook-reise {width}: første")
        first = await delivered(hooked, endpoint_id, 1)
        assert signed_with(secret, first)
        await shown_after_reloads(page, ".webhook-delivery")
        assert "Levert" in await page.inner_text(".webhook-delivery__status")
        await audited(page, f"webhooks-endpoint-{width}")

        # Replay: the same webhook-id again.
        await page.locator(".webhook-delivery form button").first.click()
        await page.wait_for_selector("[role=status]")
        again = await delivered(hooked, endpoint_id, 2)
        assert again[0]["webhook-id"] == first[0]["webhook-id"]
        await audited(page, f"webhooks-replayed-{width}")

        # Rotate after the confirmation page; the next delivery verifies with the new secret.
        await page.click(f"a[href='/workspace/webhooks/{endpoint_id}/rotate']")
        await page.wait_for_url("**/rotate")
        await audited(page, f"webhooks-rotate-{width}")
        await page.check("#leaked")  # so the old secret must not verify any more
        await page.click("form[action$='/rotate'] button[type=submit]")
        await page.wait_for_selector("#secret")
        rotated = await page.inner_text("#secret")
        assert rotated != secret
        await audited(page, f"webhooks-rotated-{width}")
        await hooked.schedule(f"Webhook-reise {width}: andre")
        second = await delivered(hooked, endpoint_id, 3)
        assert signed_with(rotated, second)
        assert not signed_with(secret, second)

        # The receiver answers 410 Gone: disabled at once; the page says why; enable it again.
        hooked.receiver.answer = 410
        await hooked.schedule(f"Webhook-reise {width}: borte")
        await delivered(hooked, endpoint_id, 4)
        hooked.receiver.answer = 204
        await page.goto(endpoint_page)
        await shown_after_reloads(page, "#disabled")
        assert "410 Gone" in await page.inner_text("#disabled")
        await audited(page, f"webhooks-disabled-{width}")
        await page.click("form[action$='/enable'] button[type=submit]")
        await page.wait_for_selector("[role=status]")
        assert await page.locator("#disabled").count() == 0
        await audited(page, f"webhooks-enabled-{width}")
        await hooked.schedule(f"Webhook-reise {width}: tilbake")
        back = await delivered(hooked, endpoint_id, 5)
        assert signed_with(rotated, back)
        await context.close()
    assert refused == []
