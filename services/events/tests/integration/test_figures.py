"""An event's figures for the coordinator's dashboard, and that each count uses an index."""

from typing import Any

import pytest
from pymongo import AsyncMongoClient
from samling_devtools.infra import Stack
from samling_devtools.query_plans import RecordedQuery, explain_plan, scanned_tables
from samling_devtools.testing import RunningService, call

from services.events.tests.integration.conftest import (
    COORDINATOR,
    SeedNetwork,
    applicant,
    published_event,
)

pytestmark = pytest.mark.integration

# The test clock is 08:00 UTC: check-in (two hours before the start) is open.
SOON = {"starts_at": "2027-01-10T09:30:00+01:00", "ends_at": "2027-01-10T15:00:00+01:00"}


async def _figures(events: RunningService, event_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await call(
        events.client, "GET", f"/events/{event_id}/figures", 200, headers=COORDINATOR
    )
    return found


async def test_figures_count_seats_waiting_list_offers_approvals_and_check_ins(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id, capacity=2, offer_hours=24, **SOON)
    assert await _figures(events, event_id) == {
        "event_id": event_id, "capacity": 2, "seats_taken": 0, "waitlisted": 0, "offered": 0,
        "pending_approval": 0, "checked_in": 0,
    }  # fmt: skip
    path = f"/events/{event_id}/registrations"
    regs = [
        await call(events.client, "POST", path, 201, headers=COORDINATOR, json=applicant(n))
        for n in range(4)
    ]
    await call(events.client, "POST", f"/events/{event_id}/registrations/{regs[0]['id']}/attendance",
               200, headers=COORDINATOR, json={"attended": True})  # fmt: skip
    # A seat freed: the first on the waiting list is offered it and holds it meanwhile.
    await call(events.client, "POST", f"/events/{event_id}/registrations/{regs[1]['id']}/cancel",
               200, headers=COORDINATOR)  # fmt: skip
    assert await _figures(events, event_id) == {
        "event_id": event_id, "capacity": 2, "seats_taken": 2, "waitlisted": 1, "offered": 1,
        "pending_approval": 0, "checked_in": 1,
    }  # fmt: skip

    approving = await published_event(events, network_id, capacity=5, requires_approval=True)
    await call(events.client, "POST", f"/events/{approving}/registrations", 201,
               headers=COORDINATOR, json=applicant(9))  # fmt: skip
    found = await _figures(events, approving)
    assert (found["seats_taken"], found["pending_approval"]) == (1, 1)


async def test_each_figure_is_counted_on_an_index(
    events: RunningService, seed_network: SeedNetwork, stack: Stack
) -> None:
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id, capacity=1)
    for n in range(2):
        await call(events.client, "POST", f"/events/{event_id}/registrations", 201,
                   headers=COORDINATOR, json=applicant(n))  # fmt: skip
    database = events.db.name
    shapes: list[tuple[str, dict[str, Any]]] = [
        ("seats", {"event_id": event_id}),
        ("registrations", {"event_id": event_id, "status": "waitlisted"}),
        ("registrations", {"event_id": event_id, "status": "confirmed", "attended": True}),
    ]
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url)
    try:
        for collection, query in shapes:
            plan = await explain_plan(
                client[database],
                RecordedQuery(database, collection, "count", query),
            )
            assert not scanned_tables(plan), (collection, query, plan)
    finally:
        await client.close()
