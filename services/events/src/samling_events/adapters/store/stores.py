"""The events service's Mongo collections and indexes."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from samling_runtime.membership_view import membership_key
from samling_runtime.mongo import Document
from samling_runtime.service import Runtime
from samling_runtime.store import COPIES_BY_HOUR, AggregateStore, create_indexes_one_by_one
from samling_runtime.time_buckets import MARKS, MARKS_INDEX, TimeBuckets, backfill
from samling_runtime.timeline import Timeline, Way

from samling_events.adapters.store.event_queries import EventQueries
from samling_events.adapters.store.follow_up import FollowUp
from samling_events.adapters.store.network_views import NetworkViews
from samling_events.adapters.store.registration_queries import RegistrationQueries
from samling_events.adapters.store.transfer import TransferStore, open_transfer_store
from samling_events.domain.conference import Assignment, Groups
from samling_events.domain.events import Event, EventStatus
from samling_events.domain.participants import Anonymisation, Erasure
from samling_events.domain.registrations import Registration

MEMBERSHIP_CACHE_SECONDS = 5.0

SEATS_BY_TAKEN = TimeBuckets("taken_at", timedelta(minutes=10))
"""Seats by when they were taken, for the orphan-seat repair: ten minutes of a rush are a
round's read, and a bucket is finished minutes after it closes."""
EVENTS_BY_END = TimeBuckets("ends_at", timedelta(days=1))
"""Event copies by the day they end, for anonymisation: a reschedule moves the copy's bucket
with its end (``AggregateStore`` derives it on every change)."""


def event_keys(doc: Document) -> list[str]:
    keys = ["all", f"region:{doc['region_id']}"]
    if doc.get("network_id"):
        keys.append(f"network:{doc['network_id']}")
    return keys


#: The event list, by start, a week of events per query.
EVENT_TIMELINE = Timeline("events", "starts_at", days=7, keys=event_keys)


def network_keys(doc: Document) -> list[str]:
    return [f"network:{doc['network_id']}"] if doc.get("network_id") else []


#: A network's events, by start, a quarter per query: a network has one or two events a
#: week, so week buckets cost a query per event; a quarter holds a page's worth or so.
NETWORK_EVENT_TIMELINE = Timeline("network_events", "starts_at", days=91, keys=network_keys)


def listed_ways(
    coordinated_region: str | None,
    *,
    network_id: str | None = None,
    region_id: str | None = None,
    status: EventStatus | None = None,
) -> list[Way]:
    """The events a caller may list, as equality queries: every state but draft, and the
    drafts of the region the caller coordinates; narrowed by the caller's filters."""
    narrowing: Document = {}
    key = "all"
    if region_id:
        narrowing["region_id"] = region_id
        key = f"region:{region_id}"
    if network_id:
        narrowing["network_id"] = network_id
        key = f"network:{network_id}"
    # One way for every state but draft: FerretDB pushes $ne down (one query per bucket, not
    # one per state).
    listed = status.value if status else {"$ne": EventStatus.DRAFT.value}
    ways = [] if status is EventStatus.DRAFT else [Way({**narrowing, "status": listed}, key)]
    # The region's drafts only: the way above lists its events in every other state.
    if (
        coordinated_region
        and region_id in (None, coordinated_region)
        and status in (None, EventStatus.DRAFT)
    ):
        own = {**narrowing, "region_id": coordinated_region, "status": EventStatus.DRAFT.value}
        ways.append(Way(own, key if key != "all" else f"region:{coordinated_region}"))
    return ways


def listing_timeline(network_id: str | None) -> Timeline:
    """The buckets ``listed_ways`` are read in: a network's few events in coarser ones."""
    return NETWORK_EVENT_TIMELINE if network_id else EVENT_TIMELINE


def roster_entry(registration: Registration, contact: Document) -> Document:
    """A registration's line in its event's roster: who, under the name given then."""
    return {
        "_id": registration.id,
        "event_id": registration.event_id,
        "municipality_id": registration.municipality_id,
        "participant_id": registration.participant_id,
        "name": contact.get("name"),
        "email": contact.get("email"),
    }


def of_kind(ways: list[Way], kind: str | None) -> list[Way]:
    """Only events of this kind (one more equality on each way)."""
    return ways if kind is None else [Way({**w.query, "kind": kind}, w.key) for w in ways]


def open_to(ways: list[Way], region_id: str | None, network_ids: set[str]) -> list[Way]:
    """Only the events a municipality's people may register for, as the eligibility endpoint
    tells it: its networks' events, and its region's region-wide events and events open to
    all. Each way becomes one equality way per case, listed under the narrowest key."""
    found: list[Way] = []
    for way in ways:
        query = way.query
        region = query.get("region_id", region_id)
        chosen = query.get("network_id")
        for network_id in sorted(network_ids):
            if chosen in (None, network_id):
                found.append(Way({**query, "network_id": network_id}, f"network:{network_id}"))
        if region_id is None or region != region_id:
            continue  # a municipality may register only for its own region's open events
        key = f"network:{chosen}" if chosen else f"region:{region_id}"
        found.append(Way({**query, "region_id": region_id, "open_to_all": True}, key))
        if chosen is None:
            found.append(Way({**query, "region_id": region_id, "network_id": None}, key))
    return found


