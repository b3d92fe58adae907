# ruff: noqa: ASYNC110, ASYNC220, ASYNC240, S603, SIM102 - a benchmark script: polling and blocking calls are fine
"""Fan-out benchmark: one new event in a network of 40 municipalities with 10,000 contact
persons. Measures the time from publishing EventScheduled until every inbox entry exists and
every e-mail reached the SMTP sink, and, in the same run, the raw consume rate of a Kafka topic.

Run: ``make bench-fanout`` (or ``uv run python services/notifications/benchmarks/fanout.py``).
It uses the test-profile ports (``SAMLING_TEST_*_PORT``): a test stack already listening there
is reused, otherwise one is started in ``.local/bench`` and stopped at the end. The service runs
as a uvicorn process and the SMTP sink as another, as they would in production.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from samling_contracts import CONTENT_TYPE, CloudEvent, envelope
from samling_contracts.events import EventScheduled
from samling_contracts.network import (
    ContactPerson,
    ContactPersonsChanged,
    MunicipalityJoinedNetwork,
    NetworkCreated,
)
from samling_contracts.topics import ALL_TOPICS
from samling_devtools.benchmarking import CpuUsage, service_env
from samling_devtools.infra import Stack, TopicSpec, create_topics, port_in_use, repo_root
from samling_devtools.processes import free_port
from samling_devtools.services import ServiceProcess, ServiceProcessSpec
from samling_devtools.testing import ensure_topics, mongo_db, start_at_end

RAW_TOPIC = "bench.fanout.raw"


def setup_facts(run: str, municipalities: int, people: int) -> list[CloudEvent]:
    network_id = f"net_bench_{run}"
    facts: list[object] = [
        NetworkCreated(
            network_id=network_id,
            region_id="rkk-salten",
            name="Benchmarknettverket",
            field="school",
        )
    ]
    each = people // municipalities
    for m in range(municipalities):
        municipality_id = f"NO-{1000 + m}"
        facts.append(
            MunicipalityJoinedNetwork(
                network_id=network_id,
                municipality_id=municipality_id,
                membership_id=f"mem_{run}_{m}",
                starts_on=date(2026, 1, 1),
            )
        )
        facts.append(
            ContactPersonsChanged(
                municipality_id=municipality_id,
                contacts=[
                    ContactPerson(
                        contact_id=f"con_{run}_{m}_{c}",
                        name=f"Kontakt {m}-{c}",
                        email=f"c{m}-{c}.{run}@bench.example.no",
                        language=("nb", "nn", "sv", "da", "en")[c % 5],
                    )
                    for c in range(each)
                ],
            )
        )
    return [envelope(f, source="/bench") for f in facts]  # type: ignore[arg-type]


def event_scheduled(event_id: str, network_id: str) -> CloudEvent:
    """The fact the fan-out measures: a network meeting in 30 days, for the whole network."""
    starts = datetime.now(UTC) + timedelta(days=30)
    return envelope(
        EventScheduled(
            event_id=event_id,
            network_id=network_id,
            region_id="rkk-salten",
            kind="network_meeting",
            title="Nettverkssamling",
            starts_at=starts,
            ends_at=starts + timedelta(hours=5),
            timezone="Europe/Oslo",
            venue="Bodø",
            capacity=100,
            sequence=0,
        ),
        source="/bench",
    )


async def send_all(bootstrap: str, events: list[CloudEvent], topic: str | None = None) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, max_request_size=20_000_000, linger_ms=5
    )
    await producer.start()
    try:
        for event in events:
            name = topic or type(event.fact()).spec().topic.name
            await producer.send(
                name,
                event.to_json(),
                key=event.partitionkey.encode(),
                headers=[("content-type", CONTENT_TYPE.encode())],
            )
        await producer.flush()
    finally:
        await producer.stop()


async def raw_consume_rate(bootstrap: str, event: CloudEvent, count: int) -> tuple[float, float]:
    """Messages per second a plain consumer reads (and parses into facts) from one topic."""
    await create_topics(bootstrap, [TopicSpec(RAW_TOPIC, 3)])
    copies = [event.model_copy(update={"id": str(uuid.uuid4())}) for _ in range(count)]
    await send_all(bootstrap, copies, RAW_TOPIC)
    consumer = AIOKafkaConsumer(
        RAW_TOPIC,
        bootstrap_servers=bootstrap,
        group_id=f"bench-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=5000,
    )
    await consumer.start()
    try:
        end = await consumer.end_offsets(list(consumer.assignment()) or await _assigned(consumer))
        total = sum(end.values())
        seen = 0
        parsed = 0
        started = time.perf_counter()
        while seen < total:
            batch = await consumer.getmany(timeout_ms=1000)
            for records in batch.values():
                for record in records:
                    CloudEvent.from_json(record.value).fact()
                    parsed += 1
                seen += len(records)
        elapsed = time.perf_counter() - started
    finally:
        await consumer.stop()
    return parsed / elapsed, elapsed


async def _assigned(consumer: AIOKafkaConsumer) -> list[object]:
    while not consumer.assignment():
        await consumer.getmany(timeout_ms=200)
        if consumer.assignment():
            break
    await consumer.seek_to_beginning()
    return list(consumer.assignment())


async def main(people: int, municipalities: int) -> None:
    stack = Stack("test", root=repo_root() / ".local" / "bench")
    own_stack = not port_in_use(stack.kafka.port)
    if own_stack:
        print("starting Kafka and FerretDB in .local/bench …", flush=True)
        stack.start()
    sink_port, sink_http = free_port(), free_port()
    sink = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "samling_devtools.smtp_sink",
            "--port",
            str(sink_port),
            "--http-port",
            str(sink_http),
        ],
        stdout=subprocess.DEVNULL,
    )
    run = uuid.uuid4().hex[:6]
    db_name = f"bench_{run}"
    env = service_env(
        "notifications",
        stack,
        db_name,
        f"bench-{run}",
        SMTP_PORT=str(sink_port),
        SMTP_CONNECTIONS=os.environ.get("BENCH_SMTP_CONNECTIONS", "16"),
        DELIVERY_RECORD_EVERY="250",
    )
    log_dir = repo_root() / ".local" / "bench-logs"
    service = ServiceProcess(
        ServiceProcessSpec("notifications", "samling_notifications.main:create", free_port()),
        env,
        log_dir,
    )
    try:
        await ensure_topics(stack.bootstrap)
        topics = [t.name for t in ALL_TOPICS]
        await start_at_end(stack.bootstrap, f"bench-{run}", topics)
        service.start()
        await asyncio.to_thread(service.wait_ready, 120)
        facts = setup_facts(run, municipalities, people)
        await send_all(stack.bootstrap, facts)
        async with mongo_db(stack.mongo_url, db_name) as db, httpx.AsyncClient() as http:
            while (
                await db["recipients"].count_documents({"type": "contact", "active": True}) < people
            ):
                await asyncio.sleep(0.2)
            members = await db["memberships"].count_documents({})
            while members < municipalities:
                await asyncio.sleep(0.2)
                members = await db["memberships"].count_documents({})
            print(
                f"{people} contact persons in {municipalities} member municipalities known",
                flush=True,
            )
            event = event_scheduled(f"evt_bench_{run}", f"net_bench_{run}")
            usage = CpuUsage.of(
                {
                    "notifications": service.process.pid if service.process else None,
                    "SMTP sink": sink.pid,
                    "ferretdb": stack.ferretdb.pid,
                    "kafka": stack.kafka.pid,
                }
            )
            t0 = time.perf_counter()
            await send_all(stack.bootstrap, [event])
            inbox_done = mail_done = None
            # The handler marks the fact processed after it wrote every inbox entry: an _id
            # lookup (counting 20,000 notices would scan the collection and slow the service).
            marker = {"_id": f"bench-{run}:{event.id}"}
            last_report = t0
            while inbox_done is None or mail_done is None:
                if inbox_done is None:
                    if await db["processed_events"].find_one(marker) is not None:
                        inbox_done = time.perf_counter() - t0
                        print(f"  all {people} inbox entries after {inbox_done:.2f} s", flush=True)
                if mail_done is None:
                    received = (await http.get(f"http://127.0.0.1:{sink_http}/count")).json()[
                        "received"
                    ]
                    if time.perf_counter() - last_report >= 2:
                        last_report = time.perf_counter()
                        print(f"  {received} e-mails after {last_report - t0:.1f} s", flush=True)
                    if received >= people:
                        mail_done = time.perf_counter() - t0
                        print(
                            f"  all {people} e-mails in the SMTP sink after {mail_done:.2f} s",
                            flush=True,
                        )
                if time.perf_counter() - t0 > 600:
                    raise SystemExit("gave up after 10 minutes")
                await asyncio.sleep(0.05)
            cpu = usage.per(people, "person (an inbox entry and an e-mail)")
            counts = (await http.get(f"http://127.0.0.1:{sink_http}/count")).json()
            inbox = await db["notifications"].count_documents({"channel": "inbox"})
            assert inbox == people, f"{inbox} inbox entries, expected {people}"
        rate, took = await raw_consume_rate(stack.bootstrap, event, people)
        result = {
            "people": people,
            "municipalities": municipalities,
            "inbox_seconds": round(inbox_done, 2),
            "email_seconds": round(mail_done, 2),
            "emails_per_second": round(people / mail_done),
            "sink": counts,
            "raw_kafka_consume_per_second": round(rate),
            "raw_kafka_consume_seconds": round(took, 2),
            "cpus": os.cpu_count(),
            "smtp_connections": int(env["SAMLING_NOTIFICATIONS_SMTP_CONNECTIONS"]),
        }
        print(json.dumps(result, indent=2))
        print(cpu)
        out = Path(repo_root() / ".local" / "bench-fanout.json")
        out.write_text(json.dumps(result, indent=2))
    finally:
        service.stop()
        sink.terminate()
        sink.wait()
        if own_stack:
            stack.stop()


if __name__ == "__main__":
    # A timeout's SIGTERM stops the service and the sink too (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description="Notifications fan-out benchmark")
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--municipalities", type=int, default=40)
    args = parser.parse_args()
    asyncio.run(main(args.people, args.municipalities))
