"""``samling tail`` against the real Kafka."""

from __future__ import annotations

import asyncio
import json

import pytest
from rich.console import Console
from samling_contracts import envelope
from samling_contracts.events import ParticipantErased
from samling_contracts.topics import REGISTRATIONS
from samling_devtools.cli.app import app
from samling_devtools.cli.tail import render_record, tail
from samling_devtools.testing import producer, unique
from typer.testing import CliRunner

pytestmark = pytest.mark.integration

runner = CliRunner()


def rendered(renderable: object) -> str:
    console = Console(width=200, record=True)
    with console.capture() as capture:
        console.print(renderable)
    return capture.get()


async def test_tail_shows_cloudevents_and_flags_what_is_not_one(topics: str) -> None:
    participant = unique("par")
    event = envelope(ParticipantErased(participant_id=participant), source="/test/cli")
    async with producer(topics) as p:
        await p.send_and_wait(
            REGISTRATIONS.name,
            event.to_json(),
            key=participant.encode(),
            headers=[("content-type", b"application/cloudevents+json")],
        )
        await p.send_and_wait(REGISTRATIONS.name, b"not json at all", key=participant.encode())
        await p.send_and_wait(
            REGISTRATIONS.dead_letter,
            event.to_json(),
            key=participant.encode(),
            headers=[
                ("content-type", b"application/cloudevents+json"),
                ("dlq-reason", b"ValidationError: capacity must be positive"),
            ],
        )

    records = [r async for r in tail(topics, REGISTRATIONS.name, idle_timeout=1.5)]
    ours = [r for r in records if r.key == participant]
    assert len(ours) == 2
    parsed, garbage = ours
    assert parsed.event is not None
    assert parsed.event.get_id() == event.id
    assert parsed.event.get_type() == "no.samling.events.participant.erased.v1"
    assert parsed.event.get_data() == {"participant_id": participant}
    assert garbage.event is None
    assert garbage.error
    assert "not a CloudEvent" in rendered(render_record(garbage))
    assert parsed.event.get_type() in rendered(render_record(parsed))

    dead = [
        r
        async for r in tail(topics, REGISTRATIONS.dead_letter, idle_timeout=1.5)
        if r.key == participant
    ]
    assert "dead-lettered: ValidationError: capacity must be positive" in rendered(
        render_record(dead[0])
    )


async def test_tail_command_prints_json_lines(topics: str) -> None:
    participant = unique("par")
    event = envelope(ParticipantErased(participant_id=participant), source="/test/cli")
    async with producer(topics) as p:
        await p.send_and_wait(REGISTRATIONS.name, event.to_json(), key=participant.encode())
    result = await asyncio.to_thread(
        runner.invoke,
        app,
        ["tail", REGISTRATIONS.name, "--bootstrap", topics, "--idle", "1.5", "--json"],
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    (line,) = [x for x in lines if x.get("id") == event.id]
    assert all("id" in x or "error" in x for x in lines)
    assert line["type"] == "no.samling.events.participant.erased.v1"
    assert line["partitionkey"] == participant
    assert line["data"] == {"participant_id": participant}
