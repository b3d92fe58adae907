"""The journey under failure: the broker stops in the middle of the registration phase, the
store stops, the notifications service is killed; afterwards nothing is lost, nothing is
doubled, and capacity is intact.
"""

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from samling_contracts.topics import every_topic_name
from samling_devtools.infra import Stack, data_root, free_port
from samling_devtools.mailpit import Mailpit
from samling_devtools.pytest_plugin import external
from samling_devtools.services import ServiceProcess, ServiceProcessSpec
from samling_devtools.testing import bearer, call, eventually, running, start_at_end, unique
from samling_events.main import create as create_events
from samling_events.settings import EventsSettings
from samling_network.main import create as create_network
from samling_network.settings import NetworkSettings
from samling_runtime.auth import Role

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(external(), reason="stops and starts the servers"),
]

REGION = "rkk-salten"
CAPACITY = 5


@pytest.fixture
async def notifications_process(
    stack: Stack, topics: str, mailbox: Mailpit
) -> AsyncIterator[ServiceProcess]:
    run = unique("fail").replace("-", "_")
    prefix = "SAMLING_NOTIFICATIONS_"
    env = {
        f"{prefix}ENVIRONMENT": "test",
        f"{prefix}KAFKA_BOOTSTRAP": stack.bootstrap,
        f"{prefix}MONGO_URL": stack.mongo_url,
        f"{prefix}MONGO_DB": f"{run}_notifications",
        f"{prefix}CONSUMER_GROUP": f"{run}-notifications",
        f"{prefix}SMTP_HOST": mailbox.host,
        f"{prefix}SMTP_PORT": str(mailbox.port),
        f"{prefix}DELIVERY_POLL_SECONDS": "0.1",
        f"{prefix}RELAY_INTERVAL_SECONDS": "0.2",
        # The process is killed, never stopped gracefully, so nobody else sends its mails: a
        # short lease lets the restarted one take them over within the test's wait rather than
        # after the production lease (60 s) plus a sweep (30 s) on a loaded machine.
        f"{prefix}DELIVERY_LEASE_SECONDS": "10",
        f"{prefix}DELIVERY_SWEEP_SECONDS": "2",
    }
    await start_at_end(stack.bootstrap, env[f"{prefix}CONSUMER_GROUP"], every_topic_name())
    spec = ServiceProcessSpec("notifications", "samling_notifications.main:create", free_port())
    process = ServiceProcess(spec, env, data_root("test") / "logs" / run)
    process.start()
    process.wait_ready()
    yield process
    process.stop()


