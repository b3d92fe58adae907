"""A signed-in person's own pages (issue #13), against the real services trusting the
development OpenID Connect provider: Per Deltaker (``deltaker``) signs in through the provider's
form and sees his registrations, with links to the pages behind his private link and to his
transfer plan; his inbox, read and unread, with the count in the header; and his preferences."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from samling_devtools.oidc import DEMO_USERS
from samling_devtools.testing import call, eventually

from services.web.tests.conftest import SignedWorld, hidden, register_on_form

pytestmark = pytest.mark.integration

PER = next(u for u in DEMO_USERS if u.username == "deltaker")


def per_token(world: SignedWorld) -> dict[str, str]:
    return world.tokens(PER.subject, "participant", email=PER.email)


async def per_registered_for(world: SignedWorld, title: str) -> None:
    """A new event, and Per registered for it through the public form: a notice in his inbox."""
    event_id = await world.publish(title, 10)
    async with world.browser() as per:
        sent = await register_on_form(per, event_id, PER.name, PER.email, "NO-1804")
        assert sent.status_code == 303


async def pers_unread(world: SignedWorld) -> int:
    """What the notifications API counts unread in Per's inbox."""
    found = await call(world.notifications.client, "GET", "/inbox/unread-count", 200,
                       headers=per_token(world))  # fmt: skip
    count: int = found["unread"]
    return count


def said(unread: int) -> str | None:
    """What the header says of ``unread`` notices (nothing when there are none)."""
    return None if unread == 0 else "1 ulest" if unread == 1 else f"{unread} uleste"


def header_count(page: str) -> str | None:
    found = re.search(r'<span class="account__unread">\(([^)]*)\)</span>', page)
    return found.group(1) if found else None


async def test_his_registrations_link_his_pages_and_his_transfer_plan(
    signed_world: SignedWorld,
) -> None:
    world = signed_world
    full = await world.publish("Temadag: Tilpasset opplæring", 1)
    course = await world.plain(
        "Kurs: Vurdering for læring", "course_seminar", world.starts + timedelta(days=40)
    )
    async with world.browser() as someone, world.browser() as per:
        taken = await register_on_form(
            someone, full, "Kari Først", "kari.forst@example.no", "NO-1804"
        )
        assert taken.status_code == 303
        for event_id in (full, course):
            sent = await register_on_form(per, event_id, PER.name, PER.email, "NO-1804")
            assert sent.status_code == 303, sent.text

    async with world.signed_in("deltaker") as client:
        page = await client.get("/me/registrations")
        assert page.status_code == 200, page.text
        assert "no-store" in page.headers["cache-control"]
        assert PER.email in page.text
        assert "Temadag: Tilpasset opplæring" in page.text
        assert "Du er nummer 1 på ventelisten." in page.text
        assert 'href="/me/registrations" aria-current="page"' in page.text
        (link,) = set(re.findall(r'href="(/r/[^"#/]+)#reg-', page.text))
        mine = await client.get(link)
        assert mine.status_code == 200
        assert "Kurs: Vurdering for læring" in mine.text

        # Named his manager: the plan is linked from here.
        (course_registration,) = [
            r for r in await world.registrations(course) if r["email"] == PER.email
        ]
        plan = f"{link}/transfer/{course_registration['id']}"
        assert f'href="{plan}"' not in page.text
        named = await client.post(
            f"{plan}/manager",
            data={
                "csrf_token": hidden(mine.text, "csrf_token"),
                "manager_name": "Ola Leder",
                "manager_email": "ola.leder.mine@example.no",
            },
        )
        assert named.status_code == 303
        again = await client.get("/me/registrations")
        assert f'href="{plan}"' in again.text
        assert "Ola Leder" in again.text
        assert (await client.get(plan)).status_code == 200


