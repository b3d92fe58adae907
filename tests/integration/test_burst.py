"""Bursts against a real uvicorn process: every request gets an HTTP answer.

Four hundred clients, each with its own httpx connection pool (keep-alive expiry 5 s, httpx's
default), register for one event at once, go idle for just under five seconds, and come back,
three times. With uvicorn's default keep-alive of 5 s the server closed idle connections at the
moment their clients reused them, and those requests were lost without an answer (issue #15).
The answer must be a registration or a 503 problem with Retry-After (the limit on requests in
flight is set low here so that answer is exercised too), never a dropped connection.
"""

import asyncio
import uuid
from collections import Counter

import httpx
import pytest
from samling_devtools.infra import Stack, data_root, free_port
from samling_devtools.services import ServiceProcess, ServiceProcessSpec
from samling_devtools.testing import bearer, call, unique

pytestmark = pytest.mark.integration

CLIENTS = 400
ROUNDS = 3
# Spread over the 400 clients so some come back just as a 5 s server timeout would fire.
IDLE_FROM, IDLE_TO = 4.6, 4.98
COORDINATOR = bearer("u-burst", "coordinator", region_id="rkk-salten")


def answered(response: httpx.Response) -> bool:
    if response.status_code in (200, 201):
        return True
    return (
        response.status_code == 503
        and response.headers.get("content-type") == "application/problem+json"
        and response.headers.get("retry-after", "").isdigit()
        and response.json()["status"] == 503
    )


async def client_rounds(url: str, event_id: str, n: int, run: str) -> list[str]:
    """One client: a registration per round on its own pooled connection, idle in between."""
    idle = IDLE_FROM + (IDLE_TO - IDLE_FROM) * n / CLIENTS
    outcomes = []
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        for round_ in range(ROUNDS):
            if round_:
                await asyncio.sleep(idle)
            try:
                response = await client.post(
                    f"/events/{event_id}/registrations",
                    json={
                        "name": f"Person {n}",
                        "email": f"burst{round_}-{n}@example.no",
                        "municipality_id": "NO-1804",
                        "role": "Lærer",
                    },
                    headers={**COORDINATOR, "Idempotency-Key": f"{run}-{round_}-{n}"},
                )
            except httpx.TransportError as e:
                outcomes.append(f"no answer: {type(e).__name__}")
                continue
            outcomes.append(
                str(response.status_code) if answered(response) else f"bad: {response.text}"
            )
    return outcomes


async def test_a_burst_of_keep_alive_clients_is_always_answered(stack: Stack, topics: str) -> None:
    run = unique("burst")
    prefix = "SAMLING_EVENTS_"
    settings = {
        f"{prefix}ENVIRONMENT": "test",
        f"{prefix}KAFKA_BOOTSTRAP": stack.bootstrap,
        f"{prefix}MONGO_URL": stack.mongo_url,
        f"{prefix}MONGO_DB": f"{run}_events".replace("-", "_"),
        f"{prefix}CONSUMER_GROUP": f"{run}-events",
        f"{prefix}LOG_LEVEL": "WARNING",
        f"{prefix}MAX_CONCURRENT_REQUESTS": "250",
    }
    service = ServiceProcess(
        ServiceProcessSpec("events", "samling_events.main:create", free_port()),
        settings,
        data_root("test") / "logs" / run,
    )
    service.start()
    try:
        await asyncio.to_thread(service.wait_ready)
        async with httpx.AsyncClient(base_url=service.spec.url, timeout=60) as client:
            event = await call(
                client,
                "POST",
                "/events",
                201,
                headers=COORDINATOR,
                json={
                    "kind": "dialogue_conference",
                    "network_id": None,
                    "title": "Burst",
                    "starts_at": "2027-02-10T09:00:00+01:00",
                    "ends_at": "2027-02-10T15:00:00+01:00",
                    "timezone": "Europe/Oslo",
                    "venue": "Bodø",
                    "capacity": 50,
                },
            )
            await call(client, "POST", f"/events/{event['id']}/publish", 200, headers=COORDINATOR)
        key = uuid.uuid4().hex[:8]
        outcomes = Counter(
            outcome
            for outcomes in await asyncio.gather(
                *(client_rounds(service.spec.url, event["id"], n, key) for n in range(CLIENTS))
            )
            for outcome in outcomes
        )
    finally:
        await asyncio.to_thread(service.stop)
    print(f"\n{CLIENTS * ROUNDS} requests: {dict(outcomes)}")
    assert set(outcomes) <= {"201", "200", "503"}, dict(outcomes)
