"""The webhook pages (issue #13) without JavaScript, against the real notifications service
and a receiver on 127.0.0.1: who may open them, the form's errors beside their fields, the
secret shown once on a no-store page, a delivery and its replay, a rotation (the next delivery
verifies with the new secret), and an endpoint disabled by a 410 enabled again."""

from __future__ import annotations

import re

import httpx
import pytest
from samling_devtools.testing import eventually
from samling_devtools.webhook_receiver import signed_with

from services.web.tests.conftest import hidden
from services.web.tests.webhooks_world import SCHEDULED, Hooked, hooked

pytestmark = pytest.mark.integration
__all__ = ["hooked"]  # the fixture, used by name
HOME = "/workspace/webhooks"


def secret_on(page: httpx.Response) -> str:
    found = re.search(r'id="secret">(whsec_[^<]+)<', page.text)
    assert found, page.text
    return found.group(1)


async def _form_post(
    client: httpx.AsyncClient, page: str, action: str, data: dict[str, str] | None = None
) -> httpx.Response:
    form = await client.get(page)
    assert form.status_code == 200, form.text
    return await client.post(
        action, data={"csrf_token": hidden(form.text, "csrf_token"), **(data or {})}
    )


@pytest.mark.parametrize("username", ["koordinator", "deltaker"])
async def test_only_a_municipality_administrator_may_use_the_pages(
    hooked: Hooked, username: str
) -> None:
    async with hooked.signed_in(username) as person:
        for path in (HOME, f"{HOME}/new", f"{HOME}/whk_0123456789abcdef"):
            assert (await person.get(path)).status_code == 403, path
        refused = await _form_post(person, "/", f"{HOME}/new", {"url": hooked.receiver_url})
        assert refused.status_code == 403
        assert f'href="{HOME}"' not in (await person.get("/")).text
    async with httpx.AsyncClient(base_url=hooked.site) as anonymous:
        answer = await anonymous.get(HOME)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/signin?next=")


