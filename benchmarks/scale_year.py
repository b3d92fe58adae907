"""A year of a large region, loaded straight into the store through the services' own
repositories (``AggregateStore`` and the services' collections), for ``scale.py`` (which
loads this file: scripts are no package)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from samling_devtools.benchmarking import sibling
from samling_events.adapters.store.stores import (
    EVENT_TIMELINE,
    EVENTS_BY_END,
    NETWORK_EVENT_TIMELINE,
    SEATS_BY_TAKEN,
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
from samling_notifications.adapters.store.expiry import NOTICES_BY_HOUR
from samling_notifications.adapters.store.notices import notice_documents
from samling_notifications.domain.notices import Draft, Kind, Recipient, RecipientType
from samling_runtime.mongo import Document
from samling_runtime.store import AggregateStore
from samling_runtime.time_buckets import MARKS, TimeBuckets, backfilled
from samling_runtime.timeline import Timeline

REGION = "rkk-salten"
YEAR = {"events": 2_000, "registrations": 200_000, "reports": 20_000, "notices": 2_000_000}
MUNICIPALITIES, NETWORKS = 50, 30
#: A year's reports spread over the year (about 55 a day), at any --scale; they were a
#: minute apart, i.e. 20,000 reports in 14 days.
REPORT_SPACING = timedelta(days=365) / YEAR["reports"]
#: When an event was published and its registrations arrived, before it starts; at the latest
#: two days before the load (a year's registrations for the months ahead came early), so the
#: sweeps over the last day's changes find nothing of the loaded year's.
PUBLISHED_BEFORE, REGISTERED_BEFORE = timedelta(days=60), timedelta(days=14)
LATEST_BEFORE_LOAD = timedelta(days=2)
HISTORY = sibling("benchmarks/scale_history.py")
CHUNK = 1_000


async def in_chunks(
    write: Callable[[list[Any]], Awaitable[Any]], items: Sequence[Any], parallel: int = 4
) -> None:
    gate = asyncio.Semaphore(parallel)

    async def one(chunk: list[Any]) -> None:
        async with gate:
            await write(chunk)

    await asyncio.gather(*(one(list(items[i : i + CHUNK])) for i in range(0, len(items), CHUNK)))


async def create(
    db: AsyncDatabase[Document],
    name: str,
    states: Sequence[Any],
    *timelines: Timeline,
    buckets: Sequence[TimeBuckets] = (),
    recorded: Callable[[Any], datetime] | None = None,
) -> None:
    """Aggregates as the service writes them (revision, copy and the copy's timeline and
    time buckets), without facts: a year's facts went out long ago. ``recorded`` is when
    each was written (its copy's hour, which the sweeps over recent changes read; the load's
    time when not given)."""
    at: dict[datetime | None, list[Any]] = {}
    for state in states:
        at.setdefault(recorded(state) if recorded else None, []).append(state)
    gate = asyncio.Semaphore(4)

    async def write(moment: datetime | None, chunk: Sequence[Any]) -> None:
        def when() -> datetime:
            return moment or datetime.now(UTC)

        store: AggregateStore[Any] = AggregateStore(
            db, name, type(chunk[0]), source="/bench", now=when, timelines=timelines,
            buckets=buckets,
        )  # fmt: skip
        async with gate:
            await store.create_many([(s.id, Change(s)) for s in chunk])

    await asyncio.gather(
        *(
            write(moment, group[i : i + CHUNK])
            for moment, group in at.items()
            for i in range(0, len(group), CHUNK)
        )
    )


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

    def published(event: Event) -> datetime:
        return min(event.starts_at - PUBLISHED_BEFORE, now - LATEST_BEFORE_LOAD)

    def registered(event: Event) -> datetime:
        return min(event.starts_at - REGISTERED_BEFORE, now - LATEST_BEFORE_LOAD)

    await create(
        db,
        "events",
        events,
        EVENT_TIMELINE,
        NETWORK_EVENT_TIMELINE,
        buckets=[EVENTS_BY_END],
        recorded=published,
    )
    when = {event.id: registered(event) for event in events}
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
                    "arrived_at": when[event_id],
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
                "taken_at": when[event_id],
                **SEATS_BY_TAKEN.fields(when[event_id]),
            }
        )
    for p in range(year.people):
        pid, email = person(p)
        participants.append({"_id": pid, "name": f"Person {p}", "email": email, "language": "nb"})
    kept = HISTORY.retained(events, registrations, when, now)
    roster = [
        roster_entry(r, participants[int(r.participant_id[-7:])])
        for r in registrations
        if r.id not in kept.anonymised
    ]
    await create(db, "registrations", kept.registrations, recorded=lambda r: kept.recorded[r.id])
    await insert(db, "roster", roster)
    await insert(db, "seats", seats)
    await insert(db, "participants", [p for p in participants if p["_id"] not in kept.leaving])
    first_end = min(event.ends_at for event in events)
    late = await HISTORY.age_events(db, first_end, now, kept.leaving)
    print(
        f"  {len(kept.anonymised)} registrations anonymised, {len(kept.leaving)} people gone "
        f"(the service's sweep over the year found {late} more)",
        flush=True,
    )


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
    # Every notice has its hour: what the service, started on the empty database a year ago,
    # would have remembered (else its first start here back-fills by a scan of them all).
    await backfilled(db["notifications"], NOTICES_BY_HOUR, db[MARKS])
    await HISTORY.age_notices(db, now)
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
            await HISTORY.age_runtime(client[f"{prefix}_{name}"], now)
            took[name] = time.perf_counter() - t0
            print(f"  loaded {name} in {took[name]:.0f} s", flush=True)
    finally:
        await client.close()
    return took
