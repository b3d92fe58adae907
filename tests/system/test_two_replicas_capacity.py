"""The capacity rule across replicas: two events-service processes (real uvicorn processes in
one consumer group, on one database, as in a Deployment with two replicas) take a registration
rush for one event between them. Each process has its own registration desk, so only the
store's unique indexes stand between them and an oversold event.
"""

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from samling_devtools.infra import Stack
from samling_devtools.testing import bearer, call, eventually, mongo_db, unique
from samling_runtime.auth import Role

from .test_two_instances import two_instances

pytestmark = pytest.mark.integration

SEATS = 50
PEOPLE = 300
WARM_UP = 2
TWICE = range(0, PEOPLE, 10)
"""These people press the button on both replicas at once (a double submit through the load
balancer): one registration each all the same."""


def person(n: int, run: str) -> dict[str, Any]:
    return {
        "name": f"Deltaker {n}",
        "email": f"p{n}.{run}@example.no",
        "municipality_id": "NO-1804" if n % 2 else "NO-1841",
        "role": "Lærer",
    }


async def test_two_replicas_confirm_exactly_the_capacity(stack: Stack, topics: str) -> None:
    run = unique("seats").replace("-", "_")
    coordinator = bearer("u-coord", Role.COORDINATOR, region_id="rkk-salten")
    starts_at = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    async with (
        two_instances(stack, "events", "samling_events.main:create", run) as pair,
        # A connection per request: one kept alive between requests can be closed by the
        # server's keep-alive timer while a new request is on its way, when a replica's event
        # loop lags behind under the rush (an error of the transport, not the capacity rule).
        httpx.AsyncClient(
            timeout=120, limits=httpx.Limits(max_connections=None, max_keepalive_connections=0)
        ) as client,
    ):
        urls = [p.spec.url for p in pair]
        event = await call(
            client,
            "POST",
            f"{urls[0]}/events",
            201,
            headers=coordinator,
            json={
                "kind": "course_seminar",
                "network_id": None,  # region-wide: every municipality may take a seat
                "title": "Kurs: Lesing i alle fag",
                "starts_at": starts_at.isoformat(),
                "ends_at": (starts_at + timedelta(hours=6)).isoformat(),
                "timezone": "Europe/Oslo",
                "venue": "Bodø rådhus",
                "capacity": SEATS,
            },
        )
        event_id = event["id"]
        await call(client, "POST", f"{urls[1]}/events/{event_id}/publish", 200, headers=coordinator)

        async def register(n: int, replica: int) -> tuple[int, int, httpx.Response]:
            response = await client.post(
                f"{urls[replica]}/events/{event_id}/registrations",
                json=person(n, run),
                headers=coordinator,
            )
            return n, replica, response

        # One registration on each replica first, so that both have their desk open and the
        # event loaded when the rush comes: neither gets a head start on the seats.
        warm = [await register(n, n % 2) for n in range(WARM_UP)]
        rush = await asyncio.gather(
            *(register(n, n % 2) for n in range(WARM_UP, PEOPLE)),
            *(register(n, (n + 1) % 2) for n in TWICE),
        )
        answers = warm + rush

        by_person: dict[int, list[httpx.Response]] = {}
        for n, _, response in answers:
            by_person.setdefault(n, []).append(response)
        assert [r.text for _, _, r in answers if r.status_code not in (201, 409)] == []
        registration_of: dict[int, str] = {}
        for n, responses in by_person.items():
            made = [r.json()["id"] for r in responses if r.status_code == 201]
            # A double submit: one registration, the other answer points to it (409) or, when
            # both replicas wrote the same registration, both answers name it.
            refused = [r.json() for r in responses if r.status_code == 409]
            assert made, (n, [r.text for r in responses])
            assert len(set(made)) == 1
            assert all(p["registration_id"] == made[0] for p in refused)
            assert all(p["type"].endswith("already-registered") for p in refused)
            registration_of[n] = made[0]

        async with mongo_db(stack.mongo_url, f"{run}_events") as db:
            # A seat a double submit held for a moment goes back to the waiting list; wait for
            # the promotion that follows.
            async def settled() -> list[dict[str, Any]] | None:
                docs = await db["registrations"].find({"event_id": event_id}).to_list()
                confirmed = sum(1 for d in docs if d["status"] == "confirmed")
                return docs if confirmed >= SEATS else None

            docs = await eventually(settled, timeout=60)
            assert len(docs) == PEOPLE  # one registration per person, none lost
            assert {d["_id"] for d in docs} == set(registration_of.values())
            assert len({d["participant_id"] for d in docs}) == PEOPLE
            statuses = Counter(d["status"] for d in docs)
            assert statuses == {"confirmed": SEATS, "waitlisted": PEOPLE - SEATS}
            confirmed = [d for d in docs if d["status"] == "confirmed"]
            assert sorted(d["seat_no"] for d in confirmed) == list(range(1, SEATS + 1))
            seats = await db["seats"].find({"event_id": event_id}).to_list()
            assert sorted(s["registration_id"] for s in seats) == sorted(
                d["_id"] for d in confirmed
            )