async def test_nothing_lost_nothing_doubled_capacity_intact(
    stack: Stack,
    mailbox: Mailpit,
    settings_for: Callable[..., Any],
    notifications_process: ServiceProcess,
) -> None:
    run = unique("f").replace("-", "")

    def mail(who: str) -> str:
        return f"{who}.{run}@example.no"

    coordinator = bearer("u-coord", Role.COORDINATOR, region_id=REGION)
    admin = bearer("admin-1804", Role.MUNICIPALITY_ADMIN, municipality_id="NO-1804")
    starts_at = datetime.now(UTC) + timedelta(days=10)
    events_settings = settings_for(EventsSettings)
    await start_at_end(stack.bootstrap, events_settings.consumer_group, every_topic_name())
    async with (
        running(create_network(settings_for(NetworkSettings))) as network,
        running(create_events(events_settings)) as events,
    ):
        await call(
            network.client,
            "POST",
            "/regions",
            201,
            headers=bearer("sys", Role.SYSTEM),
            json={"id": REGION, "name": "RKK Salten"},
        )
        await call(
            network.client,
            "POST",
            "/municipalities",
            201,
            headers=coordinator,
            json={
                "country": "NO",
                "number": "1804",
                "name": "Bodø",
                "contacts": [{"name": "Åse Ørnes", "email": mail("ase"), "language": "nb"}],
            },
        )
        net = await call(
            network.client,
            "POST",
            "/networks",
            201,
            headers=coordinator,
            json={"name": "Helse og omsorg", "field": "health"},
        )
        await call(
            network.client,
            "POST",
            f"/networks/{net['id']}/memberships",
            201,
            headers=admin,
            json={"municipality_id": "NO-1804"},
        )

        async def member_known() -> bool:
            return await events.db["membership_view"].count_documents({"active": True}) == 1

        await eventually(member_known)
        planned = await call(
            events.client,
            "POST",
            "/events/from-template",
            201,
            headers=coordinator,
            json={
                "template": "short_afternoon",
                "network_id": net["id"],
                "title": "Temadag: Velferdsteknologi",
                "starts_at": starts_at.isoformat(),
                "capacity": CAPACITY,
                "venue": "Fauske hotell",
            },
        )
        event_id = planned["event"]["id"]
        await call(events.client, "POST", f"/events/{event_id}/publish", 200, headers=coordinator)

        async def register(n: int) -> httpx.Response:
            return await events.client.post(
                f"/events/{event_id}/registrations",
                headers={**coordinator, "Idempotency-Key": f"{run}-{n}"},
                json={
                    "name": f"Deltaker {n}",
                    "email": mail(f"p{n}"),
                    "municipality_id": "NO-1804",
                    "role": "sykepleier",
                },
            )

        people = list(range(12))
        for n in people[:3]:
            assert (await register(n)).status_code == 201

        # The broker stops in the middle of the registration phase: registration goes on.
        stack.kafka.stop()
        try:
            for n in people[3:7]:
                assert (await register(n)).status_code == 201
        finally:
            stack.kafka.start()
            stack.kafka.wait_ready()

        # The store stops: the request fails with a problem, and its retry (same key) works.
        stack.store.stop()
        try:
            failed = await register(7)
            assert failed.status_code == 503
            assert failed.headers["content-type"] == "application/problem+json"
        finally:
            stack.store.start()
            stack.store.wait_ready()

        async def retried() -> bool:
            return (await register(7)).status_code in (201, 200)

        await eventually(retried, timeout=60, interval=1)

        # The notifications service is killed while it works through the notices.
        for n in people[8:]:
            assert (await register(n)).status_code == 201
        notifications_process.kill()
        notifications_process.start()
        notifications_process.wait_ready()

        registrations = await call(
            events.client,
            "GET",
            f"/events/{event_id}/registrations",
            200,
            headers=coordinator,
            params={"limit": 100},
        )
        statuses = [r["status"] for r in registrations["items"]]
        assert len(registrations["items"]) == len(people)
        assert statuses.count("confirmed") == CAPACITY
        assert statuses.count("waitlisted") == len(people) - CAPACITY

        # Everyone is told exactly once about their registration; the contact once about the event.
        # SMTP cannot say whether a mail accepted just before the kill arrived, so the few mails
        # sent without a written outcome go out again after the take-over, as the same message
        # (the same Message-ID, which mail clients show once). Two different messages to one
        # person would be a doubled notice.
        def messages_to(to: str) -> dict[str, list[str]]:
            messages: dict[str, list[str]] = {}
            for m in mailbox.messages(to=to):
                messages.setdefault(m.message_id, []).append(m.parsed()["X-Samling-Kind"])
            return messages

        seen: dict[str, dict[str, list[str]]] = {}

        async def everyone_told_once() -> bool:
            seen.update(
                {to: messages_to(to) for to in [*(mail(f"p{n}") for n in people), mail("ase")]}
            )
            return all(len(messages) == 1 for messages in seen.values())

        try:
            await eventually(everyone_told_once, timeout=120, interval=0.5)
        except AssertionError:
            raise AssertionError(f"not everyone was told exactly once: {seen}") from None
        kinds: dict[str, str] = {}
        for to, messages in seen.items():
            ((_, copies),) = messages.items()
            assert len(set(copies)) == 1, f"{to} got copies of one message as {copies}"
            kinds[to] = copies[0]
        assert kinds.pop(mail("ase")) == "event.invitation"
        told = sorted(kinds.values())
        assert told.count("registration.confirmed") == CAPACITY
        assert told.count("registration.waitlisted") == len(people) - CAPACITY
