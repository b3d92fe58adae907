"""The participant's side beyond the first slice, against the real network and events services,
Kafka and FerretDB: the calendar's filters, pages and feeds; the event's own questions and
pre-work; assignments, group, evaluation, calendar feed and erasure behind the private link;
and the registration form's per-client rate limit."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from samling_devtools.testing import call, running
from samling_events.adapters.api.tokens import manage_token
from samling_events.settings import EventsSettings
from samling_runtime.clock import ManualClock
from samling_web.main import create as create_web
from samling_web.pages import calendar
from samling_web.settings import WebSettings

from services.web.tests.conftest import COORDINATOR, QUESTIONS, REGION, World, hidden
from services.web.tests.integration.test_pages import person, send_form

pytestmark = pytest.mark.integration


def link_of(registration: dict[str, Any]) -> str:
    secret = EventsSettings().participant_secret.get_secret_value()
    return f"/r/{manage_token(registration['participant_id'], secret)}"


# -- the calendar ------------------------------------------------------------------------------
async def test_the_calendar_filters_by_kind_and_municipality_and_offers_feeds(
    world: World,
) -> None:
    starts = world.starts + timedelta(days=40)
    conference = await world.plain("Dialogkonferanse: Filter", "dialogue_conference", starts)
    webinar = await world.plain("Webinar: Åpent for alle", "webinar", starts, open_to_all=True)
    async with world.browser() as browser:
        by_kind = (await browser.get("/", params={"type": "webinar"})).text
        assert f'href="/events/{webinar}"' in by_kind
        assert f'href="/events/{conference}"' not in by_kind
        assert '<option value="webinar" selected>Webinar</option>' in by_kind
        # Saltdal is outside the network: only the event open to all is open to it.
        saltdal = (await browser.get("/", params={"municipality": "NO-1840"})).text
        assert f'href="/events/{webinar}"' in saltdal
        assert f'href="/events/{conference}"' not in saltdal
        bodo = (await browser.get("/", params={"municipality": "NO-1804"})).text
        assert f'href="/events/{webinar}"' in bodo
        assert f'href="/events/{conference}"' in bodo
        assert '<p class="ds-paragraph event-kind" data-size="sm">Webinar</p>' in bodo

        both = await browser.get(
            "/", params={"network": world.network_id, "municipality": "NO-1804"}
        )
        network_feed = f"/calendars/networks/{world.network_id}.ics"
        assert f'href="webcal://127.0.0.1:8000{network_feed}"' in both.text
        assert 'href="webcal://127.0.0.1:8000/calendars/municipalities/NO-1804.ics"' in both.text
        assert "Arrangementene til nettverket Skoleledernettverket" in both.text
        for feed in (network_feed, "/calendars/municipalities/NO-1804.ics"):
            ics = await browser.get(feed)
            assert ics.status_code == 200
            assert ics.headers["content-type"].startswith("text/calendar")
            assert b"Dialogkonferanse: Filter" in ics.content
        unknown = await browser.get("/", params={"type": "nonsense", "municipality": "NO-0000"})
        assert unknown.status_code == 200  # an unknown filter shows every event


async def test_the_calendar_pages_through_filtered_events_without_gaps(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calendar, "PER_PAGE", 2)
    starts = world.starts + timedelta(days=60)
    kinds = ["workshop", "theme_day", "workshop", "theme_day", "workshop"]
    ids = [
        await world.plain(f"Verksted {n}", kind, starts + timedelta(days=n))
        for n, kind in enumerate(kinds)
    ]
    workshops = [i for i, kind in zip(ids, kinds, strict=True) if kind == "workshop"]
    async with world.browser() as browser:
        first = await browser.get("/", params={"type": "workshop"})
        assert [i for i in ids if f'href="/events/{i}"' in first.text] == workshops[:2]
        later = later_link(first.text)
        assert "type=workshop" in later
        second = await browser.get(later)
        assert [i for i in ids if f'href="/events/{i}"' in second.text] == workshops[2:]
        assert "Senere arrangementer" not in second.text
        assert "Første side" in second.text


def later_link(html: str) -> str:
    """The pager's "later events" link."""
    found = re.search(r'href="([^"]*cursor=[^"]*)"', html)
    assert found, "no link to later events"
    return found.group(1).replace("&amp;", "&")


