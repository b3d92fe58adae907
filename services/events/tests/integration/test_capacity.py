"""The capacity rule under a registration rush, against the real FerretDB."""

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from samling_devtools.testing import RunningService
from samling_events.container import started_in
from samling_runtime.clock import ManualClock

from .conftest import COORDINATOR, SeedNetwork, applicant, published_event

pytestmark = pytest.mark.integration


async def test_500_concurrent_registrations_for_50_seats(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804", "NO-1841"])
    event_id = await published_event(events, network_id, capacity=50)
    people = [applicant(n, "NO-1804" if n % 2 else "NO-1841") for n in range(500)]

    async def register(body: dict[str, Any]) -> Any:
        return await events.client.post(
            f"/events/{event_id}/registrations", json=body, headers=COORDINATOR
        )

    responses = await asyncio.gather(*(register(p) for p in people))
    assert {r.status_code for r in responses} == {201}, [
        r.text for r in responses if r.status_code != 201
    ][:3]
    statuses = [r.json()["status"] for r in responses]
    assert statuses.count("confirmed") == 50
    assert statuses.count("waitlisted") == 450

    docs = await events.db["registrations"].find({"event_id": event_id}).to_list()
    assert len(docs) == 500  # none lost
    assert len({d["participant_id"] for d in docs}) == 500  # none twice
    confirmed = [d for d in docs if d["status"] == "confirmed"]
    waiting = sorted(
        (d for d in docs if d["status"] == "waitlisted"), key=lambda d: d["arrival_seq"]
    )
    assert len(confirmed) == 50
    assert sorted(d["seat_no"] for d in confirmed) == list(range(1, 51))
    assert await events.db["seats"].count_documents({"event_id": event_id}) == 50
    # Arrival order: everyone confirmed came before everyone waiting.
    assert max(d["arrival_seq"] for d in confirmed) < min(d["arrival_seq"] for d in waiting)
    assert len({d["arrival_seq"] for d in docs}) == 500

    # The waiting list as organisers see it is in arrival order, positions 1..450.
    listed = await events.client.get(
        f"/events/{event_id}/registrations",
        params={"status": "waitlisted", "limit": 500},
        headers=COORDINATOR,
    )
    assert [r["id"] for r in listed.json()["items"]] == [d["_id"] for d in waiting]
    revisions = (
        await events.db["registrations_revisions"]
        .find({"aggregate_id": {"$in": [d["_id"] for d in waiting]}})
        .to_list()
    )
    positions = sorted(
        (e["data"]["position"], r["state"]["arrival_seq"])
        for r in revisions
        for e in r["events"]
        if e["type"].endswith("waitlisted.v1")
    )
    assert [p for p, _ in positions] == list(range(1, 451))
    assert [s for _, s in positions] == sorted(s for _, s in positions)


async def test_an_orphan_seat_is_freed_for_the_waiting_list_and_held_seats_are_kept(
    events: RunningService, seed_network: SeedNetwork, clock: ManualClock
) -> None:
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id, capacity=2)
    regs = [
        (
            await events.client.post(
                f"/events/{event_id}/registrations", json=applicant(n), headers=COORDINATOR
            )
        ).json()
        for n in range(2)
    ]
    # A seat whose registration was never written (a crash mid-batch) is held by nobody.
    seats = events.db["seats"]
    await seats.update_one({"registration_id": regs[1]["id"]}, {"$set": {"registration_id": "x"}})
    clock.advance(timedelta(minutes=10))
    await started_in(events.app).get().sweeper.run_once()
    holders = {s["registration_id"] async for s in seats.find({"event_id": event_id})}
    assert regs[0]["id"] in holders
    assert "x" not in holders
