"""The event page's registration form, filled in the way a person does in a browser."""

from __future__ import annotations

from playwright.async_api import Page


async def register_on_the_page(
    page: Page, name: str, email: str, municipality_id: str, role: str = "Lærer"
) -> None:
    """Fills in and sends the registration form of the event's page that ``page`` shows, and
    waits for the receipt."""
    await page.fill("#name", name)
    await page.fill("#email", email)
    await page.select_option("#municipality_id", municipality_id)
    await page.fill("#role", role)
    await page.click("form[action$='/register'] button[type=submit]")
    await page.wait_for_url("**/registered")