# -- the event page ----------------------------------------------------------------------------
async def test_the_event_page_asks_the_events_own_questions_and_shows_prework(
    world: World,
) -> None:
    event_id = await world.publish("Dialogkonferanse: Spørsmål", 10)
    await world.ask(event_id, QUESTIONS)
    await world.assign(event_id, "pre", "Ta med et eksempel fra egen praksis", world.starts)
    async with world.browser() as browser:
        page = await browser.get(f"/events/{event_id}")
        assert "Bodø rådhus, Kongens gate 1" in page.text  # the venue with its address
        assert '<h2 class="ds-heading" data-size="sm" id="prework">Forarbeid</h2>' in page.text
        assert "Ta med et eksempel fra egen praksis" in page.text
        diet = '<label class="ds-label" for="answer_diet">Allergier eller dietthensyn? (valgfritt)'
        assert diet in page.text
        assert '<legend class="ds-label">Hvilken gruppeøkt?</legend>' in page.text
        assert 'type="radio" id="answer_session" name="answer_session" value="Lesing"' in page.text
        assert '<select class="ds-input" id="answer_arena" name="answer_arena"' in page.text

        missing = await send_form(
            browser, event_id, **person("Siv Spørre"), answer_diet="Vegetar", answer_arena="Feil"
        )
        assert missing.status_code == 422
        assert 'href="#answer_session">Hvilken gruppeøkt?: Velg ett av svarene</a>' in missing.text
        assert 'href="#answer_arena">Hvilken læringsarena?: Velg ett av svarene</a>' in missing.text
        assert 'id="answer_session-error"' in missing.text
        assert ">Vegetar</textarea>" in missing.text  # what was typed is kept
        assert await world.registrations(event_id) == []

        sent = await send_form(
            browser, event_id, **person("Siv Spørre"), answer_diet="Vegetar",
            answer_session="Skriving", answer_arena="Skole",
        )  # fmt: skip
        assert sent.status_code == 303, sent.text
    (registration,) = await world.registrations(event_id)
    assert registration["answers"] == {"diet": "Vegetar", "session": "Skriving", "arena": "Skole"}


# -- my registration ---------------------------------------------------------------------------
async def test_my_registration_marks_work_done_shows_my_group_and_takes_the_evaluation(
    world: World,
) -> None:
    began = datetime.now(UTC) - timedelta(hours=1)
    event_id = await world.plain("Nettverkssamling: I gang", "network_meeting", began)
    assignment = await world.assign(
        event_id, "post", "Prøv ut i egen klasse", began + timedelta(days=14)
    )
    for name in ("Gro Grupp", "Hans Hansen", "Ida Iversen"):
        async with world.browser() as browser:
            assert (await send_form(browser, event_id, **person(name))).status_code == 303
    await call(world.events.client, "POST", f"/events/{event_id}/groups", 200,
               headers=COORDINATOR, json={"size": 2})  # fmt: skip
    gro = next(r for r in await world.registrations(event_id) if r["name"] == "Gro Grupp")
    link = link_of(gro)
    async with world.browser() as browser:
        mine = await browser.get(link)
        assert "Prøv ut i egen klasse" in mine.text
        assert "Etterarbeid, frist" in mine.text
        assert "Du er i gruppe " in mine.text
        assert f'href="webcal://127.0.0.1:8000{link}/calendar.ics"' in mine.text
        done = await browser.post(
            f"{link}/assignments/{assignment}",
            data={"csrf_token": hidden(mine.text, "csrf_token"), "registration_id": gro["id"]},
        )
        assert done.status_code == 303
        after = await browser.get(link)
        assert "Merket som gjort. Takk!" in after.text
        assert '<span class="ds-tag" data-color="success">Gjort</span>' in after.text
        assert "Merk som gjort" not in after.text

        form = await browser.get(f"{link}/evaluation", params={"registration": gro["id"]})
        assert form.status_code == 200
        assert "Hva syntes du om Nettverkssamling: I gang?" in form.text
        csrf = hidden(form.text, "csrf_token")
        empty = await browser.post(
            f"{link}/evaluation", data={"csrf_token": csrf, "registration_id": gro["id"]}
        )
        assert empty.status_code == 422
        assert 'href="#rating">Velg hvor godt arrangementet var, fra 1 til 5</a>' in empty.text
        sent = await browser.post(
            f"{link}/evaluation",
            data={"csrf_token": csrf, "registration_id": gro["id"], "rating": "4",
                  "useful_for_practice": "yes", "comment": "Nyttig"},
        )  # fmt: skip
        assert sent.status_code == 303
        thanked = await browser.get(link)
        assert "Takk for evalueringen din." in thanked.text
        assert "Endre evalueringen din av arrangementet" in thanked.text

        feed = await browser.get(f"{link}/calendar.ics")
        assert feed.status_code == 200
        assert feed.headers["cache-control"] == "no-store"
        assert b"Nettverkssamling: I gang" in feed.content
    summary = await call(world.events.client, "GET", f"/events/{event_id}/evaluations", 200,
                         headers=COORDINATOR)  # fmt: skip
    assert summary["average_rating"] == 4
    assert summary["comments"] == ["Nyttig"]