@dataclass
class Stores:
    events: AggregateStore[Event]
    registrations: AggregateStore[Registration]
    seats: AsyncCollection[Document]
    """One document per taken seat, ``_id = <event id>:<seat no>``: the capacity rule."""
    participants: AsyncCollection[Document]
    """Names and e-mails (personal data), one document per pseudonymous participant id."""
    roster: AsyncCollection[Document]
    """The name and e-mail each registration was made with (personal data), one document per
    registration (``roster_entry``), written with the participant: an event's registration
    list reads its names with one ``event_id`` equality instead of a look-up per person."""
    memberships: AsyncCollection[Document]
    networks: AsyncCollection[Document]
    municipalities: AsyncCollection[Document]
    """Which region each municipality is in, from MunicipalityRegistered (one insert each)."""
    domain_lists: AsyncCollection[Document]
    """Every MunicipalityEmailDomainsChanged as a document of its own (``_id`` = the fact's
    event id): the newest per municipality is its list, so no fact rewrites another's."""
    assignments: AggregateStore[Assignment]
    groups: AggregateStore[Groups]
    erasures: AggregateStore[Erasure]
    anonymisations: AggregateStore[Anonymisation]
    """One per participant whose personal data the retention sweep removed."""
    completions: AsyncCollection[Document]
    """One document per (assignment, participant): ``_id = <assignment id>:<participant id>``."""
    evaluations: AsyncCollection[Document]
    """One per (event, participant): ``_id = <event id>:<participant id>``."""
    transfer: TransferStore
    sweep_marks: AsyncCollection[Document]
    """The time buckets the sweeps have finished (``samling_runtime.time_buckets``)."""

    def all(self) -> list[AggregateStore[Any]]:
        return [
            self.events,
            self.registrations,
            self.assignments,
            self.groups,
            self.erasures,
            self.anonymisations,
            *self.transfer.all(),
        ]

    # The named reads and writes the routes use, over the collections above (named once, in
    # open_stores): stateless views, made on each use.
    @property
    def registration_queries(self) -> RegistrationQueries:
        return RegistrationQueries(self.registrations, self.roster, self.participants)

    @property
    def network_views(self) -> NetworkViews:
        return NetworkViews(
            networks=self.networks,
            memberships=self.memberships,
            municipalities=self.municipalities,
            domain_lists=self.domain_lists,
        )

    @property
    def event_queries(self) -> EventQueries:
        return EventQueries(self.events)

    @property
    def follow_up(self) -> FollowUp:
        return FollowUp(self.assignments, self.completions, self.evaluations)

    _members: dict[str, tuple[float, bool]] = field(default_factory=dict)
    _domains: dict[str, tuple[float, frozenset[str]]] = field(default_factory=dict)

    async def email_domains(self, municipality_id: str) -> frozenset[str]:
        """The municipality's staff e-mail domains, from the newest list the network service
        published (cached a few seconds, like memberships)."""
        cached = self._domains.get(municipality_id)
        if cached and time.monotonic() - cached[0] < MEMBERSHIP_CACHE_SECONDS:
            return cached[1]
        newest = await self.domain_lists.find_one(
            {"municipality_id": municipality_id}, sort=[("as_of", -1), ("_id", -1)]
        )
        domains = frozenset((newest or {}).get("email_domains", []))
        self._domains[municipality_id] = (time.monotonic(), domains)
        return domains

    async def municipality_reach(self, municipality_id: str) -> tuple[str | None, set[str]]:
        """A municipality's region and the networks it is an active member of (the local
        read models of the network service's facts)."""
        region, members = await asyncio.gather(
            self.network_views.region_of(municipality_id),
            self.memberships.find(
                {"municipality_id": municipality_id, "active": True}, {"network_id": 1}
            ).to_list(),
        )
        return region, {doc["network_id"] for doc in members}

    async def is_member(self, network_id: str | None, municipality_id: str) -> bool:
        """From the local read model of the network service's facts (cached a few seconds)."""
        if network_id is None:
            return True  # region-wide events: every municipality of the region is a member
        key = membership_key(network_id, municipality_id)
        cached = self._members.get(key)
        if cached and time.monotonic() - cached[0] < MEMBERSHIP_CACHE_SECONDS:
            return cached[1]
        found = await self.memberships.find_one({"_id": key, "active": True})
        self._members[key] = (time.monotonic(), found is not None)
        return found is not None


