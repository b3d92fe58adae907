"""Horizontal scaling: two instances of a service in one consumer group share the partitions;
when one dies mid-stream the other takes over its partitions, and nothing is lost or doubled.
"""

from collections.abc import Iterator
from datetime import date

import pytest
from samling_contracts import CONTENT_TYPE, envelope
from samling_contracts.network import MunicipalityJoinedNetwork
from samling_contracts.topics import NETWORKS
from samling_devtools.infra import Stack, data_root, free_port
from samling_devtools.services import ServiceProcess, ServiceProcessSpec
from samling_devtools.testing import eventually, group_assignment, mongo_db, producer, unique

pytestmark = pytest.mark.integration


def instances(stack: Stack, name: str, factory: str, run: str, **env: str) -> list[ServiceProcess]:
    prefix = f"SAMLING_{name.upper()}_"
    base = {
        f"{prefix}ENVIRONMENT": "test",
        f"{prefix}KAFKA_BOOTSTRAP": stack.bootstrap,
        f"{prefix}MONGO_URL": stack.mongo_url,
        f"{prefix}MONGO_DB": f"{run}_{name}",
        f"{prefix}CONSUMER_GROUP": f"{run}-{name}",
        **{f"{prefix}{k.upper()}": v for k, v in env.items()},
    }
    return [
        ServiceProcess(
            ServiceProcessSpec(name, factory, free_port()), base, data_root("test") / "logs" / run
        )
        for _ in range(2)
    ]


@pytest.fixture
def run_id() -> str:
    return unique("scale").replace("-", "_")


@pytest.fixture
def events_pair(stack: Stack, topics: str, run_id: str) -> Iterator[list[ServiceProcess]]:
    pair = instances(stack, "events", "samling_events.main:create", run_id)
    for p in pair:
        p.start()
    try:
        for p in pair:
            p.wait_ready()
        yield pair
    finally:
        for p in pair:
            p.stop()


async def test_events_instance_dies_and_the_other_takes_over_its_partitions(
    stack: Stack, events_pair: list[ServiceProcess], run_id: str
) -> None:
    first, second = events_pair
    total = 400
    facts = [
        envelope(
            MunicipalityJoinedNetwork(
                network_id=f"net_{run_id}_{n % 40}",
                municipality_id=f"NO-{1000 + n}",
                membership_id=f"mem_{run_id}_{n}",
                starts_on=date(2027, 1, 1),
            ),
            source="/test",
        )
        for n in range(total)
    ]
    group = f"{run_id}-events"
    # The topic also holds other tests' facts (the group reads from the beginning): count ours.
    mine = {"network_id": {"$regex": f"^net_{run_id}_"}}

    async def split_between_two() -> dict[str, set[int]] | None:
        members = await group_assignment(stack.bootstrap, group)
        return members if len(members) == 2 and all(members.values()) else None

    before = await eventually(split_between_two, timeout=60)
    assert set().union(*before.values()) == {0, 1, 2}

    async with mongo_db(stack.mongo_url, f"{run_id}_events") as db:
        async with producer(stack.bootstrap) as p:
            for event in facts[: total // 2]:
                await p.send(
                    NETWORKS.name,
                    event.to_json(),
                    key=event.partitionkey.encode(),
                    headers=[("content-type", CONTENT_TYPE.encode())],
                )
            await p.flush()

            async def some_handled() -> bool:
                return await db["membership_view"].count_documents(mine) >= 20

            await eventually(some_handled, timeout=60)
            first.kill()  # mid-stream, without a clean shutdown
            for event in facts[total // 2 :]:
                await p.send(
                    NETWORKS.name,
                    event.to_json(),
                    key=event.partitionkey.encode(),
                    headers=[("content-type", CONTENT_TYPE.encode())],
                )
            await p.flush()

        async def all_handled() -> bool:
            return await db["membership_view"].count_documents(mine) == total

        await eventually(all_handled, timeout=120)

        async def one_member_holds_all() -> dict[str, set[int]] | None:
            members = await group_assignment(stack.bootstrap, group)
            return members if len(members) == 1 else None

        after = await eventually(one_member_holds_all, timeout=60)
        assert set().union(*after.values()) == {0, 1, 2}
        markers = [f"{group}:{event.id}" for event in facts]
        assert await db["processed_events"].count_documents({"_id": {"$in": markers}}) == total
        assert second.process is not None
        assert second.process.poll() is None
