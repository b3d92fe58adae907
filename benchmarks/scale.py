# ruff: noqa: ASYNC110 - a benchmark script: polling is fine
"""Scale benchmark (#14, item 3): a year of a large region in the store, then every read.

Loads a year of a large region straight into the store through the services' own
repositories (``AggregateStore`` and the services' collections): 50 municipalities, 30
networks, 2,000 events, 200,000 registrations, 20,000 reports and 2,000,000 notices and inbox
entries (``--scale`` takes a fraction of the counts that grow with use). Then it measures, in
the same run, on an empty store and on the loaded one:

- p50/p95 of every list, search, feed and inbox endpoint (sequential requests: latency, not
  throughput);
- the registration rush (``services/events/benchmarks/registration_rush.py``'s vegeta run);
- the fan-out of one new event to a network's contact persons, to inbox and to Mailpit.

Goal: every read p95 <= 50 ms; the rush and the fan-out within 20 % of the empty store's.

    make bench-scale                                   # the full year
    uv run python benchmarks/scale.py --scale 0.1      # a tenth of it
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from samling_contracts import envelope
from samling_contracts.events import EventScheduled
from samling_devtools.benchmarking import isolated_stack, sibling
from samling_devtools.infra import Stack, free_port, repo_root
from samling_devtools.mailpit import MailpitServer
from samling_devtools.services import ServiceProcess, ServiceProcessSpec
from samling_devtools.testing import ensure_topics, start_at_end
from samling_events.adapters.store.stores import (
    EVENT_TIMELINE,
    NETWORK_EVENT_TIMELINE,
    roster_entry,
)
from samling_events.domain.events import Event
from samling_events.domain.registrations import Registration
from samling_kernel.decisions import Change
from samling_network.adapters.store.stores import REPORT_TIMELINE, REPORT_WEEK_TIMELINE
from samling_network.domain.memberships import Membership
from samling_network.domain.municipalities import Municipality
from samling_network.domain.networks import Network
from samling_network.domain.regions import Region
from samling_network.domain.reports import FreeText, Report, searchable_text
from samling_notifications.adapters.store.notices import notice_documents
from samling_notifications.domain.notices import Draft, Kind, Recipient, RecipientType
from samling_notifications.handlers.table import consumed_topics
from samling_runtime.auth import Role, mint_token
from samling_runtime.mongo import Document
from samling_runtime.settings import ServiceSettings
from samling_runtime.store import AggregateStore
from samling_runtime.timeline import Timeline

REGION = "rkk-salten"
YEAR = {"events": 2_000, "registrations": 200_000, "reports": 20_000, "notices": 2_000_000}
MUNICIPALITIES, NETWORKS = 50, 30
#: A year's reports spread over the year (about 55 a day), at any --scale; they were a
#: minute apart, i.e. 20,000 reports in 14 days.
REPORT_SPACING = timedelta(days=365) / YEAR["reports"]
CHUNK = 1_000
SERVICES = {
    "network": "samling_network.main:create",
    "events": "samling_events.main:create",
    "notifications": "samling_notifications.main:create",
}


RUSH = sibling("services/events/benchmarks/registration_rush.py")
FANOUT = sibling("services/notifications/benchmarks/fanout.py")


def bearer(role: Role, **claims: Any) -> dict[str, str]:
    subject = claims.pop("subject", f"bench-{role}")
    token = mint_token(ServiceSettings(), subject=subject, roles=[role], **claims)
    return {"Authorization": f"Bearer {token}"}


# -- loading ---------------------------------------------------------------------------------


async def in_chunks(
    write: Callable[[list[Any]], Awaitable[Any]], items: Sequence[Any], parallel: int = 4
) -> None:
    gate = asyncio.Semaphore(parallel)

    async def one(chunk: list[Any]) -> None:
        async with gate:
            await write(chunk)

    await asyncio.gather(*(one(list(items[i : i + CHUNK])) for i in range(0, len(items), CHUNK)))


async def create(
    db: AsyncDatabase[Document], name: str, states: Sequence[Any], *timelines: Timeline
) -> None:
    """Aggregates as the service writes them (revision, copy and the copy's timeline
    buckets), without facts: a year's facts went out long ago."""
    store: AggregateStore[Any] = AggregateStore(
        db, name, type(states[0]), source="/bench", timelines=timelines
    )
    await in_chunks(lambda chunk: store.create_many([(s.id, Change(s)) for s in chunk]), states)


