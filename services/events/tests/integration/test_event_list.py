"""The event list is read a week of events per query (a network's a quarter), in start order,
drafts as before."""

import random
from typing import Any

import pytest
from samling_contracts import CONTENT_TYPE, envelope
from samling_contracts.network import MunicipalityRegistered
from samling_contracts.vocabulary import Country
from samling_devtools.query_plans import recorder
from samling_devtools.testing import RunningService, eventually, producer
from samling_events.adapters.store.stores import EVENT_TIMELINE, NETWORK_EVENT_TIMELINE
from samling_runtime.auth import Role

from .conftest import (
    COORDINATOR,
    REGION,
    SeedNetwork,
    applicant,
    headers,
    new_event,
    published_event,
)

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


async def test_the_public_list_filters_by_kind_and_by_who_may_register(
    events: RunningService, seed_network: SeedNetwork, topics: str
) -> None:
    """The web app's calendar filters: by kind of gathering, and the events a municipality's
    people may register for (its networks', and its region's region-wide and open ones), each
    a few equality queries of a week's bucket."""
    # Ids of their own: other tests of the session announce NO-1804 and its neighbours too.
    member, outsider, unknown = (f"NO-{n}" for n in random.sample(range(1000, 10000), 3))
    await _registered(events, topics, {member: REGION, outsider: REGION})
    network_id = await seed_network([member])
    other_network = await seed_network([unknown])
    day = {"starts_at": "2027-06-07T09:00:00+02:00", "ends_at": "2027-06-07T15:00:00+02:00"}
    members_only = await published_event(events, network_id, **day)
    webinar = await published_event(events, network_id, kind="webinar", open_to_all=True, **day)
    region_wide = await published_event(events, None, kind="theme_day", **day)
    elsewhere = await published_event(events, other_network, kind="workshop", **day)
    mine = {members_only, webinar, region_wide, elsewhere}
    reader = headers([Role.WEB])

    async def listed(**params: str) -> set[str]:
        page = await events.client.get(
            "/events", params={"region_id": REGION, "status": "published", **params},
            headers=reader,
        )  # fmt: skip
        assert page.status_code == 200, page.text
        return {e["id"] for e in page.json()["items"]} & mine

    QUERIES.queries.clear()
    QUERIES.recording = True
    try:
        assert await listed(kind="webinar") == {webinar}
        assert await listed(kind="workshop") == {elsewhere}
        assert await listed(municipality_id=member) == {members_only, webinar, region_wide}
        assert await listed(municipality_id=outsider) == {webinar, region_wide}
        assert await listed(municipality_id=outsider, kind="theme_day") == {region_wide}
        assert await listed(municipality_id=outsider, network_id=network_id) == {webinar}
        assert await listed(municipality_id=unknown) == {elsewhere}  # no region known
    finally:
        QUERIES.recording = False
    lists = [q.filter for q in QUERIES.queries.values() if q.collection == "events"]
    assert lists
    # Each a bucket of a timeline: a week, or a quarter when the list is one network's.
    buckets = (EVENT_TIMELINE.bucket_field, NETWORK_EVENT_TIMELINE.bucket_field)
    assert all(any(b in f for b in buckets) for f in lists), lists


async def _registered(events: RunningService, topics: str, regions: dict[str, str]) -> None:
    """Municipalities as the network service announces them; wait for the events' view."""
    async with producer(topics) as p:
        for municipality_id, region_id in regions.items():
            fact = MunicipalityRegistered(municipality_id=municipality_id, region_id=region_id,
                                          number="1804", name=municipality_id, country=Country.NO)  # fmt: skip
            await p.send_and_wait(
                fact.spec().topic.name,
                envelope(fact, source="/test").to_json(),
                key=municipality_id.encode(),
                headers=[("content-type", CONTENT_TYPE.encode())],
            )

    async def seen() -> bool:
        found = events.db["municipality_view"].find({"_id": {"$in": list(regions)}})
        return len(await found.to_list()) == len(regions)

    await eventually(seen)


async def test_a_list_shows_the_seats_left_at_once_after_a_registration_here(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    """The lists take the seats left from the process's seat counts, which the desk keeps
    current: no count of the seats per listed event, and no wait for a refresh."""
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id, capacity=2)
    reader = headers([Role.WEB])

    async def listed() -> dict[str, Any]:
        QUERIES.sent.clear()
        QUERIES.recording = True
        try:
            page = await events.client.get(
                "/events", params={"network_id": network_id}, headers=reader
            )
        finally:
            QUERIES.recording = False
        assert page.status_code == 200, page.text
        (event,) = page.json()["items"]
        return {k: event[k] for k in ("seats_left", "waitlist")}

    async def register(n: int) -> str:
        answer = await events.client.post(
            f"/events/{event_id}/registrations", json=applicant(n), headers=COORDINATOR
        )
        assert answer.status_code == 201, answer.text
        status: str = answer.json()["status"]
        return status

    assert await listed() == {"seats_left": 2, "waitlist": False}
    assert QUERIES.sent_to("seats")  # counted once, the first time

    assert await register(1) == "confirmed"
    assert await listed() == {"seats_left": 1, "waitlist": False}
    assert await register(2) == "confirmed"
    assert await listed() == {"seats_left": 0, "waitlist": True}
    assert not QUERIES.sent_to("seats")  # the desk told the counts

    one = await events.client.get(f"/events/{event_id}", headers=reader)
    assert (one.json()["seats_left"], one.json()["waitlist"]) == (0, True)
