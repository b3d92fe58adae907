"""The registration desk over the in-memory store: the real Desks, use cases and rules, with
no server (the fast tier). Arrivals are made as the register route makes them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pymongo.asynchronous.collection import AsyncCollection
from samling_contracts.envelope import CloudEvent
from samling_contracts.facts import Fact
from samling_contracts.vocabulary import EventKind
from samling_devtools.memory_store import memory_aggregates, memory_database
from samling_events.adapters.store.seat_book import DeskStores
from samling_events.desk import Arrival, Desk, Desks
from samling_events.domain import registrations as rules
from samling_events.domain.events import Event, EventDetails, draft_event, publish
from samling_events.domain.registrations import Applicant, Registration, RegistrationStatus
from samling_events.use_cases import registration_changes
from samling_runtime.clock import ManualClock
from samling_runtime.mongo import Document
from samling_runtime.store import AggregateStore

START = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
NOW = START - timedelta(days=20)
SECRET = b"fast-tier"
BODO, SALTDAL, FAUSKE = "NO-1804", "NO-1840", "NO-1841"


@dataclass
class MemoryDeskStores:
    """What the desk reads and writes (``DeskStores``), in memory."""

    events: AggregateStore[Event]
    registrations: AggregateStore[Registration]
    seats: AsyncCollection[Document]
    participants: AsyncCollection[Document]
    roster: AsyncCollection[Document]


def _start(desk: Desk) -> asyncio.Task[None]:
    return asyncio.create_task(desk.run(), name=f"desk-{desk.event_id}")


class DeskWorld:
    def __init__(self, replicas: int = 1) -> None:
        self.clock = ManualClock(NOW)
        db = memory_database()
        self.db = db
        self.stores: DeskStores = MemoryDeskStores(
            events=memory_aggregates(db, "events", Event, self.clock.now),
            registrations=memory_aggregates(db, "registrations", Registration, self.clock.now),
            seats=db["seats"],
            participants=db["participants"],
            roster=db["roster"],
        )
        self.replicas = [Desks(self.stores, self.clock, _start) for _ in range(replicas)]
        """One ``Desks`` per process: several share the store as two replicas would."""
        self.desks = self.replicas[0]

    async def close(self) -> None:
        for desks in self.replicas:
            await desks.stop()

    async def event(self, **details: Any) -> Event:
        """A published event for Bodø's network, starting on START."""
        draft = await self.draft(**details)
        return (await self.stores.events.update(draft.id, publish)).state

    async def register(
        self,
        event: Event,
        name: str,
        *,
        municipality_id: str = BODO,
        member: bool = True,
        unverified: bool = False,
        replica: int = 0,
    ) -> tuple[Registration, int | None]:
        """Register ``name`` as the register route does; returns the registration and, when
        wait-listed, the place in line."""
        email = f"{name.lower()}@example.no"
        applicant = Applicant(name=name, email=email, municipality_id=municipality_id, role="Lærer")
        participant_id = rules.participant_id_for(email, SECRET)
        desks = self.replicas[replica]
        desk = await desks.desk(event.id)
        arrived_at, seq = desk.next_arrival()
        arrival = Arrival(
            registration=Registration(
                id=rules.registration_id_for(event.id, participant_id),
                event_id=event.id,
                participant_id=participant_id,
                municipality_id=municipality_id,
                role="Lærer",
                member=member,
                unverified_claim=unverified,
                status=RegistrationStatus.WAITLISTED,
                arrived_at=arrived_at,
                arrival_seq=seq,
            ),
            contact={"_id": participant_id, "name": name, "email": email},
            contact_fact=rules.contact_fact(participant_id, applicant, "https://samling/manage"),
        )
        return await desks.register(desk, arrival), arrival.position

    async def draft(self, **details: Any) -> Event:
        """A draft event for Bodø's network, starting on START."""
        details.setdefault("capacity", 2)
        details.setdefault("venue", "Bodø")
        change = draft_event(
            f"evt_{len(await self.stores.events.current.find({}).to_list()) + 1}",
            region_id="rkk-salten",
            network_id="net_lesing",
            kind=EventKind.WORKSHOP,
            starts_at=START,
            ends_at=START + timedelta(hours=6),
            timezone="Europe/Oslo",
            details=EventDetails(title="Verksted", **details),
            created_by="koordinator",
        )
        return (await self.stores.events.create(change.state.id, change)).state

    async def current(self, reg: Registration) -> Registration:
        return (await self.stores.registrations.require(reg.id)).state

    async def facts(self, store: AggregateStore[Any], aggregate_id: str) -> list[Fact]:
        """Every fact the aggregate's changes recorded for the outbox, oldest first."""
        revisions = await store.revisions.find(
            {"aggregate_id": aggregate_id}, sort=[("version", 1)]
        ).to_list()
        return [CloudEvent.model_validate(e).fact() for r in revisions for e in r["events"]]

    async def statuses(self, *regs: Registration) -> list[RegistrationStatus]:
        return [(await self.current(r)).status for r in regs]

    async def seats(self, event: Event) -> dict[int, str]:
        docs = await self.stores.seats.find({"event_id": event.id}).to_list()
        return {d["seat_no"]: d["registration_id"] for d in docs}

    async def cancel(
        self, event: Event, reg: Registration, by: Literal["participant", "organiser"]
    ) -> Registration:
        return await registration_changes.cancel(
            self.stores.registrations,
            self.desks,
            self.clock.now(),
            event,
            await self.current(reg),
            by,
        )

    async def accept(self, event: Event, reg: Registration) -> Registration:
        return await registration_changes.accept_offer(
            self.stores.registrations, self.clock.now(), event, await self.current(reg)
        )

    async def expire(self, reg: Registration) -> None:
        """What the sweeper does with an offer whose time ran out."""
        await registration_changes.expire_offer(
            self.stores.registrations, self.desks, await self.current(reg), self.clock.now()
        )