async def insert(db: AsyncDatabase[Document], name: str, docs: Sequence[Document]) -> None:
    await in_chunks(lambda chunk: db[name].insert_many(chunk, ordered=False), docs)


class Year:
    """Ids of the loaded year, for the reads."""

    def __init__(self, scale: float) -> None:
        self.events = max(20, int(YEAR["events"] * scale))
        self.registrations = max(200, int(YEAR["registrations"] * scale))
        self.reports = max(20, int(YEAR["reports"] * scale))
        self.notices = max(200, int(YEAR["notices"] * scale))
        self.municipality_ids = [f"NO-{1800 + m}" for m in range(MUNICIPALITIES)]
        self.network_ids = [f"net_bench_{n:02d}" for n in range(NETWORKS)]
        self.event_ids = [f"evt_bench_{e:05d}" for e in range(self.events)]
        self.people = max(50, self.registrations // 4)  # each registers about four times
        self.middle_event = self.event_ids[len(self.event_ids) // 2]


async def load_network(db: AsyncDatabase[Document], year: Year, now: datetime) -> None:
    await create(db, "regions", [Region(id=REGION, name="RKK Bench", created_at=now)])
    await create(
        db,
        "municipalities",
        [
            Municipality.model_validate(
                {
                    "id": m,
                    "region_id": REGION,
                    "country": "NO",
                    "number": m[3:],
                    "name": f"Kommune {m}",
                    "contacts": [
                        {
                            "contact_id": f"con_{m}",
                            "name": f"Kontakt {m}",
                            "email": f"kontakt.{m}@example.no",
                            "language": "nb",
                        }
                    ],
                    "registered_at": now,
                }
            )
            for m in year.municipality_ids
        ],
    )
    await create(
        db,
        "networks",
        [
            Network(id=n, region_id=REGION, name=f"Nettverk {n}", field="school", created_at=now)
            for n in year.network_ids
        ],
    )
    await create(
        db,
        "memberships",
        [
            Membership(
                id=f"mem_{n}_{m}_1",
                network_id=n,
                municipality_id=m,
                region_id=REGION,
                sequence=1,
                starts_on=date(2026, 1, 1),
            )
            for i, n in enumerate(year.network_ids)
            for m in year.municipality_ids[i % 5 :: 5]
        ],
    )
    reports = []
    body = FreeText(text="Vi startet lesevenner på tvers av trinn. " * 20)
    for r in range(year.reports):
        title = f"Erfaring {r}: lesing i alle fag"
        reports.append(
            Report.model_validate(
                {
                    "id": f"rep_bench_{r:06d}",
                    "municipality_id": year.municipality_ids[r % MUNICIPALITIES],
                    "region_id": REGION,
                    "author_id": "u-bench",
                    "title": title,
                    "body": body,
                    "tags": {"language": "nb", "learning_arenas": ["reflection_group"]},
                    "network_ids": [year.network_ids[r % NETWORKS]],
                    "visibility": ("public", "region", "network")[r % 3],
                    "status": "published",
                    "text": searchable_text(title, body),
                    "created_at": now - REPORT_SPACING * r,
                    "updated_at": now - REPORT_SPACING * r,
                    "published_at": now - REPORT_SPACING * r,
                }
            )
        )
    await create(db, "reports", reports, REPORT_TIMELINE, REPORT_WEEK_TIMELINE)


def person(p: int) -> tuple[str, str]:
    return f"par_bench_{p:07d}", f"person{p}@example.no"


async def load_events(db: AsyncDatabase[Document], year: Year, now: datetime) -> None:
    events = []
    for e, event_id in enumerate(year.event_ids):
        starts = now - timedelta(days=180) + timedelta(hours=4 * e)
        events.append(
            Event.model_validate(
                {
                    "id": event_id,
                    "region_id": REGION,
                    "network_id": year.network_ids[e % NETWORKS],
                    "kind": "network_meeting",
                    "title": f"Samling {e}",
                    "venue": f"Sal {e % 7}",
                    "capacity": 200,
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=5),
                    "timezone": "Europe/Oslo",
                    "status": "published",
                }
            )
        )
    await create(db, "events", events, EVENT_TIMELINE, NETWORK_EVENT_TIMELINE)
    per_event = year.registrations // year.events
    registrations, seats, participants = [], [], []
    for r in range(year.registrations):
        event_id = year.event_ids[r // per_event % year.events]
        pid, email = person(r % year.people)
        seat = r % per_event
        registrations.append(
            Registration.model_validate(
                {
                    "id": f"reg_bench_{r:07d}",
                    "event_id": event_id,
                    "participant_id": pid,
                    "municipality_id": year.municipality_ids[r % MUNICIPALITIES],
                    "role": "Lærer",
                    "member": True,
                    "status": "confirmed",
                    "seat_no": seat,
                    "arrived_at": now,
                    "arrival_seq": seat + 1,
                }
            )
        )
        seats.append(
            {
                "_id": f"{event_id}:{seat}",
                "event_id": event_id,
                "seat_no": seat,
                "registration_id": f"reg_bench_{r:07d}",
                "taken_at": now,
            }
        )
    for p in range(year.people):
        pid, email = person(p)
        participants.append({"_id": pid, "name": f"Person {p}", "email": email, "language": "nb"})
    roster = [roster_entry(r, participants[int(r.participant_id[-7:])]) for r in registrations]
    await create(db, "registrations", registrations)
    await insert(db, "roster", roster)
    await insert(db, "seats", seats)
    await insert(db, "participants", participants)


async def load_notifications(db: AsyncDatabase[Document], year: Year, now: datetime) -> None:
    await insert(
        db,
        "recipients",
        [
            {"_id": person(p)[0], "type": "participant", "email": person(p)[1], "active": True}
            for p in range(year.people)
        ],
    )
    await insert(
        db,
        "events",
        [
            {
                "_id": e,
                "title": f"Samling {i}",
                "network_id": year.network_ids[i % NETWORKS],
                "region_id": REGION,
                "starts_at": now - timedelta(days=180) + timedelta(hours=4 * i),
                "ends_at": now - timedelta(days=180) + timedelta(hours=4 * i + 5),
                "timezone": "Europe/Oslo",
                "venue": f"Sal {i % 7}",
                "sequence": 0,
            }
            for i, e in enumerate(year.event_ids)
        ],
    )
    kinds = [
        Kind.REGISTRATION_CONFIRMED,
        Kind.EVENT_REMINDER,
        Kind.EVENT_FOLLOWUP,
        Kind.EVENT_INVITATION,
    ]
    notices: list[Document] = []
    r = 0
    while len(notices) < year.notices:
        event_id = year.event_ids[r % year.events]
        pid, _ = person(r % year.people)
        draft = Draft(
            kind=kinds[r % len(kinds)],
            source_event_id=f"fact-{r}",
            recipients=[Recipient(id=pid, type=RecipientType.PARTICIPANT)],
            refs={"event_id": event_id},
        )
        for doc in notice_documents(draft, {}, now - timedelta(seconds=r)):
            doc.update(status="sent", pending=False)  # a year's mail went out long ago
            notices.append(doc)
        r += 1
    await insert(db, "notifications", notices[: year.notices])
    inbox = [n for n in notices if n["channel"] == "inbox"]
    await insert(
        db,
        "inbox_reads",
        [{"_id": n["_id"], "recipient_id": n["recipient_id"], "read": True} for n in inbox[::3]],
    )


async def load(mongo_url: str, prefix: str, year: Year) -> dict[str, float]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongo_url, tz_aware=True)
    now = datetime.now(UTC)
    took: dict[str, float] = {}
    try:
        for name, loader in (
            ("network", load_network),
            ("events", load_events),
            ("notifications", load_notifications),
        ):
            t0 = time.perf_counter()
            await loader(client[f"{prefix}_{name}"], year, now)
            took[name] = time.perf_counter() - t0
            print(f"  loaded {name} in {took[name]:.0f} s", flush=True)
    finally:
        await client.close()
    return took


# -- measuring -------------------------------------------------------------------------------


def reads(year: Year) -> list[tuple[str, str, dict[str, str]]]:
    """(service, path, headers) of every list, search, feed and inbox endpoint."""
    coordinator = bearer(Role.COORDINATOR, region_id=REGION)
    m = year.municipality_ids[0]
    admin = bearer(Role.MUNICIPALITY_ADMIN, municipality_id=m)
    _, email = person(0)
    reader = bearer(Role.PARTICIPANT, subject="bench-reader", email=email)
    n, e = year.network_ids[0], year.middle_event
    return [
        ("network", "/regions", coordinator),
        ("network", "/municipalities", coordinator),
        ("network", f"/municipalities/{m}/memberships", coordinator),
        ("network", "/networks", coordinator),
        ("network", f"/networks?municipality_id={m}", admin),
        ("network", f"/networks/{n}/memberships", coordinator),
        ("network", f"/networks/{n}/announcements", coordinator),
        ("network", "/reports", admin),
        ("network", "/reports?q=lesing", admin),
        ("network", f"/reports?network_id={n}", admin),
        ("events", "/events", coordinator),
        ("events", f"/events?network_id={n}", coordinator),
        ("events", f"/events?region_id={REGION}", coordinator),
        ("events", f"/events/{e}/registrations", coordinator),
        ("events", f"/events/{e}/attendance", coordinator),
        ("events", f"/calendars/networks/{n}.ics", coordinator),
        ("events", f"/calendars/municipalities/{m}.ics", coordinator),
        ("notifications", "/inbox", reader),
        ("notifications", "/inbox?unread_only=true", reader),
        ("notifications", "/inbox/unread-count", reader),
        ("notifications", "/subscriptions", admin),
    ]


async def latencies(
    urls: dict[str, str], year: Year, requests: int
) -> dict[str, tuple[float, float]]:
    found: dict[str, tuple[float, float]] = {}
    n, e, m = year.network_ids[0], year.middle_event, year.municipality_ids[0]
    async with httpx.AsyncClient(timeout=60) as client:
        for service, path, headers in reads(year):
            took = []
            for _ in range(requests):
                t0 = time.perf_counter()
                answer = await client.get(urls[service] + path, headers=headers)
                took.append((time.perf_counter() - t0) * 1000)
                assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
            took.sort()
            label = path.replace(n, "{network}").replace(e, "{event}").replace(m, "{municipality}")
            found[f"{service} {label}"] = (
                statistics.median(took),
                took[min(len(took) - 1, int(len(took) * 0.95))],
            )
    return found


async def rush(workdir: Path, url: str, n: int) -> float:
    auth = bearer(Role.COORDINATOR, region_id=REGION)
    event_id = await RUSH.open_event(url, auth, "Temadag: rush", "2027-03-01", n // 5)
    report = RUSH.rush(workdir, [url], event_id, n, 100)
    return float(n / report.seconds)


async def fanout(
    stack: Stack, db: AsyncDatabase[Document], group: str, box: Any, people: int
) -> float:
    """Seconds from EventScheduled to every inbox entry and every mail (the slower)."""
    run = uuid.uuid4().hex[:6]
    await FANOUT.send_all(stack.bootstrap, FANOUT.setup_facts(run, 40, people))
    while await db["recipients"].count_documents({"type": "contact", "active": True}) < people:
        await asyncio.sleep(0.2)
    while await db["memberships"].count_documents({"network_id": f"net_bench_{run}"}) < 40:
        await asyncio.sleep(0.2)
    before = box.count()
    starts = datetime.now(UTC) + timedelta(days=30)
    event = envelope(
        EventScheduled(
            event_id=f"evt_fanout_{run}",
            network_id=f"net_bench_{run}",
            region_id=REGION,
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
    t0 = time.perf_counter()
    await FANOUT.send_all(stack.bootstrap, [event])
    while await db["processed_events"].find_one({"_id": f"{group}:{event.id}"}) is None:
        await asyncio.sleep(0.05)
    while box.count() < before + people:
        await asyncio.sleep(0.1)
    return time.perf_counter() - t0


async def phase(
    stack: Stack, root: Path, name: str, year: Year, args: argparse.Namespace, box: Any
) -> dict[str, Any]:
    """Load ``year`` into databases of their own, start the three services on them and
    measure the reads, the rush and the fan-out."""
    prefix = f"scale_{name}"
    result: dict[str, Any] = {}
    print(f"[{name}] loading {year.registrations} registrations, {year.notices} notices ...")
    result["load_seconds"] = await load(stack.mongo_url, prefix, year)
    group = f"{prefix}-notifications"  # each service reads with groups of its own
    await start_at_end(stack.bootstrap, group, [t.name for t in consumed_topics()])
    processes: dict[str, ServiceProcess] = {}
    try:
        for service, factory in SERVICES.items():
            env_prefix = f"SAMLING_{service.upper()}_"
            env = {
                "ENVIRONMENT": "test",
                "KAFKA_BOOTSTRAP": stack.bootstrap,
                "MONGO_URL": stack.mongo_url,
                "MONGO_DB": f"{prefix}_{service}",
                "CONSUMER_GROUP": f"{prefix}-{service}",
                "LOG_LEVEL": "WARNING",
                "SMTP_HOST": box.host,
                "SMTP_PORT": str(box.port),
                "SMTP_CONNECTIONS": "16",
            }
            process = ServiceProcess(
                ServiceProcessSpec(service, factory, free_port()),
                {env_prefix + k: v for k, v in env.items()},
                root / "logs",
            )
            process.start()
            await asyncio.to_thread(process.wait_ready, 300)
            processes[service] = process
        urls = {s: p.spec.url for s, p in processes.items()}
        print(f"[{name}] reads ...", flush=True)
        result["reads"] = await latencies(urls, year, args.requests)
        print(f"[{name}] registration rush ...", flush=True)
        result["rush_per_second"] = await rush(root, urls["events"], args.rush)
        print(f"[{name}] fan-out ...", flush=True)
        client: AsyncMongoClient[Document] = AsyncMongoClient(stack.mongo_url)
        try:
            db = client[f"{prefix}_notifications"]
            result["fanout_seconds"] = await fanout(stack, db, group, box, args.people)
        finally:
            await client.close()
    finally:
        for process in processes.values():
            process.stop()
    return result


def table(empty: dict[str, Any], loaded: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [
        f"| measure | near-empty store | a year at scale {args.scale} | goal |",
        "|---|---|---|---|",
    ]
    for key, (p50, p95) in loaded["reads"].items():
        e50, e95 = empty["reads"][key]
        ok = "ok" if p95 <= 50 else "MISSED"
        lines.append(
            f"| `{key}` p50 / p95 | {e50:.0f} / {e95:.0f} ms | {p50:.0f} / {p95:.0f} ms "
            f"| p95 <= 50 ms: {ok} |"
        )
    rush_ratio = loaded["rush_per_second"] / empty["rush_per_second"]
    fan_ratio = empty["fanout_seconds"] / loaded["fanout_seconds"]
    lines.append(
        f"| registration rush ({args.rush}) | {empty['rush_per_second']:.0f}/s "
        f"| {loaded['rush_per_second']:.0f}/s | >= 80 %: {rush_ratio:.0%} |"
    )
    lines.append(
        f"| fan-out ({args.people} people, inbox + mail) | {empty['fanout_seconds']:.1f} s "
        f"| {loaded['fanout_seconds']:.1f} s | >= 80 % of the rate: {fan_ratio:.0%} |"
    )
    loads = ", ".join(f"{k} {v:.0f} s" for k, v in loaded["load_seconds"].items())
    lines.append(f"\nLoad time: {loads}.")
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> int:
    stack = isolated_stack("samling-scale-")
    root = stack.root
    print(f"starting Kafka + FerretDB on PostgreSQL in {root} ...", flush=True)
    stack.start()
    mailpit = MailpitServer(free_port(), free_port(), root / "mailpit", root / "logs")
    mailpit.start()
    try:
        mailpit.wait_ready()
        box = mailpit.mailbox()
        await ensure_topics(stack.bootstrap)
        # "Empty": the least the reads need (20 events, 200 registrations and notices).
        empty = await phase(stack, root, "empty", Year(0), args, box)
        loaded = await phase(stack, root, "year", Year(args.scale), args, box)
        out = repo_root() / ".local" / "bench-scale.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"empty": empty, "year": loaded, "scale": args.scale}, indent=2))
        print(table(empty, loaded, args))
        box.close()
        return 0
    finally:
        mailpit.stop()
        stack.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of a year's data")
    parser.add_argument("--requests", type=int, default=50, help="requests per read endpoint")
    parser.add_argument("--rush", type=int, default=2000, help="registrations in the rush")
    parser.add_argument("--people", type=int, default=2000, help="contact persons in the fan-out")
    sys.exit(asyncio.run(main(parser.parse_args())))
