"""How many calls the pages make to the services' APIs: each costs the web app more CPU than
rendering the page (``make bench-web``), so what a page needs is asked for once per short
while, and a filter is the events API's to apply."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import pytest
from samling_devtools.testing import running
from samling_web.main import create as create_web
from samling_web.settings import WebSettings

from services.web.tests.conftest import REGION, World, hidden
from services.web.tests.integration.test_pages import person

pytestmark = pytest.mark.integration


@dataclass
class Counted(httpx.AsyncBaseTransport):
    """An upstream service as the web app reaches it, noting each call (method and path)."""

    inner: httpx.AsyncBaseTransport
    calls: list[str] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(f"{request.method} {request.url.path}?{request.url.query.decode()}")
        return await self.inner.handle_async_request(request)


@dataclass
class CountingWeb:
    client: httpx.AsyncClient
    network: Counted
    events: Counted

    def calls(self) -> list[str]:
        return [*self.network.calls, *self.events.calls]

    def forget(self) -> None:
        self.network.calls.clear()
        self.events.calls.clear()


@pytest.fixture
async def counting(world: World) -> AsyncIterator[CountingWeb]:
    network = Counted(httpx.ASGITransport(app=world.network.app))
    events = Counted(httpx.ASGITransport(app=world.events.app))
    app = create_web(
        WebSettings(environment="test", default_region_id=REGION, register_burst=10_000),
        transports={"network": network, "events": events},
    )
    async with running(app) as web:
        yield CountingWeb(web.client, network, events)


async def _send(
    web: httpx.AsyncClient, event_id: str, form: httpx.Response, name: str
) -> httpx.Response:
    """The registration form of the event page ``form``, filled in for ``name``."""
    return await web.post(
        f"/events/{event_id}/register",
        data={
            "csrf_token": hidden(form.text, "csrf_token"),
            "form_key": hidden(form.text, "form_key"),
            **person(name),
        },
    )


async def test_a_read_event_page_serves_the_next_readers_and_a_registration_asks_once(
    world: World, counting: CountingWeb
) -> None:
    event_id = await world.publish("Dialogkonferanse: Ett kall", 5)
    web = counting.client
    first = await web.get(f"/events/{event_id}")
    assert first.status_code == 200
    asked = {call.split("?")[0] for call in counting.calls()}
    assert {f"GET /events/{event_id}", f"GET /events/{event_id}/eligibility",
            f"GET /events/{event_id}/prework"} <= asked  # fmt: skip

    # The next readers of the page, and the form they send, are served from what was read:
    # a registration costs the events API only the registration.
    counting.forget()
    again = await web.get(f"/events/{event_id}")
    assert again.status_code == 200
    assert counting.calls() == []
    sent = await _send(web, event_id, again, "Eli Ettkall")
    assert sent.status_code == 303, sent.text
    assert counting.calls() == [f"POST /events/{event_id}/registrations?"]

    # The seat just taken shows at once on the page of whoever took it.
    counting.forget()
    after = await web.get(f"/events/{event_id}")
    assert counting.calls() == [f"GET /events/{event_id}?"]
    assert "4 ledige plasser" in after.text


async def test_registrations_one_after_another_each_ask_only_to_register(
    world: World, counting: CountingWeb
) -> None:
    event_id = await world.publish("Dialogkonferanse: Etter hverandre", 5)
    web = counting.client
    forms = [await web.get(f"/events/{event_id}") for _ in range(2)]  # two forms, as two tabs
    for i, form in enumerate(forms):
        counting.forget()
        sent = await _send(web, event_id, form, f"Eli Etter{i}")
        assert sent.status_code == 303, sent.text
        # The registration before did not make this one read the event again.
        assert counting.calls() == [f"POST /events/{event_id}/registrations?"]


async def test_the_calendars_filters_are_applied_by_the_events_api(
    world: World, counting: CountingWeb
) -> None:
    starts = world.starts + timedelta(days=80)
    conference = await world.plain("Dialogkonferanse: Oppstrøms", "dialogue_conference", starts)
    webinar = await world.plain("Webinar: Oppstrøms", "webinar", starts, open_to_all=True)
    await counting.client.get("/")  # the region, its networks and municipalities, kept
    counting.forget()
    page = await counting.client.get("/", params={"type": "webinar", "municipality": "NO-1840"})
    assert f'href="/events/{webinar}"' in page.text
    assert f'href="/events/{conference}"' not in page.text
    (listed,) = counting.calls()
    assert listed.startswith("GET /events?")
    assert "kind=webinar" in listed
    assert "municipality_id=NO-1840" in listed
    # Its next readers in the same moment are served that page.
    counting.forget()
    again = await counting.client.get("/", params={"type": "webinar", "municipality": "NO-1840"})
    assert f'href="/events/{webinar}"' in again.text
    assert counting.calls() == []
