"""Horizontal scaling: two instances of a service (one consumer group per topic it reads) share
the partitions; when one stops mid-stream the other takes over its partitions, and nothing is
lost or doubled.

The instances are real uvicorn processes (as in a Deployment with two replicas), each group
starts at the end of the topics so only this test's facts are read.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from samling_contracts import CONTENT_TYPE, CloudEvent, Fact, envelope
from samling_contracts.events import (
    EventScheduled,
    ParticipantContactRecorded,
    RegistrationConfirmed,
)
from samling_contracts.network import MunicipalityJoinedNetwork
from samling_contracts.topics import every_topic_name
from samling_devtools.infra import Stack, data_root, free_port
from samling_devtools.mailpit import Mailpit
from samling_devtools.services import ServiceProcess, ServiceProcessSpec
from samling_devtools.testing import (
    bearer,
    call,
    eventually,
    group_members,
    mongo_db,
    producer,
    start_at_end,
    unique,
)
from samling_runtime.auth import Role

pytestmark = pytest.mark.integration

PARTITIONS = 3
Held = set[tuple[str, int]]


@contextlib.asynccontextmanager
async def two_instances(
    stack: Stack, name: str, factory: str, run: str, **env: str
) -> AsyncIterator[list[ServiceProcess]]:
    """Two processes of one service sharing a database and a consumer group; the group starts
    at the end of every topic. Stopped (SIGTERM) on the way out."""
    prefix = f"SAMLING_{name.upper()}_"
    settings = {
        f"{prefix}ENVIRONMENT": "test",
        f"{prefix}KAFKA_BOOTSTRAP": stack.bootstrap,
        f"{prefix}MONGO_URL": stack.mongo_url,
        f"{prefix}MONGO_DB": f"{run}_{name}",
        f"{prefix}CONSUMER_GROUP": f"{run}-{name}",
        f"{prefix}RELAY_INTERVAL_SECONDS": "0.2",
        f"{prefix}LOG_LEVEL": "WARNING",
        **{f"{prefix}{k.upper()}": v for k, v in env.items()},
    }
    await start_at_end(stack.bootstrap, settings[f"{prefix}CONSUMER_GROUP"], every_topic_name())
    pair = [
        ServiceProcess(
            ServiceProcessSpec(name, factory, free_port()),
            settings,
            data_root("test") / "logs" / run / str(n),
        )
        for n in range(2)
    ]
    try:
        for p in pair:
            p.start()
        for p in pair:
            await asyncio.to_thread(p.wait_ready)
        yield pair
    finally:
        for p in pair:
            await asyncio.to_thread(p.stop)


def by_topic(members: dict[str, Held]) -> dict[str, dict[str, set[int]]]:
    """Per topic, which member holds which of its partitions (a service has one consumer, in a
    group of its own, per topic it reads, so each member holds partitions of one topic)."""
    topics: dict[str, dict[str, set[int]]] = {}
    for member, held in members.items():
        for topic, partition in held:
            topics.setdefault(topic, {}).setdefault(member, set()).add(partition)
    return topics


async def split_between_two(bootstrap: str, group: str) -> dict[str, Held]:
    """Wait until, for every topic the service reads, two consumers (one per instance) share
    its partitions; returns the members and what they hold."""

    async def split() -> dict[str, Held] | None:
        members = await group_members(bootstrap, group, every_topic_name())
        topics = by_topic(members)
        shared = all(len(holders) == 2 for holders in topics.values())
        return members if topics and shared and all(members.values()) else None

    members = await eventually(split, timeout=60)
    for holders in by_topic(members).values():
        first, second = holders.values()
        assert not first & second
        assert first | second == set(range(PARTITIONS))
    return members


async def taken_over(bootstrap: str, group: str, before: dict[str, Held]) -> None:
    """Wait until every topic has one consumer left; it is one that was there before (the
    surviving instance's), and it holds every partition, its own and the stopped one's."""

    async def one_each() -> dict[str, Held] | None:
        # Mid-rebalance the group can list the survivor alone, still with only its old
        # partitions: wait for the settled assignment.
        members = await group_members(bootstrap, group, every_topic_name())
        alone = all(
            len(holders) == 1 and set().union(*holders.values()) == set(range(PARTITIONS))
            for holders in by_topic(members).values()
        )
        return members if members and alone else None

    after = await eventually(one_each, timeout=60)
    assert set(after) < set(before)
    assert set(by_topic(after)) == set(by_topic(before))
    for holders in by_topic(after).values():
        (held,) = holders.values()
        assert held == set(range(PARTITIONS))


async def send(p: AIOKafkaProducer, events: list[CloudEvent]) -> None:
    """Publish the way the services' relays do: keyed by the aggregate id, CloudEvents JSON."""
    for event in events:
        await p.send(
            type(event.fact()).spec().topic.name,
            event.to_json(),
            key=event.partitionkey.encode(),
            headers=[("content-type", CONTENT_TYPE.encode())],
        )
    await p.flush()


def cloud_events(facts: list[Fact]) -> list[CloudEvent]:
    return [envelope(fact, source="/test") for fact in facts]


@pytest.fixture
def run_id() -> str:
    return unique("scale").replace("-", "_")


@pytest.fixture
async def events_pair(
    stack: Stack, topics: str, run_id: str
) -> AsyncIterator[list[ServiceProcess]]:
    async with two_instances(stack, "events", "samling_events.main:create", run_id) as pair:
        yield pair


@pytest.fixture
async def notifications_pair(
    stack: Stack, topics: str, mailbox: Mailpit, run_id: str
) -> AsyncIterator[list[ServiceProcess]]:
    async with two_instances(
        stack,
        "notifications",
        "samling_notifications.main:create",
        run_id,
        smtp_host=mailbox.host,
        smtp_port=str(mailbox.port),
        delivery_poll_seconds="0.1",
        # Mails a stopping instance had queued but not sent are taken over by the other
        # instance's sweep once the stopped one's heartbeat is older than the lease (10 s).
        delivery_record_every="10",
        delivery_lease_seconds="10",
        delivery_sweep_seconds="2",
    ) as pair:
        yield pair


async def test_events_instance_dies_and_the_other_takes_over_its_partitions(
    stack: Stack, events_pair: list[ServiceProcess], run_id: str
) -> None:
    first, second = events_pair
    total = 400
    facts = cloud_events(
        [
            MunicipalityJoinedNetwork(
                network_id=f"net_{run_id}_{n % 40}",
                municipality_id=f"NO-{1000 + n}",
                membership_id=f"mem_{run_id}_{n}",
                starts_on=date(2027, 1, 1),
            )
            for n in range(total)
        ]
    )
    group = f"{run_id}-events"
    before = await split_between_two(stack.bootstrap, group)

    async with mongo_db(stack.mongo_url, f"{run_id}_events") as db:
        async with producer(stack.bootstrap) as p:
            await send(p, facts[: total // 2])

            async def some_handled() -> bool:
                return await db["membership_view"].count_documents({}) >= 20

            await eventually(some_handled, timeout=60)
            first.kill()  # mid-stream, without a clean shutdown
            await send(p, facts[total // 2 :])

        async def all_handled() -> bool:
            return await db["membership_view"].count_documents({}) == total

        await eventually(all_handled, timeout=120)
        await taken_over(stack.bootstrap, group, before)
        markers = [f"{group}:{event.id}" for event in facts]
        assert await db["processed_events"].count_documents({"_id": {"$in": markers}}) == total
        assert second.process is not None
        assert second.process.poll() is None


async def test_notifications_instance_stops_and_the_other_sends_every_notice_once(
    stack: Stack,
    mailbox: Mailpit,
    notifications_pair: list[ServiceProcess],
    run_id: str,
) -> None:
    first, second = notifications_pair
    group = f"{run_id}-notifications"
    people, events = 90, 30  # 30 event ids spread the registrations over every partition
    starts_at = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)

    def email(n: int) -> str:
        return f"p{n}.{run_id}@example.no"

    conference = {
        "network_id": f"net_{run_id}",  # no members: no invitations, only confirmations
        "region_id": "rkk-salten",
        "kind": "dialogue_conference",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=6),
        "timezone": "Europe/Oslo",
        "capacity": 60,
        "sequence": 0,
    }
    setup = cloud_events(
        [
            EventScheduled(event_id=f"evt_{run_id}_{e}", title=f"Konferanse {e}", **conference)
            for e in range(events)
        ]
        + [
            ParticipantContactRecorded(
                participant_id=f"par_{run_id}_{n}",
                name=f"Deltaker {n}",
                email=email(n),
                language="nb",
                manage_url=f"https://samling.no/r/{run_id}{n}",
            )
            for n in range(people)
        ]
    )
    registrations = cloud_events(
        [
            RegistrationConfirmed(
                registration_id=f"reg_{run_id}_{n}",
                event_id=f"evt_{run_id}_{n % events}",
                participant_id=f"par_{run_id}_{n}",
                municipality_id="NO-1804",
            )
            for n in range(people)
        ]
    )

    def mails() -> list[str]:
        return [
            r for m in mailbox.messages() for r in m.rcpt_tos if r.endswith(f".{run_id}@example.no")
        ]

    before = await split_between_two(stack.bootstrap, group)
    async with mongo_db(stack.mongo_url, f"{run_id}_notifications") as db:
        async with producer(stack.bootstrap) as p:
            await send(p, setup)

            async def known() -> bool:
                return (
                    await db["events"].count_documents({}) == events
                    and await db["recipients"].count_documents({}) == people
                )

            await eventually(known, timeout=60)
            await send(p, registrations[: people // 2])
            await eventually(lambda: asyncio.sleep(0, len(mails()) >= 10), timeout=60)
            # Stop the first instance (SIGTERM: it finishes the mails in flight) while the
            # rest of the stream is being published.
            await asyncio.gather(
                asyncio.to_thread(first.stop), send(p, registrations[people // 2 :])
            )
            assert first.process is not None
            assert first.process.poll() is not None

        async def all_sent() -> bool:
            # The delivery log (one line per e-mail notice) holds the outcome.
            return await db["deliveries"].count_documents({"status": "sent"}) == people

        await eventually(all_sent, timeout=90, interval=0.5)
        await taken_over(stack.bootstrap, group, before)
        assert second.process is not None
        assert second.process.poll() is None

        # None missing, none doubled: one confirmation per person in the SMTP sink...
        assert sorted(mails()) == sorted(email(n) for n in range(people))
        kinds = {
            m.parsed()["X-Samling-Kind"]
            for m in mailbox.messages()
            if m.rcpt_tos[0].endswith(f".{run_id}@example.no")
        }
        assert kinds == {"registration.confirmed"}
        # ... and one in each person's inbox.
        assert await db["notifications"].count_documents({"channel": "inbox"}) == people
        async with httpx.AsyncClient(base_url=second.spec.url, timeout=30) as client:
            for n in range(people):
                inbox = await call(
                    client,
                    "GET",
                    "/inbox",
                    200,
                    headers=bearer(f"u-{n}", Role.PARTICIPANT, email=email(n)),
                )
                assert [(i["kind"], i["refs"]["registration_id"]) for i in inbox["items"]] == [
                    ("registration.confirmed", f"reg_{run_id}_{n}")
                ]


@pytest.fixture(autouse=True)
def _logs_on_failure(run_id: str) -> Iterator[None]:
    """Where the instances' logs are, for a failing run."""
    yield
    print(f"instance logs: {data_root('test') / 'logs' / run_id}")
