"""Facts handed to the producer together still reach Kafka in order per key."""

import pytest
from samling_contracts import CloudEvent, envelope
from samling_contracts.network import NetworkUpdated
from samling_contracts.topics import NETWORKS
from samling_contracts.vocabulary import NetworkField
from samling_devtools.infra import Stack
from samling_devtools.testing import read_topic, unique
from samling_runtime.kafka import make_broker, publish

pytestmark = pytest.mark.integration


async def test_facts_sent_without_waiting_for_each_ack_keep_their_order_per_key(
    stack: Stack, topics: str
) -> None:
    run = unique("order")
    keys = [f"net_{run}_{k}" for k in range(8)]  # spread over the topic's partitions
    facts = [
        envelope(
            NetworkUpdated(network_id=keys[n % len(keys)], name=f"{n}", field=NetworkField.SCHOOL),
            source="/test",
        )
        for n in range(800)
    ]
    broker = make_broker(stack.bootstrap, client_id=run, group=run)
    await broker.start()
    try:
        await publish(broker, facts)
    finally:
        await broker.stop()

    wanted = {k.encode() for k in keys}
    records = await read_topic(
        stack.bootstrap,
        NETWORKS.name,
        lambda rs: sum(r.key in wanted for r in rs) >= len(facts),
    )
    ours = [r for r in records if r.key in wanted]
    assert len(ours) == len(facts)  # each once
    for key in keys:
        names = [
            int(CloudEvent.from_json(r.value).data["name"]) for r in ours if r.key == key.encode()
        ]
        assert names == sorted(names) == [n for n in range(800) if keys[n % 8] == key]
