"""Registration forms for one event that arrive while earlier ones are under way go to the events
API as one request; each form still gets its own answer (the registration, or the refusal the
single route would have given), and a form on a quiet site goes out at once, alone."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from samling_web.registration_batches import IN_FLIGHT, RegistrationBatches
from samling_web.settings import WebSettings
from samling_web.upstream_api import Api, Refused, UpstreamDown
from samling_web.upstream_tokens import Tokens

from services.web.tests.unit.slow_service import Slow

NOT_A_MEMBER = {"type": "https://samling.example/problems/not-a-member", "status": 403}


def registration(email: str, number: int) -> dict[str, Any]:
    return {
        "id": f"reg-{email}",
        "event_id": "evt-1",
        "status": "waitlisted",
        "municipality_id": "NO-1804",
        "waiting_position": number,
    }


@dataclass
class EventsApi(Slow):
    """Answers after a moment; a form from outside Bodø is refused as the events API does."""

    seconds: float = 0.02
    down: bool = False
    requests: list[tuple[str, list[str]]] = field(default_factory=list)

    def answer(self, body: dict[str, Any], number: int) -> tuple[int, dict[str, Any]]:
        if body["municipality_id"] != "NO-1804":
            return 403, NOT_A_MEMBER
        return 201, registration(body["email"], number)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self.hold()
        if self.down:
            return httpx.Response(503)
        sent = json.loads(request.content)
        if request.url.path.endswith("/batch"):
            items = sent["items"]
            self.requests.append(("batch", [i["idempotency_key"] for i in items]))
            answers = [self.answer(i["registration"], n) for n, i in enumerate(items)]
            return httpx.Response(
                200, json={"items": [{"status": s, "body": b} for s, b in answers]}
            )
        self.requests.append(("single", [request.headers["Idempotency-Key"]]))
        status, body = self.answer(sent, 0)
        return httpx.Response(status, json=body)


def applicant(n: int, municipality: str = "NO-1804") -> dict[str, Any]:
    return {"name": f"P {n}", "email": f"p{n}@example.no", "municipality_id": municipality}


async def test_forms_arriving_meanwhile_go_together_each_with_its_own_answer() -> None:
    service = EventsApi()
    async with httpx.AsyncClient(transport=service, base_url="http://events") as client:
        batches = RegistrationBatches(Api("events", client), Tokens(WebSettings()))
        sent = [
            batches.register("evt-1", applicant(n, "NO-1833" if n == 7 else "NO-1804"), f"k{n}")
            for n in range(10)
        ]
        answers = await asyncio.gather(*sent, return_exceptions=True)
    # The first IN_FLIGHT went alone, at once; the rest waited for them and went as one.
    assert service.requests[:IN_FLIGHT] == [("single", [f"k{n}"]) for n in range(IN_FLIGHT)]
    assert service.requests[IN_FLIGHT:] == [("batch", [f"k{n}" for n in range(IN_FLIGHT, 10)])]
    refused = answers[7]
    assert isinstance(refused, Refused)
    assert (refused.status, refused.kind) == (403, "not-a-member")
    registered = [a for n, a in enumerate(answers) if n != 7]
    assert [getattr(a, "id", a) for a in registered] == [
        f"reg-p{n}@example.no" for n in range(10) if n != 7
    ]


async def test_a_form_on_a_quiet_site_goes_alone_and_at_once() -> None:
    service = EventsApi(seconds=0)
    async with httpx.AsyncClient(transport=service, base_url="http://events") as client:
        batches = RegistrationBatches(Api("events", client), Tokens(WebSettings()))
        for n in range(3):
            await batches.register("evt-1", applicant(n), f"k{n}")
    assert service.requests == [("single", [f"k{n}"]) for n in range(3)]


async def test_a_service_that_fails_fails_every_form_of_the_batch_as_down() -> None:
    service = EventsApi(down=True)
    async with httpx.AsyncClient(transport=service, base_url="http://events") as client:
        batches = RegistrationBatches(Api("events", client), Tokens(WebSettings()))
        sent = [batches.register("evt-1", applicant(n), f"k{n}") for n in range(6)]
        answers = await asyncio.gather(*sent, return_exceptions=True)
    assert all(isinstance(a, UpstreamDown) for a in answers), answers


async def test_a_person_who_leaves_does_not_spoil_the_others_answers() -> None:
    service = EventsApi()
    async with httpx.AsyncClient(transport=service, base_url="http://events") as client:
        batches = RegistrationBatches(Api("events", client), Tokens(WebSettings()))
        sent = [
            asyncio.create_task(batches.register("evt-1", applicant(n), f"k{n}")) for n in range(5)
        ]
        await asyncio.sleep(0)
        sent[3].cancel()
        answers = await asyncio.gather(*sent, return_exceptions=True)
    assert isinstance(answers[3], asyncio.CancelledError)
    assert [getattr(a, "id", None) for n, a in enumerate(answers) if n != 3] == [
        f"reg-p{n}@example.no" for n in (0, 1, 2, 4)
    ]


@pytest.mark.parametrize("event_id", ["evt-1", "evt-2"])
async def test_forms_for_another_event_are_not_held_back(event_id: str) -> None:
    service = EventsApi()
    async with httpx.AsyncClient(transport=service, base_url="http://events") as client:
        batches = RegistrationBatches(Api("events", client), Tokens(WebSettings()))
        busy = [batches.register("evt-1", applicant(n), f"k{n}") for n in range(IN_FLIGHT)]
        other = batches.register(event_id, applicant(9), "k9")
        await asyncio.gather(*busy, other)
    # Another event's form is sent beside the busy event's; the busy event's own waits.
    assert service.most == (IN_FLIGHT + 1 if event_id == "evt-2" else IN_FLIGHT)
