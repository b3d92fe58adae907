"""An event's registration list reads its names from the event's roster: one query, not a
look-up per participant; the roster follows registrations, cancellations and erasure."""

import pytest
from samling_devtools.query_plans import recorder
from samling_devtools.testing import RunningService

from .conftest import COORDINATOR, SeedNetwork, applicant, published_event
from .test_registration import register

pytestmark = pytest.mark.integration

QUERIES = recorder()  # installed before the service's client is made


async def listed(events: RunningService, event_id: str) -> dict[str, tuple[str | None, str]]:
    """(name, status) by registration id, recording the queries the list sends."""
    QUERIES.sent.clear()
    QUERIES.recording = True
    try:
        page = await events.client.get(f"/events/{event_id}/registrations", headers=COORDINATOR)
    finally:
        QUERIES.recording = False
    assert page.status_code == 200, page.text
    return {r["id"]: (r["name"], r["status"]) for r in page.json()["items"]}


async def test_the_list_reads_its_names_in_one_query_after_registering_and_cancelling(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id, capacity=2)
    regs = [(await register(events, event_id, applicant(n))).json()["id"] for n in (1, 2, 3)]
    cancelled = await events.client.post(
        f"/events/{event_id}/registrations/{regs[0]}/cancel", headers=COORDINATOR
    )
    assert cancelled.status_code == 200, cancelled.text

    assert await listed(events, event_id) == {
        regs[0]: ("Person 1", "cancelled"),
        regs[1]: ("Person 2", "confirmed"),
        regs[2]: ("Person 3", "confirmed"),  # the cancelled seat went to the waiting list
    }
    assert len(QUERIES.sent_to("roster")) == 1
    assert QUERIES.sent_to("participants") == []

    # A registration written before the roster existed has no line: looked up by participant.
    await events.db["roster"].delete_one({"_id": regs[1]})
    assert (await listed(events, event_id))[regs[1]] == ("Person 2", "confirmed")
    assert len(QUERIES.sent_to("participants")) == 1


async def test_erasing_a_participant_takes_their_roster_lines(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804"])
    first, second = [await published_event(events, network_id) for _ in range(2)]
    kept = (await register(events, first, applicant(2))).json()
    erased = [(await register(events, e, applicant(1))).json() for e in (first, second)]
    person = erased[0]["participant_id"]
    assert await events.db["roster"].count_documents({"participant_id": person}) == 2

    done = await events.client.post(f"/participants/{person}/erasure", headers=COORDINATOR)
    assert done.status_code == 204, done.text
    assert await events.db["roster"].count_documents({"participant_id": person}) == 0
    names = await listed(events, first)
    assert names[erased[0]["id"]][0] is None
    assert names[kept["id"]][0] == "Person 2"
