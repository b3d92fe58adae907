"""``python -m samling_devtools.topics``: the contract's topics, created with their configs."""

from __future__ import annotations

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from samling_contracts import ALL_TOPICS
from samling_contracts.topics import every_topic_name
from samling_devtools.topics import RESTRICTED_RETENTION_MS, app, create_all, topic_specs
from typer.testing import CliRunner

DYNAMIC_TOPIC_CONFIG = 1  # DescribeConfigs config_source: set on the topic itself


def test_list_prints_every_topic_and_dead_letter_topic() -> None:
    result = CliRunner().invoke(app, ["--list"])
    assert result.exit_code == 0
    assert result.output.split() == every_topic_name()


def test_partitions_are_raised_never_lowered() -> None:
    assert {s.partitions for s in topic_specs(partitions=6)} == {6}
    assert [s.partitions for s in topic_specs(partitions=1)] == [
        t.partitions for t in ALL_TOPICS for _ in (t.name, t.dead_letter)
    ]


@pytest.mark.integration
async def test_restricted_topics_age_out_and_creating_twice_is_harmless(topics: str) -> None:
    """The session's topics were made by the same specs; running the creator again is a no-op."""
    specs = await create_all(topics, partitions=None, replication=1, wait=5)
    admin = AIOKafkaAdminClient(bootstrap_servers=topics)
    await admin.start()
    try:
        responses = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, s.name) for s in specs]
        )
    finally:
        await admin.close()
    retention: dict[str, tuple[str, int]] = {}
    for response in responses:
        for resource in response.resources:
            for name, value, _read_only, source, *_ in resource[4]:
                if name == "retention.ms":
                    retention[resource[3]] = (value, source)
    for topic in ALL_TOPICS:
        for name in (topic.name, topic.dead_letter):
            value, source = retention[name]
            if topic.restricted:
                assert (value, source) == (str(RESTRICTED_RETENTION_MS), DYNAMIC_TOPIC_CONFIG)
            else:
                assert source != DYNAMIC_TOPIC_CONFIG, f"{name} should keep the broker default"
