"""Create every contract topic and its dead-letter topic: ``python -m samling_devtools.topics``.

Auto-creation is off on every Samling Kafka, so topics are created up front: by the local runner
and the tests (:func:`ensure_topics`), by the ``topic-init`` service of
``docker-compose.yml`` and by the ``samling-topic-init`` Job in ``deploy/k8s/``. All of them take
the names from :mod:`samling_contracts.topics`, so no list of topics is written twice.

Existing topics are left as they are (their partition count is not changed: adding partitions
would move keys to other partitions and break per-aggregate ordering).
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

import typer
from aiokafka.errors import KafkaConnectionError
from samling_contracts import ALL_TOPICS

from samling_devtools.kafka_server import TopicSpec, create_topics

RESTRICTED_RETENTION_MS = 7 * 24 * 60 * 60 * 1000
"""Personal data on restricted topics (and their dead-letter copies) ages out after 7 days,
whatever the broker's default, so an erased person's name and e-mail leave Kafka too."""


def topic_specs(*, partitions: int | None = None, replication: int = 1) -> list[TopicSpec]:
    """Every topic and its ``.dlq``; ``partitions`` raises (never lowers) the contract's count."""
    return [
        TopicSpec(
            name,
            max(t.partitions, partitions or 0),
            replication,
            (("retention.ms", str(RESTRICTED_RETENTION_MS)),) if t.restricted else (),
        )
        for t in ALL_TOPICS
        for name in (t.name, t.dead_letter)
    ]


async def create_all(
    bootstrap: str, *, partitions: int | None, replication: int, wait: float
) -> list[TopicSpec]:
    """Create the topics, retrying while the broker is not reachable yet (up to ``wait`` s)."""
    specs = topic_specs(partitions=partitions, replication=replication)
    deadline = time.monotonic() + wait
    while True:
        try:
            await create_topics(bootstrap, specs)
            return specs
        except KafkaConnectionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(2)


async def ensure_topics(bootstrap: str) -> None:
    """Every topic, at the contract's partitions, on a broker that is up already."""
    await create_all(bootstrap, partitions=None, replication=1, wait=0)


app = typer.Typer(add_completion=False)


@app.command()
def main(
    bootstrap: Annotated[
        str, typer.Option(envvar="SAMLING_KAFKA_BOOTSTRAP", help="Kafka bootstrap servers.")
    ] = "127.0.0.1:9092",
    partitions: Annotated[
        int | None,
        typer.Option(
            envvar="SAMLING_TOPIC_PARTITIONS",
            help="Partitions per topic (at least the contract's); caps consumer replicas.",
        ),
    ] = None,
    replication: Annotated[
        int, typer.Option(envvar="SAMLING_TOPIC_REPLICATION", help="Replication factor.")
    ] = 1,
    wait: Annotated[
        float, typer.Option(help="Seconds to keep retrying while Kafka is not reachable.")
    ] = 120.0,
    list_only: Annotated[
        bool, typer.Option("--list", help="Only print the topic names, one a line.")
    ] = False,
) -> None:
    """Create every Samling topic and its dead-letter topic (existing ones are kept)."""
    if list_only:
        for spec in topic_specs(partitions=partitions, replication=replication):
            typer.echo(spec.name)
        return
    specs = asyncio.run(
        create_all(bootstrap, partitions=partitions, replication=replication, wait=wait)
    )
    for spec in specs:
        typer.echo(f"ok {spec.name} partitions={spec.partitions} replication={spec.replication}")


if __name__ == "__main__":
    app()
