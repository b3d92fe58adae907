"""Several registrations in one request (``POST /events/{id}/registrations/batch``, the web
app's): each item answered as the single route answers it, each key registering once."""

import asyncio
from typing import Any

import pytest
from samling_devtools.testing import RunningService, unique
from samling_runtime.auth import Role

from .conftest import COORDINATOR, SeedNetwork, applicant, headers, published_event

pytestmark = pytest.mark.integration

WEB = headers([Role.WEB])


def item(body: dict[str, Any], key: str | None = None) -> dict[str, Any]:
    return {"idempotency_key": key or unique("form"), "registration": body}


async def batch(events: RunningService, event_id: str, items: list[dict[str, Any]]) -> Any:
    response = await events.client.post(
        f"/events/{event_id}/registrations/batch", json={"items": items}, headers=WEB
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def single(events: RunningService, event_id: str, body: dict[str, Any]) -> Any:
    return await events.client.post(
        f"/events/{event_id}/registrations",
        json=body,
        headers={**WEB, "Idempotency-Key": unique("form")},
    )


async def test_each_item_gets_the_single_routes_answer(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id, capacity=1)
    # The same refusals from the single route, for comparison.
    other = await published_event(events, network_id, capacity=1)
    await single(events, other, applicant(9))
    alone = [
        await single(events, other, body)
        for body in (applicant(2), applicant(3, email="not-an-address"), applicant(4, "NO-1833"))
    ]
    answers = await batch(
        events,
        event_id,
        [
            item(applicant(1)),
            item(applicant(2)),
            item(applicant(3, email="not-an-address")),
            item(applicant(4, municipality="NO-1833")),
        ],
    )
    assert [a["status"] for a in answers] == [201, 201, 422, 403]
    assert [a["status"] for a in answers[1:]] == [r.status_code for r in alone]
    # The two reach the desk together: either may hold the seat (the web app's registrations
    # wait for the municipality's approval: example.no is not its domain).
    assert sorted(a["body"]["status"] for a in answers[:2]) == ["pending_approval", "waitlisted"]
    assert sorted(a["body"]["waiting_position"] or 0 for a in answers[:2]) == [0, 1]
    assert answers[2]["body"]["type"].endswith("/validation")
    assert "email" in answers[2]["body"]["detail"]
    assert answers[3]["body"] | {"instance": None} == alone[2].json() | {"instance": None}
    stored = await events.db["registrations"].count_documents({"event_id": event_id})
    assert stored == 2


async def test_a_key_sent_twice_registers_once_within_and_across_batches(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    event_id = await published_event(events, await seed_network(["NO-1804"]))
    first = await batch(events, event_id, [item(applicant(1), "k-1"), item(applicant(1), "k-1")])
    assert [a["status"] for a in first] == [201, 201]
    assert first[0]["body"]["id"] == first[1]["body"]["id"]
    again = await batch(events, event_id, [item(applicant(1), "k-1"), item(applicant(2), "k-2")])
    assert [a["status"] for a in again] == [201, 201]
    assert again[0]["body"]["id"] == first[0]["body"]["id"]
    # The same key with another form is the single route's 422; a new key for the same
    # person is its 409.
    reused = await batch(events, event_id, [item(applicant(3), "k-1"), item(applicant(2))])
    assert [a["status"] for a in reused] == [422, 409]
    assert reused[0]["body"]["type"].endswith("/idempotency-key-reused")
    assert reused[1]["body"]["type"].endswith("/already-registered")
    stored = await events.db["registrations"].count_documents({"event_id": event_id})
    assert stored == 2


async def test_concurrent_batches_fill_the_seats_once(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    event_id = await published_event(events, await seed_network(["NO-1804"]), capacity=3)
    groups = [[item(applicant(10 * g + i)) for i in range(4)] for g in range(3)]
    answers = [a for got in await asyncio.gather(*(batch(events, event_id, g) for g in groups))
               for a in got]  # fmt: skip
    assert [a["status"] for a in answers] == [201] * 12
    statuses = sorted(a["body"]["status"] for a in answers)
    assert statuses == ["pending_approval"] * 3 + ["waitlisted"] * 9
    positions = sorted(
        a["body"]["waiting_position"] for a in answers if a["body"]["waiting_position"]
    )
    assert positions == list(range(1, 10))
    listed = await events.client.get(
        f"/events/{event_id}/registrations", params={"limit": 50}, headers=COORDINATOR
    )
    assert len(listed.json()["items"]) == 12


async def test_a_batch_is_refused_whole_only_for_the_request_itself(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    event_id = await published_event(events, await seed_network(["NO-1804"]))
    path = f"/events/{event_id}/registrations/batch"
    empty = await events.client.post(path, json={"items": []}, headers=WEB)
    too_many = await events.client.post(
        path, json={"items": [item(applicant(i)) for i in range(101)]}, headers=WEB
    )
    unknown = await events.client.post(
        "/events/evt-nope/registrations/batch", json={"items": [item(applicant(1))]}, headers=WEB
    )
    assert (empty.status_code, too_many.status_code, unknown.status_code) == (422, 422, 404)
    assert all(
        r.headers["content-type"] == "application/problem+json" for r in (empty, too_many, unknown)
    )
    assert await events.db["registrations"].count_documents({"event_id": event_id}) == 0