async def test_an_administrator_adds_replays_rotates_and_enables_an_endpoint(
    hooked: Hooked,
) -> None:
    receiver = hooked.receiver
    async with hooked.signed_in("bodo-admin") as admin:
        home = await admin.get(HOME)
        assert home.status_code == 200
        assert "no-store" in home.headers["cache-control"]
        assert f'href="{HOME}"' in home.text  # in her menu

        # Nothing typed: both messages, in the summary and beside their fields.
        empty = await _form_post(admin, f"{HOME}/new", f"{HOME}/new")
        assert empty.status_code == 422
        assert 'href="#url"' in empty.text
        assert 'href="#event_types"' in empty.text
        assert 'id="url-error"' in empty.text
        assert 'id="event_types-error"' in empty.text
        # A target the service refuses: its message beside the address, what was typed kept.
        form = await admin.get(f"{HOME}/new")
        refused_url = "https://user:secret@example.org/hook"
        refused = await admin.post(f"{HOME}/new", data={
            "csrf_token": hidden(form.text, "csrf_token"), "form_key": hidden(form.text, "form_key"),
            "url": refused_url, "event_types": SCHEDULED,
        })  # fmt: skip
        assert refused.status_code == 422
        assert 'id="url-error"' in refused.text
        assert f'value="{refused_url}"' in refused.text
        assert f'value="{SCHEDULED}" checked' in refused.text

        made = await admin.post(f"{HOME}/new", data={
            "csrf_token": hidden(form.text, "csrf_token"), "form_key": hidden(refused.text, "form_key"),
            "url": hooked.receiver_url, "event_types": SCHEDULED,
        })  # fmt: skip
        assert made.status_code == 200, made.text
        assert "no-store" in made.headers["cache-control"]
        secret = secret_on(made)
        # Back, another address, the same form: not a second endpoint under the first's key.
        reused = await admin.post(f"{HOME}/new", data={
            "csrf_token": hidden(form.text, "csrf_token"), "form_key": hidden(refused.text, "form_key"),
            "url": f"{hooked.receiver_url}?other", "event_types": SCHEDULED,
        })  # fmt: skip
        assert reused.status_code == 422
        assert "allerede sendt" in reused.text
        assert hidden(reused.text, "form_key") != hidden(refused.text, "form_key")
        endpoint_id = re.search(rf'href="{HOME}/(whk_[0-9a-f]+)"', made.text).group(1)  # type: ignore[union-attr]
        listed = await admin.get(HOME)
        assert f'href="{HOME}/{endpoint_id}"' in listed.text
        assert secret not in listed.text  # shown once only
        page_path = f"{HOME}/{endpoint_id}"
        assert secret not in (await admin.get(page_path)).text

        # A fact she may read reaches the receiver, signed; the page lists the delivery.
        before = len(receiver.calls)
        await hooked.schedule("Webhook: første")
        first = await receiver.call_number(before + 1)
        assert signed_with(secret, first)
        page = await admin.get(page_path)
        assert "Levert" in page.text
        delivery_id = first[0]["webhook-id"]
        assert delivery_id in page.text

        # Replay: the same webhook-id again.
        replayed = await _form_post(
            admin, page_path, f"{page_path}/deliveries/{delivery_id}/replay"
        )
        assert replayed.status_code == 303
        again = await receiver.call_number(before + 2)
        assert again[0]["webhook-id"] == delivery_id
        assert "sendes på nytt" in (await admin.get(page_path)).text

        # Rotate, with the confirmation step: the next delivery verifies with the new secret.
        confirm = await admin.get(f"{page_path}/rotate")
        assert confirm.status_code == 200
        confirmed = {
            "csrf_token": hidden(confirm.text, "csrf_token"),
            "form_key": hidden(confirm.text, "form_key"),
        }
        rotated = await admin.post(f"{page_path}/rotate", data=confirmed)
        assert rotated.status_code == 200
        assert "no-store" in rotated.headers["cache-control"]
        new_secret = secret_on(rotated)
        assert new_secret != secret
        # The same form again (a double click, a reload): the same secret, not a second one.
        assert secret_on(await admin.post(f"{page_path}/rotate", data=confirmed)) == new_secret
        await hooked.schedule("Webhook: andre")
        second = await receiver.call_number(before + 3)
        assert signed_with(new_secret, second)
        assert signed_with(secret, second)  # the day's overlap
        confirm = await admin.get(f"{page_path}/rotate")
        leaked = await admin.post(
            f"{page_path}/rotate",
            data={
                "csrf_token": hidden(confirm.text, "csrf_token"),
                "form_key": hidden(confirm.text, "form_key"),
                "leaked": "yes",
            },
        )
        newest = secret_on(leaked)
        await hooked.schedule("Webhook: tredje")
        third = await receiver.call_number(before + 4)
        assert signed_with(newest, third)
        assert not signed_with(new_secret, third)

        # 410 Gone disables it; the page says why and offers to enable it again.
        receiver.answer = 410
        await hooked.schedule("Webhook: borte")
        await receiver.call_number(before + 5)
        receiver.answer = 204

        async def disabled() -> httpx.Response | None:
            found = await admin.get(page_path)
            return found if 'id="disabled"' in found.text else None

        page = await eventually(disabled)
        assert "410 Gone" in page.text
        assert f'action="{page_path}/enable"' in page.text
        enabled = await admin.post(
            f"{page_path}/enable", data={"csrf_token": hidden(page.text, "csrf_token")}
        )
        assert enabled.status_code == 303
        assert 'id="disabled"' not in (await admin.get(page_path)).text
        await hooked.schedule("Webhook: tilbake")
        back = await receiver.call_number(before + 6)
        assert signed_with(newest, back)

        # Someone else's (or no) endpoint: not found.
        assert (await admin.get(f"{HOME}/whk_0123456789abcdef")).status_code == 404
