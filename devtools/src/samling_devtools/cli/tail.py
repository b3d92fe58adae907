"""``samling tail``: follow a Kafka topic and show each record as a CloudEvent."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import typer
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition
from cloudevents.core.base import BaseCloudEvent
from cloudevents.core.bindings.kafka import KafkaMessage, from_kafka
from cloudevents.core.formats.json import JSONFormat
from rich.console import Group
from rich.json import JSON
from rich.panel import Panel
from rich.text import Text
from samling_contracts.topics import every_topic_name

from samling_devtools.cli import output


@dataclass(frozen=True)
class TailedRecord:
    """One Kafka record: its CloudEvent when it is one, else why it is not."""

    topic: str
    partition: int
    offset: int
    key: str | None
    headers: dict[str, str]
    event: BaseCloudEvent | None
    error: str | None = None
    raw: bytes = b""


def parse_record(
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
    headers: list[tuple[str, bytes]],
) -> TailedRecord:
    """Parse a record with the CloudEvents SDK (structured or binary mode)."""
    header_map = {name: raw for name, raw in headers}
    text_headers = {name: raw.decode(errors="replace") for name, raw in headers}
    try:
        event = from_kafka(
            KafkaMessage(headers=header_map, key=key, value=value or b""), JSONFormat()
        )
        error = None
    except Exception as exc:  # not a CloudEvent: show it anyway, with the reason
        event, error = None, f"{type(exc).__name__}: {exc}"
    return TailedRecord(
        topic=topic,
        partition=partition,
        offset=offset,
        key=key.decode(errors="replace") if key is not None else None,
        headers=text_headers,
        event=event,
        error=error,
        raw=value or b"",
    )


async def tail(
    bootstrap: str,
    topic: str,
    *,
    from_beginning: bool = True,
    limit: int | None = None,
    idle_timeout: float | None = None,
) -> AsyncIterator[TailedRecord]:
    """Records of every partition of ``topic``, without joining a consumer group.

    Stops after ``limit`` records, or when nothing arrived for ``idle_timeout`` seconds.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await _partitions(consumer, topic)
        consumer.assign(partitions)
        if from_beginning:
            await consumer.seek_to_beginning(*partitions)
        else:
            await consumer.seek_to_end(*partitions)
        seen = 0
        loop = asyncio.get_running_loop()
        last = loop.time()
        while limit is None or seen < limit:
            batch = await consumer.getmany(timeout_ms=200)
            records = sorted(
                (r for part in batch.values() for r in part), key=lambda r: r.timestamp
            )
            if records:
                last = loop.time()
            elif idle_timeout is not None and loop.time() - last > idle_timeout:
                return
            for record in records:
                yield parse_record(
                    record.topic,
                    record.partition,
                    record.offset,
                    record.key,
                    record.value,
                    list(record.headers),
                )
                seen += 1
                if limit is not None and seen >= limit:
                    return
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    found = consumer.partitions_for_topic(topic)
    if not found:
        await consumer._client.force_metadata_update()
        found = consumer.partitions_for_topic(topic)
    if not found:
        raise typer.BadParameter(f"topic {topic!r} does not exist on this Kafka")
    return [TopicPartition(topic, p) for p in sorted(found)]


def render_record(record: TailedRecord) -> Panel:
    where = f"{record.topic}[{record.partition}]@{record.offset}  key={record.key}"
    if record.event is None:
        body = Text(record.raw.decode(errors="replace")[:2000])
        return Panel(body, title=f"[red]not a CloudEvent[/]: {record.error}", subtitle=where)
    event = record.event
    time: datetime | None = event.get_time()
    header = Text.assemble(
        (event.get_type(), "bold cyan"),
        "  ",
        (f"subject={event.get_subject()}", "green"),
        "  ",
        (f"id={event.get_id()}", "dim"),
    )
    parts: list[Any] = [header]
    reason = record.headers.get("dlq-reason")
    if reason:
        parts.append(Text(f"dead-lettered: {reason}", style="bold red"))
    parts.append(JSON(json.dumps(event.get_data(), ensure_ascii=False, default=str)))
    title = time.isoformat() if time else ""
    return Panel(Group(*parts), title=title, subtitle=where, title_align="left")


def json_line(record: TailedRecord) -> dict[str, Any]:
    """The event's attributes and data; where it came from and why, for a non-CloudEvent."""
    if record.event is None:
        where = {"topic": record.topic, "partition": record.partition, "offset": record.offset}
        return {**where, "error": record.error}
    return {**record.event.get_attributes(), "data": record.event.get_data()}


def tail_command(
    topic: Annotated[str, typer.Argument(help="Topic name, e.g. samling.events.registrations.")],
    bootstrap: Annotated[
        str, typer.Option(envvar="SAMLING_KAFKA_BOOTSTRAP", help="Kafka bootstrap servers.")
    ] = "127.0.0.1:9092",
    from_beginning: Annotated[
        bool, typer.Option("--from-beginning/--new-only", help="Start at the oldest record.")
    ] = True,
    limit: Annotated[int | None, typer.Option(help="Stop after this many records.")] = None,
    idle: Annotated[
        float | None, typer.Option(help="Stop when nothing arrived for this many seconds.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per event.")] = False,
) -> None:
    """Follow a topic and show each record as a CloudEvent (Ctrl-C stops)."""
    if topic not in every_topic_name():
        known = ", ".join(n for n in every_topic_name() if not n.endswith(".dlq"))
        output.console.print(f"[yellow]{topic} is not a Samling topic[/] (known: {known})")

    async def run() -> None:
        async for record in tail(
            bootstrap, topic, from_beginning=from_beginning, limit=limit, idle_timeout=idle
        ):
            if as_json:
                typer.echo(json.dumps(json_line(record), default=str, ensure_ascii=False))
            else:
                output.console.print(render_record(record))

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
