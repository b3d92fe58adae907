# ruff: noqa: ASYNC110 - a benchmark script: it builds and runs its load generator
"""Registration rush: N concurrent HTTP clients register for one event on a running service.

Starts its own Kafka + FerretDB (separate ports and data dir) and the events service under
uvicorn, fires the registrations (each with its Idempotency-Key, as the web form sends them)
with vegeta, and reports registrations/s, p50/p99 latency and the CPU time each process spent
per registration; in the same run it measures the store's raw unique-insert rate (insert_one
with the same concurrency, and insert_many) for comparison. Afterwards it checks the capacity
rule.

    make bench-registrations            # or: uv run python services/events/benchmarks/registration_rush.py --help
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient
from samling_contracts.topics import ALL_TOPICS
from samling_devtools.benchmarking import (
    CpuUsage,
    ProcessTree,
    percentile,
    running_stack,
    service_env,
    sibling,
    start_service,
)
from samling_devtools.infra import Stack, free_port
from samling_devtools.mailpit import Mailpit, MailpitServer
from samling_devtools.services import ServiceProcess
from samling_devtools.store_rows import Psql
from samling_devtools.store_writes import settled_table_counters
from samling_devtools.testing import ensure_topics, read_topic, start_at_end
from samling_devtools.vegeta import Report, attack, results
from samling_runtime.auth import Role, mint_token
from samling_runtime.settings import ServiceSettings

DB = "bench_events"
NOTIFICATIONS_DB = "bench_notifications"
STORE = sibling("services/events/benchmarks/rush_store.py")


def targets(urls: list[str], event_id: str, n: int, token: str, who: str = "deltaker") -> str:
    """One POST per person (vegeta's JSON target format), replicas taking turns."""
    lines = []
    for i in range(n):
        body = {
            "name": f"Deltaker {i}",
            "email": f"{who}{i}@example.no",
            "municipality_id": "NO-1804",
            "role": "Lærer",
        }
        target = {
            "method": "POST",
            "url": f"{urls[i % len(urls)]}/events/{event_id}/registrations",
            "body": base64.b64encode(json.dumps(body).encode()).decode(),
            "header": {
                "Authorization": [f"Bearer {token}"],
                "Content-Type": ["application/json"],
                "Idempotency-Key": [f"{who}-{i}"],
            },
        }
        lines.append(json.dumps(target))
    return "\n".join(lines) + "\n"


def coordinator_token() -> str:
    return mint_token(
        ServiceSettings(), subject="bench", roles=[Role.COORDINATOR], region_id="rkk-salten"
    )


def rush(workdir: Path, urls: list[str], event_id: str, n: int, concurrency: int) -> Report:
    token = coordinator_token()
    return attack(workdir, targets(urls, event_id, n, token), concurrency)


def floor(workdir: Path, urls: list[str], n: int, concurrency: int) -> Report:
    """The same load on ``GET /healthz``: what the HTTP stack alone manages on this machine."""
    target = {"method": "GET", "url": f"{urls[0]}/healthz"}
    return attack(workdir, "\n".join(json.dumps(target) for _ in range(n)) + "\n", concurrency)


def answered_at(workdir: Path) -> dict[str, tuple[float, str]]:
    """Each 201's participant id -> (epoch seconds of the HTTP answer, e-mail address), from
    vegeta's per-request results."""
    answers: dict[str, tuple[float, str]] = {}
    for line in results(workdir):
        result = json.loads(line)
        if result["code"] != 201:
            continue
        sent = datetime.fromisoformat(result["timestamp"].replace("Z", "+00:00"))
        body = json.loads(base64.b64decode(result["body"]))
        answers[body["participant_id"]] = (
            sent.timestamp() + result["latency"] / 1e9,
            body["email"].lower(),
        )
    return answers


def percentiles(label: str, delays: list[float], expected: int) -> str:
    if not delays:
        return f"{label:<21}none arrived of {expected}"
    ordered = sorted(delays)
    p50 = percentile(ordered, 0.5) * 1000
    p99 = percentile(ordered, 0.99) * 1000
    return f"{label:<21}{p50:8.0f} / {p99:.0f} ms  (p50 / p99 of {len(delays)} of {expected})"


async def end_to_end(
    workdir: Path,
    url: str,
    event_id: str,
    bootstrap: str,
    mongo_url: str,
    mailbox: Mailpit,
    rate: int,
    seconds: int,
    pids: dict[str, int | None],
    meter: Any,
    postgres_server: Psql,
) -> list[str]:
    """Registrations at a steady ``rate``: from each HTTP answer to the participant's inbox
    entry (the notice's ``created_at`` in the notifications service) and to the mail in
    Mailpit (its arrival time there). One machine, one clock. The CPU each process spent
    (from the first request until the last mail arrived) is divided by the registrations."""
    token = coordinator_token()
    n = rate * seconds
    store_before = await settled_table_counters(postgres_server, NOTIFICATIONS_DB)
    postgres = ProcessTree(pids.pop("postgresql", None))
    usage = CpuUsage.of(pids, finished_children="load generator (vegeta)")
    report = attack(workdir, targets([url], event_id, n, token, who="steady"), 50, rate, seconds)
    answers = answered_at(workdir)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
    notices = client[NOTIFICATIONS_DB]["notifications"]
    query = {"kind": "registration.confirmed", "channel": "inbox"}
    inbox: dict[str, float] = {}
    mails: dict[str, float] = {}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (len(inbox) < len(answers) or len(mails) < len(answers)):
        # The delays come from the documents' times, not from when they are seen: look
        # seldom, so the look (a scan of the notices, Mailpit's list) loads the machine little.
        await asyncio.sleep(5)
        inbox = {
            d["recipient_id"]: d["created_at"].timestamp()
            async for d in notices.find(query, {"recipient_id": 1, "created_at": 1})
        }
        mails = await asyncio.to_thread(mailbox.arrivals)
    cpu = usage.per(max(1, len(answers)), "registration") + postgres.per(max(1, len(answers)))
    await client.close()
    # The notifications side's writes and reads per registration (its database only).
    tables = await settled_table_counters(postgres_server, NOTIFICATIONS_DB) - store_before
    published = await published_at(bootstrap, set(answers))
    to_inbox = [inbox[p] - at for p, (at, _) in answers.items() if p in inbox]
    to_mail = [mails[a] - at for p, (at, a) in answers.items() if a in mails]
    to_kafka = [published[p] - at for p, (at, _) in answers.items() if p in published]
    kafka_to_inbox = [inbox[p] - published[p] for p in answers if p in inbox and p in published]
    lat = report.latencies
    # Both services use the store meanwhile (and the look at the inbox): rows per database.
    store: list[str] = await meter.report(max(1, len(answers)), "registration", with_commands=False)
    return [
        f"steady rate          {rate:8d}/s for {seconds} s: {len(answers)} registrations answered "
        f"201 (status codes {report.answers}), HTTP p50 / p99 {lat.p50 / 1e6:.0f} / "
        f"{lat.p99 / 1e6:.0f} ms",
        percentiles("answer -> in Kafka", to_kafka, len(answers)),
        percentiles("Kafka -> inbox", kafka_to_inbox, len(answers)),
        percentiles("answer -> inbox", to_inbox, len(answers)),
        percentiles("answer -> e-mail", to_mail, len(answers)),
        cpu,
        *store,
        *tables.lines(len(answers), "registration (notifications)"),
    ]


async def published_at(bootstrap: str, participants: set[str]) -> dict[str, float]:
    """Each participant's ``registration.confirmed`` -> when the events service's relay
    handed it to Kafka (the record's timestamp): where the time before the inbox goes."""
    records = await read_topic(
        bootstrap, "samling.events.registrations", lambda found: True, timeout=60
    )
    found: dict[str, float] = {}
    for record in records:
        event = json.loads(record.value)
        participant = event.get("data", {}).get("participant_id")
        if (
            event.get("type", "").endswith("registration.confirmed.v1")
            and participant in participants
        ):
            found.setdefault(participant, record.timestamp / 1000)
    return found


async def open_event(url: str, auth: dict[str, str], title: str, day: str, capacity: int) -> str:
    """A published theme day (its id), open for registration."""
    async with httpx.AsyncClient(timeout=30) as client:
        created = await client.post(
            f"{url}/events",
            headers=auth,
            json={
                "kind": "theme_day",
                "title": title,
                "starts_at": f"{day}T09:00:00+01:00",
                "ends_at": f"{day}T15:00:00+01:00",
                "venue": "Bodø",
                "capacity": capacity,
            },
        )
        created.raise_for_status()
        event_id: str = created.json()["id"]
        (await client.post(f"{url}/events/{event_id}/publish", headers=auth)).raise_for_status()
    return event_id


async def steady_run(
    args: argparse.Namespace,
    stack: Stack,
    root: Path,
    url: str,
    auth: dict[str, str],
    services: list[ServiceProcess],
) -> list[str]:
    """Item 4 of #14: the notifications service and Mailpit join (reading from now on, not
    the rush's facts), a second event opens, and registrations arrive at a steady rate."""
    mailpit = MailpitServer(free_port(), free_port(), root / "mailpit", root / "logs")
    mailpit.start()
    mailpit.wait_ready()
    group = "bench-notifications"
    topics = [t.name for t in ALL_TOPICS]
    await start_at_end(stack.bootstrap, group, topics)
    env = service_env(
        "notifications",
        stack,
        NOTIFICATIONS_DB,
        group,
        SMTP_HOST=mailpit.host,
        SMTP_PORT=str(mailpit.port),
    )
    await start_service(
        services, "notifications", "samling_notifications.main:create", env, root / "logs"
    )
    n = args.steady_rate * args.steady_seconds
    event_id = await open_event(url, auth, "Temadag: jevn påmelding", "2027-03-02", n)
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url)
    while await mongo[NOTIFICATIONS_DB]["events"].find_one({"_id": event_id}) is None:
        await asyncio.sleep(0.2)  # the event's details reach the notifications service first
    await mongo.close()
    box = mailpit.mailbox()
    pids = {
        **{s.spec.name: s.process.pid for s in services if s.process},
        "kafka": stack.kafka.pid,
        "ferretdb": stack.ferretdb.pid,
        "mailpit": mailpit.pid,
        "postgresql": stack.postgres.pid,
    }
    meter = await STORE.StoreMeter(stack, [DB, NOTIFICATIONS_DB]).settled_start()
    try:
        return await end_to_end(
            root,
            url,
            event_id,
            stack.bootstrap,
            stack.mongo_url,
            box,
            args.steady_rate,
            args.steady_seconds,
            pids,
            meter,
            stack.postgres,
        )
    finally:
        box.close()
        mailpit.stop()


