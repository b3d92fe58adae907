"""The web app's pages against the real network and events services, Kafka and FerretDB."""

from __future__ import annotations

import httpx
import pytest
from samling_events.adapters.api.tokens import manage_token
from samling_events.settings import EventsSettings

from services.web.tests.conftest import World, hidden

pytestmark = pytest.mark.integration


async def test_the_calendar_lists_published_events_in_the_readers_language(world: World) -> None:
    event_id = await world.publish("Dialogkonferanse: Lesing i alle fag", 30)
    async with world.browser() as browser:
        front = await browser.get("/")
        assert front.status_code == 200
        assert '<html lang="nb"' in front.text
        assert "Arrangementer i RKK Salten" in front.text
        assert f'href="/events/{event_id}"' in front.text
        assert "Skoleledernettverket" in front.text  # the organising network by name
        assert "30 ledige plasser" in front.text  # seats left, from the events API
        # Filtered by the network with a plain GET form; an unknown network shows every event.
        filtered = await browser.get("/", params={"network": world.network_id})
        assert f'href="/events/{event_id}"' in filtered.text
        english = await browser.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})
        assert '<html lang="en"' in english.text
        assert "Events in RKK Salten" in english.text


async def test_the_event_page_shows_the_four_parts_and_a_form(world: World) -> None:
    event_id = await world.publish("Dialogkonferanse: Vurdering", 30)
    async with world.browser() as browser:
        page = await browser.get(f"/events/{event_id}")
        assert page.status_code == 200
        for part in ("Del 1", "Del 2", "Del 3", "Del 4"):
            assert part in page.text
        assert "Arrangert av Skoleledernettverket" in page.text
        assert '<option value="NO-1804">Bodø</option>' in page.text
        ics = await browser.get(f"/events/{event_id}/calendar.ics")
        assert ics.status_code == 200
        assert ics.headers["content-type"].startswith("text/calendar")
        assert b"BEGIN:VEVENT" in ics.content


async def send_form(browser: httpx.AsyncClient, event_id: str, **values: str) -> httpx.Response:
    """Open the event page and send its form as a person would (the page's hidden fields)."""
    page = await browser.get(f"/events/{event_id}")
    form = {
        "csrf_token": hidden(page.text, "csrf_token"),
        "form_key": hidden(page.text, "form_key"),
        **values,
    }
    return await browser.post(f"/events/{event_id}/register", data=form)


def person(name: str, municipality_id: str = "NO-1804") -> dict[str, str]:
    return {
        "name": name,
        "email": f"{name.lower().replace(' ', '.')}@example.no",
        "municipality_id": municipality_id,
        "role": "Lærer",
    }


async def test_register_a_seat_then_the_waiting_list_once_per_form(world: World) -> None:
    event_id = await world.publish("Temadag: Klasseledelse", 1)
    async with world.browser() as kari, world.browser() as per:
        page = await kari.get(f"/events/{event_id}")
        form = {
            "csrf_token": hidden(page.text, "csrf_token"),
            "form_key": hidden(page.text, "form_key"),
            **person("Kari Nordmann"),
        }
        sent = await kari.post(f"/events/{event_id}/register", data=form)
        assert sent.status_code == 303
        assert sent.headers["location"] == f"/events/{event_id}/registered"
        answer = await kari.get(sent.headers["location"])
        assert "Du har fått plass" in answer.text
        # A double click or a reload sends the same form again: still one registration.
        again = await kari.post(f"/events/{event_id}/register", data=form)
        assert again.status_code == 303
        assert [r["status"] for r in await world.registrations(event_id)] == ["confirmed"]

        full = await send_form(per, event_id, **person("Per Hansen", "NO-1841"))
        assert full.status_code == 303
        answer = await per.get(full.headers["location"])
        assert "Du står på ventelisten" in answer.text
        assert "nummer 1 på ventelisten" in answer.text
        statuses = sorted(r["status"] for r in await world.registrations(event_id))
        assert statuses == ["confirmed", "waitlisted"]


async def test_form_errors_show_next_to_fields_and_in_the_summary(world: World) -> None:
    event_id = await world.publish("Kurs: Vurdering for læring", 10)
    async with world.browser() as browser:
        sent = await send_form(
            browser, event_id, name="  ", email="kari(at)example", municipality_id="NO-1804",
            role="Lærer",
        )  # fmt: skip
        assert sent.status_code == 422
        html = sent.text
        assert '<div class="ds-error-summary" role="alert"' in html
        assert '<a class="ds-link" href="#name">Skriv hele navnet ditt</a>' in html
        assert 'href="#email">Skriv e-postadressen i riktig format' in html
        assert 'id="name-error"' in html
        assert 'id="email-error"' in html
        assert 'aria-describedby="name-error" aria-invalid="true"' in html
        # What was typed is kept, and the form can be sent again with the same key.
        assert 'value="kari(at)example"' in html
        assert '<option value="NO-1804" selected>Bodø</option>' in html
        assert html.index("ds-error-summary") < html.index("<h1")
        # A municipality outside the network: the events API's refusal, next to its field.
        outsider = await send_form(browser, event_id, **person("Siri Lie", "NO-1840"))
        assert outsider.status_code == 403
        assert 'href="#municipality_id">Bare kommuner i nettverket' in outsider.text
    assert await world.registrations(event_id) == []


async def test_my_registration_cancels_after_confirming(world: World) -> None:
    event_id = await world.publish("Nettverkssamling: Lesing", 1)
    async with world.browser() as ola, world.browser() as eva:
        await send_form(ola, event_id, **person("Ola Berg"))
        await send_form(eva, event_id, **person("Eva Lind", "NO-1841"))
    (confirmed,) = [r for r in await world.registrations(event_id) if r["status"] == "confirmed"]
    secret = EventsSettings().participant_secret.get_secret_value()
    link = f"/r/{manage_token(confirmed['participant_id'], secret)}"
    async with world.browser() as ola:
        mine = await ola.get(link)
        assert mine.status_code == 200
        assert mine.headers["cache-control"] == "no-store"
        assert "Plass bekreftet" in mine.text
        ask = await ola.get(f"{link}/cancel/{confirmed['id']}")
        assert "Vil du melde deg av?" in ask.text
        done = await ola.post(
            f"{link}/cancel/{confirmed['id']}", data={"csrf_token": hidden(ask.text, "csrf_token")}
        )
        assert done.status_code == 303
        after = await ola.get(link)
        assert "Du er meldt av." in after.text
        assert "Avmeldt" in after.text
    statuses = {r["id"]: r["status"] for r in await world.registrations(event_id)}
    assert statuses[confirmed["id"]] == "cancelled"
    assert sorted(statuses.values()) == ["cancelled", "confirmed"]  # Eva moved up


async def test_a_form_without_the_sessions_token_is_refused(world: World) -> None:
    event_id = await world.publish("Verksted: Digital kompetanse", 10)
    async with world.browser() as browser:
        page = await browser.get(f"/events/{event_id}")
        forged = await browser.post(
            f"/events/{event_id}/register",
            data={"csrf_token": "forged", "form_key": hidden(page.text, "form_key"),
                  **person("Mallory")},
        )  # fmt: skip
        assert forged.status_code == 403
        assert forged.headers["content-type"].startswith("text/html")
    assert await world.registrations(event_id) == []