async def test_erasing_my_data_asks_first_then_forgets_me(world: World) -> None:
    event_id = await world.publish("Temadag: Glem meg", 5)
    async with world.browser() as browser:
        await send_form(browser, event_id, **person("Kim Glemsk"))
    (kim,) = await world.registrations(event_id)
    link = link_of(kim)
    async with world.browser() as browser:
        mine = await browser.get(link)
        assert f'href="{link}/erase"' in mine.text
        ask = await browser.get(f"{link}/erase")
        assert ask.status_code == 200
        assert "Vil du slette opplysningene dine?" in ask.text
        assert "Temadag: Glem meg" in ask.text
        assert await world.registrations(event_id) != []  # asking changed nothing
        erased = await browser.post(
            f"{link}/erase", data={"csrf_token": hidden(ask.text, "csrf_token")}
        )
        assert erased.status_code == 303
        after = await browser.get(link)
        assert "plassene dine på kommende arrangementer er gitt fra deg" in after.text
        assert "Du har ingen påmeldinger." in after.text
    (anonymous,) = await world.registrations(event_id)
    assert anonymous["status"] == "cancelled"
    assert anonymous["email"] is None


# -- the rate limit ----------------------------------------------------------------------------
async def test_the_form_is_rate_limited_per_client_with_a_page_saying_when(world: World) -> None:
    event_id = await world.publish("Kurs: Mange skjema", 10)
    strict = create_web(
        WebSettings(
            environment="test", default_region_id=REGION, register_burst=2, register_per_hour=60
        ),
        clock=ManualClock(datetime.now(UTC)),  # the bucket does not refill during the test
        transports={
            "network": httpx.ASGITransport(app=world.network.app),
            "events": httpx.ASGITransport(app=world.events.app),
        },
    )
    async with running(strict) as web:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=web.app), base_url="http://web"
        ) as bot:
            for _ in range(2):  # the burst: refused only for what they hold
                assert (await send_form(bot, event_id, name="")).status_code == 422
            limited = await send_form(bot, event_id, **person("Bo Bot"))
            assert limited.status_code == 429
            assert limited.headers["retry-after"] == "60"
            assert "For mange påmeldinger på en gang" in limited.text
            assert "Prøv igjen om 1 minutt." in limited.text
            bot.headers["Accept-Language"] = "en"
            english = await send_form(bot, event_id, **person("Bo Bot"))
            assert english.status_code == 429
            assert "Please try again in 1 minute." in english.text
        # Another client is not held back by the first one's forms.
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=web.app, client=("192.0.2.7", 50000)),
            base_url="http://web",
        ) as person_next_door:
            sent = await send_form(person_next_door, event_id, **person("Pia Person"))
            assert sent.status_code == 303
    assert [r["name"] for r in await world.registrations(event_id)] == ["Pia Person"]
