"""The event list is read a week of events per query (a network's a quarter), in start order,
drafts as before."""

import pytest
from samling_devtools.query_plans import recorder
from samling_devtools.testing import RunningService
from samling_events.adapters.store.stores import EVENT_TIMELINE, NETWORK_EVENT_TIMELINE
from samling_runtime.auth import Role

from .conftest import COORDINATOR, SeedNetwork, headers, new_event, published_event

pytestmark = pytest.mark.integration

QUERIES = recorder()  # installed before the service's client is made


async def test_the_event_list_reads_one_week_per_query_in_start_order(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804"])
    starts = ["2027-05-03", "2027-01-04", "2027-03-15", "2027-01-06", "2027-09-20"]
    published = {
        day: await published_event(
            events, network_id, starts_at=f"{day}T09:00:00+01:00", ends_at=f"{day}T15:00:00+01:00"
        )
        for day in starts
    }
    draft = await events.client.post(
        "/events",
        json=new_event(
            network_id, starts_at="2027-02-01T09:00:00+01:00", ends_at="2027-02-01T15:00:00+01:00"
        ),
        headers=COORDINATOR,
    )
    assert draft.status_code == 201, draft.text
    participant = headers([Role.PARTICIPANT])
    QUERIES.sent.clear()
    QUERIES.recording = True
    try:
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, str | int] = {
                "network_id": network_id,
                "limit": 2,
                **({"cursor": cursor} if cursor else {}),
            }
            page = await events.client.get("/events", params=params, headers=participant)
            assert page.status_code == 200, page.text
            seen += [e["id"] for e in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if not cursor:
                break
        later = await events.client.get(
            "/events",
            params={"starts_after": "2027-03-15T09:00:00+01:00", "network_id": network_id},
            headers=participant,
        )
        mine = await events.client.get("/events", headers=COORDINATOR)
    finally:
        QUERIES.recording = False
    assert seen == [published[d] for d in sorted(starts)]
    assert [e["id"] for e in later.json()["items"]] == [
        published["2027-05-03"],
        published["2027-09-20"],
    ]
    ids = [e["id"] for e in mine.json()["items"]]
    assert draft.json()["id"] in ids
    assert [i for i in ids if i in published.values() or i == draft.json()["id"]] == [
        published["2027-01-04"],
        published["2027-01-06"],
        draft.json()["id"],
        published["2027-03-15"],
        published["2027-05-03"],
        published["2027-09-20"],
    ]
    lists = [q for q in QUERIES.sent_to("events") if "network_id" not in q]
    assert lists
    assert all(EVENT_TIMELINE.bucket_field in f for f in lists), lists
    # A network's one or two events a week are read a quarter per query, not a week.
    networks = [q for q in QUERIES.sent_to("events") if "network_id" in q]
    assert networks
    assert all(NETWORK_EVENT_TIMELINE.bucket_field in f for f in networks), networks