async def open_stores(runtime: Runtime) -> Stores:
    db = runtime.mongo.db
    views = NetworkViews.of(db)
    stores = Stores(
        events=runtime.store(
            "events", Event, EVENT_TIMELINE, NETWORK_EVENT_TIMELINE, buckets=[EVENTS_BY_END]
        ),
        registrations=runtime.store("registrations", Registration),
        seats=db["seats"],
        participants=db["participants"],
        roster=db["roster"],
        memberships=views.memberships,
        networks=views.networks,
        municipalities=views.municipalities,
        domain_lists=views.domain_lists,
        assignments=runtime.store("assignments", Assignment),
        groups=runtime.store("groups", Groups),
        erasures=runtime.store("erasures", Erasure),
        anonymisations=runtime.store("anonymisations", Anonymisation),
        completions=db["assignment_completions"],
        evaluations=db["evaluations"],
        transfer=await open_transfer_store(runtime),
        sweep_marks=db[MARKS],
    )
    await stores.assignments.ensure_indexes(
        IndexModel([("event_id", ASCENDING)]),
        IndexModel([("due_announced", ASCENDING), ("due_at", ASCENDING)]),
    )
    await create_indexes_one_by_one(
        stores.memberships,
        [
            IndexModel([("municipality_id", ASCENDING), ("active", ASCENDING)]),
            IndexModel([("network_id", ASCENDING), ("active", ASCENDING)]),
        ],
    )
    await create_indexes_one_by_one(stores.municipalities, [IndexModel([("region_id", ASCENDING)])])
    await create_indexes_one_by_one(
        stores.domain_lists, [IndexModel([("municipality_id", ASCENDING), ("as_of", ASCENDING)])]
    )
    await stores.groups.ensure_indexes()
    await stores.erasures.ensure_indexes()
    await stores.anonymisations.ensure_indexes()
    await create_indexes_one_by_one(
        stores.completions, [IndexModel([("assignment_id", ASCENDING)])]
    )
    await create_indexes_one_by_one(stores.evaluations, [IndexModel([("event_id", ASCENDING)])])
    await stores.events.ensure_indexes(
        IndexModel([("region_id", ASCENDING), ("starts_at", ASCENDING)]),
        IndexModel([("network_id", ASCENDING), ("starts_at", ASCENDING)]),
        IndexModel([("status", ASCENDING), ("starts_at", ASCENDING)]),
        IndexModel([("series_id", ASCENDING)]),
        IndexModel([("venue", ASCENDING), ("starts_at", ASCENDING)]),  # the conflict check
        IndexModel([(EVENT_TIMELINE.bucket_field, ASCENDING), ("status", ASCENDING)]),
        IndexModel([("region_id", ASCENDING), (EVENT_TIMELINE.bucket_field, ASCENDING)]),
        IndexModel([("network_id", ASCENDING), (EVENT_TIMELINE.bucket_field, ASCENDING)]),
        IndexModel([("network_id", ASCENDING), (NETWORK_EVENT_TIMELINE.bucket_field, ASCENDING)]),
        # The public calendar's filter by kind of gathering (GET /events?kind=).
        IndexModel(
            [("region_id", ASCENDING), ("kind", ASCENDING), (EVENT_TIMELINE.bucket_field, 1)]
        ),
    )
    await stores.registrations.ensure_indexes(
        IndexModel(
            [
                ("event_id", ASCENDING),
                ("status", ASCENDING),
                ("arrived_at", ASCENDING),
                ("arrival_seq", ASCENDING),
            ]
        ),
        IndexModel([("participant_id", ASCENDING)]),
        IndexModel([("status", ASCENDING), ("offer_expires_at", ASCENDING)]),
        # A municipality's staff's registrations across events (its administrator's list).
        IndexModel([("municipality_id", ASCENDING), ("arrived_at", ASCENDING)]),
        # The seat repair's registrations that changed in an hour and hold no seat.
        IndexModel([(COPIES_BY_HOUR.bucket_field, ASCENDING), ("status", ASCENDING)]),
    )
    await create_indexes_one_by_one(
        stores.roster,
        [
            IndexModel([("event_id", ASCENDING), ("municipality_id", ASCENDING)]),
            IndexModel([("participant_id", ASCENDING)]),
        ],
    )
    await create_indexes_one_by_one(
        stores.seats,
        [
            IndexModel([("event_id", ASCENDING)]),
            IndexModel([("registration_id", ASCENDING)]),
            SEATS_BY_TAKEN.index(),
        ],
    )
    await create_indexes_one_by_one(stores.sweep_marks, [MARKS_INDEX])
    # Event copies written before they carried the day they end get it, once. Seats taken
    # before they carried their bucket do not: the sweep before this one read every seat, and
    # the repair of changed registrations finds old seats by their registration.
    await backfill(stores.events.current, EVENTS_BY_END, stores.sweep_marks)
    return stores