async def test_his_inbox_marks_read_and_unread_and_the_header_counts(
    signed_world: SignedWorld,
) -> None:
    world = signed_world
    await per_registered_for(world, "Nettverksmøte: Innboks")

    async def noticed() -> dict[str, Any] | None:
        inbox = await call(world.notifications.client, "GET", "/inbox", 200,
                           headers=per_token(world))  # fmt: skip
        about = [n for n in inbox["items"] if "Nettverksmøte: Innboks" in n["title"] + n["body"]]
        return about[0] if about else None

    notice = await eventually(noticed, timeout=60)
    async with world.signed_in("deltaker") as client:
        page = await client.get("/me/inbox")
        assert page.status_code == 200, page.text
        before = await pers_unread(world)
        assert before >= 1
        assert header_count(page.text) == said(before)
        assert f'id="n-{notice["id"]}"' in page.text
        read = await client.post(
            f"/me/inbox/{notice['id']}/read", data={"csrf_token": hidden(page.text, "csrf_token")}
        )
        assert read.status_code == 303
        assert read.headers["location"] == f"/me/inbox#n-{notice['id']}"
        assert await pers_unread(world) == before - 1
        after = await client.get("/me/inbox")
        assert "Markert som lest." in after.text
        assert f'action="/me/inbox/{notice["id"]}/unread"' in after.text
        assert header_count(after.text) == said(before - 1)
        unread_again = await client.post(
            f"/me/inbox/{notice['id']}/unread",
            data={"csrf_token": hidden(after.text, "csrf_token")},
        )
        assert unread_again.status_code == 303
        assert await pers_unread(world) == before
        # Someone else's notice, or one that does not exist: the page that is not found.
        missing = await client.post(
            "/me/inbox/ntf_nobodys/read", data={"csrf_token": hidden(after.text, "csrf_token")}
        )
        assert missing.status_code == 404
        forged = await client.post(f"/me/inbox/{notice['id']}/read", data={"csrf_token": "x"})
        assert forged.status_code == 403
        assert await pers_unread(world) == before
        # A page of the inbox that the notifications API cannot find is not found here.
        assert (await client.get("/me/inbox?cursor=bm90LWEtY3Vyc29y")).status_code == 404
        assert (await client.get("/me/inbox?cursor=<script>")).status_code == 404


async def test_his_preferences_are_kept_for_every_address(signed_world: SignedWorld) -> None:
    world = signed_world
    async with world.signed_in("deltaker") as client:
        page = await client.get("/me/preferences")
        assert page.status_code == 200
        assert 'action="/me/preferences"' in page.text
        saved = await client.post(
            "/me/preferences",
            data={
                "csrf_token": hidden(page.text, "csrf_token"),
                "inbox": "on",
                "digest": "weekly",
                "language": "nn",
            },
        )
        assert saved.status_code == 303
        assert saved.headers["location"] == "/me/preferences"
        shown = await client.get("/me/preferences")
        assert "Valgene dine er lagret." in shown.text
        assert re.search(r'id="digest-weekly"[^>]* checked', shown.text)
        assert not re.search(r'id="email"[^>]* checked', shown.text)
    kept = await call(
        world.notifications.client, "GET", "/preferences/me", 200, headers=per_token(world)
    )
    assert (kept["digest"], kept["email"], kept["inbox"], kept["language"]) == (
        "weekly",
        False,
        True,
        "nn",
    )


async def test_without_the_notifications_service_pages_have_no_count(
    signed_world: SignedWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = signed_world
    await per_registered_for(world, "Nettverksmøte: Uten varsler")

    async def unread() -> bool:
        return await pers_unread(world) > 0

    await eventually(unread, timeout=60)

    async def down(*args: Any, **kwargs: Any) -> httpx.Response:
        raise httpx.ConnectError("down")

    async with world.signed_in("deltaker") as client:
        counted = await client.get("/")
        for pool in world.web.app.state.web.notifications.api.clients:
            monkeypatch.setattr(pool, "request", down)
        calendar = await client.get("/")
        inbox = await client.get("/me/inbox")
    assert header_count(counted.text) is not None
    assert calendar.status_code == 200
    assert 'href="/me/inbox"' in calendar.text
    assert header_count(calendar.text) is None
    # The inbox itself cannot be made without the service: the page says so.
    assert inbox.status_code == 503
