"""Coordinators and administrators acting at the same moment on the same registrations, groups
and event, against the real FerretDB: every answer is a success or a retryable 409 (never a
500 or a 503), and what is stored afterwards is one consistent history."""

import asyncio
import itertools
from collections import Counter
from datetime import timedelta
from typing import Any

import httpx
import pytest
from samling_devtools.testing import RunningService
from samling_runtime.auth import Role
from samling_runtime.clock import ManualClock

from .conftest import COORDINATOR, SeedNetwork, applicant, headers, published_event
from .test_registration import register

pytestmark = pytest.mark.integration

ROUNDS = 25
"""Concurrent requests per registration (twice as many group moves, check-ins and event
changes): writers lose optimistic races, and event changes meet the registration desk
mid-batch."""


def only_success_or_conflict(responses: list[httpx.Response]) -> Counter[int]:
    codes = Counter(r.status_code for r in responses)
    assert set(codes) <= {200, 409}, [r.text for r in responses if r.status_code not in (200, 409)]
    for r in responses:
        if r.status_code == 409:
            assert r.headers["content-type"] == "application/problem+json"
    return codes


async def latest_revisions(db: Any, collection: str, ids: list[str]) -> dict[str, Any]:
    revisions = await db[f"{collection}_revisions"].find({"aggregate_id": {"$in": ids}}).to_list()
    latest: dict[str, Any] = {}
    for revision in revisions:
        known = latest.get(revision["aggregate_id"])
        if known is None or revision["version"] > known["version"]:
            latest[revision["aggregate_id"]] = revision
    return latest


async def assert_copies_are_latest(db: Any, collection: str, ids: list[str]) -> None:
    """The materialised copy of each aggregate is its newest revision (no lost update)."""
    latest = await latest_revisions(db, collection, ids)
    for doc in await db[collection].find({"_id": {"$in": ids}}).to_list():
        revision = latest[doc["_id"]]
        assert doc["_version"] == revision["version"]
        assert {k: doc[k] for k in revision["state"]} == revision["state"]


def fact_count(revisions: list[Any], kind: str) -> Counter[str]:
    return Counter(
        r["aggregate_id"] for r in revisions for e in r["events"] if e["type"].endswith(kind)
    )


async def test_concurrent_approvals_moves_checkins_and_changes_answer_200_or_409(
    events: RunningService, seed_network: SeedNetwork, clock: ManualClock
) -> None:
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id, requires_approval=True, capacity=10)
    regs = [(await register(events, event_id, applicant(n))).json() for n in range(4)]
    ids = [r["id"] for r in regs]
    admin = headers([Role.MUNICIPALITY_ADMIN], municipality_id="NO-1804")
    client = events.client

    approvals = await asyncio.gather(
        *(
            client.post(f"/events/{event_id}/registrations/{reg_id}/approve", headers=admin)
            for reg_id in ids
            for _ in range(ROUNDS)
        )
    )
    only_success_or_conflict(approvals)
    revisions = (
        await events.db["registrations_revisions"].find({"aggregate_id": {"$in": ids}}).to_list()
    )
    approved = fact_count(revisions, "approved.v1")
    assert approved == {reg_id: 1 for reg_id in ids}  # approved once, however often asked

    groups = await client.post(f"/events/{event_id}/groups", json={"size": 2}, headers=COORDINATOR)
    assert groups.status_code == 200, groups.text
    moves = await asyncio.gather(
        *(
            client.post(
                f"/events/{event_id}/groups/moves",
                json={"registration_id": ids[n % len(ids)], "group": n % 2},
                headers=COORDINATOR,
            )
            for n in range(ROUNDS * 2)
        )
    )
    only_success_or_conflict(moves)
    final = (await client.get(f"/events/{event_id}/groups", headers=COORDINATOR)).json()
    placed = [reg_id for group in final["groups"] for reg_id in group["registration_ids"]]
    assert sorted(placed) == sorted(ids)  # everyone in exactly one group
    await assert_copies_are_latest(events.db, "groups", [event_id])

    clock.set(clock.now() + timedelta(days=31))  # the event day: check-in is open
    checkins = await asyncio.gather(
        *(
            client.post(
                f"/events/{event_id}/registrations/{ids[0]}/attendance",
                json={"attended": n % 2 == 0},
                headers=COORDINATOR,
            )
            for n in range(ROUNDS * 2)
        )
    )
    only_success_or_conflict(checkins)
    await assert_copies_are_latest(events.db, "registrations", ids)
    history = (
        await events.db["registrations_revisions"]
        .find({"aggregate_id": ids[0]}, sort=[("version", 1)])
        .to_list()
    )
    # Each recorded check-in changed the answer: the history alternates and ends where it stands.
    answers = [r["state"]["attended"] for r in history if r["state"]["attended"] is not None]
    assert all(a != b for a, b in itertools.pairwise(answers))
    stored = await events.db["registrations"].find_one({"_id": ids[0]})
    assert stored is not None
    assert stored["attended"] == (answers[-1] if answers else None)

    changes = await asyncio.gather(
        *(
            client.put(
                f"/events/{event_id}/details",
                json={"title": f"Dialogkonferanse {n}", "venue": "Bodø", "capacity": 10 + n},
                headers=COORDINATOR,
            )
            for n in range(ROUNDS * 2)
        )
    )
    codes = only_success_or_conflict(changes)
    await assert_copies_are_latest(events.db, "events", [event_id])
    event = (await client.get(f"/events/{event_id}", headers=COORDINATOR)).json()
    winners = {r.json()["title"] for r in changes if r.status_code == 200}
    assert event["title"] in winners
    assert codes[200] == len(winners)
