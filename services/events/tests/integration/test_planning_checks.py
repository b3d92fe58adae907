"""What a planning page asks while the coordinator types: conflicts for times and a venue not
saved yet; and a new time told to those registered with the organiser's message."""

import json
from typing import Any

import pytest
from samling_contracts.topics import EVENTS
from samling_devtools.testing import RunningService, read_topic

from .conftest import COORDINATOR, SeedNetwork, new_event, published_event

pytestmark = pytest.mark.integration

LATER = {"starts_at": "2027-03-10T09:00:00+01:00", "ends_at": "2027-03-10T15:00:00+01:00"}


async def test_conflicts_for_times_and_a_venue_being_typed(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804"])
    # Another network's event, at Fauske hotell a month later than the draft.
    other_network = await seed_network(["NO-1804"])
    elsewhere = await published_event(
        events, other_network, venue="Fauske hotell", title="Temadag", **LATER
    )
    made = await events.client.post(
        "/events", json=new_event(network_id, venue="Bodø rådhus"), headers=COORDINATOR
    )
    draft = made.json()["id"]
    path = f"/events/{draft}/conflicts"

    saved = await events.client.get(path, headers=COORDINATOR)
    assert saved.json() == []
    moved = await events.client.get(path, params=LATER, headers=COORDINATOR)
    assert moved.json() == []  # another network, another venue
    there = await events.client.get(
        path, params={**LATER, "venue": " Fauske hotell "}, headers=COORDINATOR
    )
    assert [(c["event_id"], c["reason"]) for c in there.json()] == [(elsewhere, "same venue")]
    # Nothing was saved by asking.
    draft_now = await events.client.get(f"/events/{draft}", headers=COORDINATOR)
    assert draft_now.json()["venue"] == "Bodø rådhus"

    backwards = await events.client.get(
        path,
        params={"starts_at": LATER["ends_at"], "ends_at": LATER["starts_at"]},
        headers=COORDINATOR,
    )
    assert backwards.status_code == 422
    assert backwards.headers["content-type"] == "application/problem+json"


async def test_a_new_time_carries_the_organisers_message_to_the_fact(
    events: RunningService, seed_network: SeedNetwork, topics: str
) -> None:
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id)
    moved = await events.client.post(
        f"/events/{event_id}/reschedule",
        json={**LATER, "message": "Innleder er syk; vi flytter en måned."},
        headers=COORDINATOR,
    )
    assert moved.status_code == 200, moved.text

    def rescheduled(records: list[Any]) -> list[dict[str, Any]]:
        return [
            json.loads(r.value)["data"]
            for r in records
            if r.key == event_id.encode() and b"event.rescheduled.v1" in r.value
        ]

    records = await read_topic(topics, EVENTS.name, lambda rs: len(rescheduled(rs)) >= 1)
    (fact,) = rescheduled(records)
    assert fact["message"] == "Innleder er syk; vi flytter en måned."
    assert fact["starts_at"].startswith("2027-03-10")