async def main(args: argparse.Namespace) -> int:
    with running_stack("samling-bench-") as (stack, services):
        root = stack.root
        await ensure_topics(stack.bootstrap)
        for r in range(args.replicas):
            port = free_port()
            env = service_env(
                "events", stack, DB, "bench-events", PUBLIC_URL=f"http://127.0.0.1:{port}"
            )
            await start_service(
                services, f"events{r}", "samling_events.main:create", env, root / "logs", port=port
            )
        urls = [s.spec.url for s in services]
        auth = {"Authorization": f"Bearer {coordinator_token()}"}
        event_id = await open_event(
            urls[0], auth, "Temadag: registreringsrush", "2027-03-01", args.capacity
        )
        # warm-up outside the measurement (JIT-free Python, but connection pools and desks)
        print(
            f"rush: {args.n} registrations, {args.concurrency} concurrent clients, capacity {args.capacity}, {args.replicas} replica(s)",
            flush=True,
        )
        usage = CpuUsage.of(
            {
                **{s.spec.name: s.process.pid for s in services if s.process},
                "kafka": stack.kafka.pid,
                "ferretdb": stack.ferretdb.pid,
            },
            finished_children="load generator (vegeta)",
        )
        meter = STORE.StoreMeter(stack, [DB]).start()
        report = rush(root, urls, event_id, args.n, args.concurrency)
        cpu = usage.per(args.n, "registration")
        store = await meter.report(args.n, "registration", with_commands=True)
        healthz = floor(root, urls, args.n, args.concurrency)
        if report.failures:
            print(f"errors: {report.failures[:5]}", flush=True)
        result = await STORE.check(stack.mongo_url, DB, event_id, args.capacity, args.n)
        one, many = await STORE.raw_inserts(stack.mongo_url, DB, args.n, args.concurrency)
        steady = (
            await steady_run(args, stack, root, urls[0], auth, services) if args.steady_rate else []
        )
        lat = report.latencies
        print(
            f"registrations/s      {args.n / report.seconds:8.0f}   ({args.n} in {report.seconds:.2f}s, status codes {report.answers})"
        )
        print(
            f"latency p50 / p99    {lat.p50 / 1e6:8.1f} / {lat.p99 / 1e6:.1f} ms  (mean {lat.mean / 1e6:.1f} ms, max {lat.max / 1e6:.1f} ms)"
        )
        print(cpu)
        for line in store:
            print(line)
        print(
            f"HTTP floor           {args.n / healthz.seconds:8.0f}   (GET /healthz/s, same clients: no store, no Kafka)"
        )
        print(f"raw insert_one/s     {one:8.0f}   (same concurrency, unique _id, no HTTP)")
        print(f"raw insert_many/s    {many:8.0f}   (batches of 500, ordered=False)")
        print(f"capacity rule        OK {result}")
        for line in steady:
            print(line)
        return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=5000, help="registrations to send")
    parser.add_argument("--concurrency", type=int, default=200, help="concurrent HTTP clients")
    parser.add_argument("--capacity", type=int, default=500, help="seats of the event")
    parser.add_argument(
        "--replicas", type=int, default=1, help="service processes (clients alternate)"
    )
    parser.add_argument(
        "--steady-rate",
        type=int,
        default=100,
        help="then registrations/s for the end-to-end latency to inbox and mail (0: skip)",
    )
    parser.add_argument("--steady-seconds", type=int, default=30, help="how long at that rate")
    sys.exit(asyncio.run(main(parser.parse_args())))
