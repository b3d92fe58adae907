"""People sending the registration form at the same moment: the web app sends their forms to
the events API together (``/registrations/batch``), and each person sees what they would see
alone: the answer page, a field error, one registration for a double click."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from samling_devtools.testing import RunningService, running
from samling_web.main import create as create_web
from samling_web.settings import WebSettings

from services.web.tests.conftest import REGION, World, hidden
from services.web.tests.integration.test_pages import person
from services.web.tests.integration.test_upstream_calls import Counted

pytestmark = pytest.mark.integration


@pytest.fixture
async def counted() -> Counted:
    return Counted(httpx.AsyncBaseTransport())


@pytest.fixture
async def web(world: World, counted: Counted) -> AsyncIterator[RunningService]:
    counted.inner = httpx.ASGITransport(app=world.events.app)
    app = create_web(
        WebSettings(environment="test", default_region_id=REGION, register_burst=10_000),
        transports={"network": httpx.ASGITransport(app=world.network.app), "events": counted},
    )
    async with running(app) as service:
        yield service


def visitor(web: RunningService) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=web.app), base_url="http://web")


async def test_forms_sent_at_once_go_together_and_each_person_sees_their_own_answer(
    world: World, web: RunningService, counted: Counted
) -> None:
    event_id = await world.publish("Temadag: Samtidig", 2)
    names = [f"Eli Samtidig{i}" for i in range(8)]
    people = [visitor(web) for _ in names]
    try:
        pages = await asyncio.gather(*(p.get(f"/events/{event_id}") for p in people))
        forms = [
            {
                "csrf_token": hidden(page.text, "csrf_token"),
                "form_key": hidden(page.text, "form_key"),
                **person(name),
            }
            for page, name in zip(pages, names, strict=True)
        ]
        # The last person's form carries the first person's address: already registered.
        forms[-1] = {**forms[-1], "email": forms[0]["email"]}
        counted.calls.clear()
        # Person 0 double-clicks: the same form twice, among the others.
        sent = await asyncio.gather(
            *(
                p.post(f"/events/{event_id}/register", data=f)
                for p, f in zip(people, forms, strict=True)
            ),
            people[0].post(f"/events/{event_id}/register", data=forms[0]),
        )
        batched = [c for c in counted.calls if c.startswith(f"POST /events/{event_id}/registr")]
        assert f"POST /events/{event_id}/registrations/batch?" in batched
        assert len(batched) < len(sent)
        *registered, taken, double = sent
        assert [r.status_code for r in [*registered, double]] == [303] * 8, taken.text
        assert taken.status_code == 409
        assert "Denne e-postadressen er allerede påmeldt dette arrangementet" in taken.text
        assert 'id="email-error"' in taken.text
        answers = [await p.get(f"/events/{event_id}/registered") for p in people[:7]]
        seated = sum("Du har fått plass" in a.text for a in answers)
        waiting = sum("Du står på ventelisten" in a.text for a in answers)
        assert (seated, waiting) == (2, 5)
        stored = await world.registrations(event_id)
        assert len(stored) == 7
    finally:
        for p in people:
            await p.aclose()
