"""Transfer plans in the store: plans and held marks as aggregates (their facts go through the
outbox), notes and consents as insert-only documents of their own (docs/store-rule.md).

Note text lives only here: in ``transfer_notes``, never in a fact, a revision's facts or any
other collection.
"""

from __future__ import annotations

import contextlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError
from samling_contracts.vocabulary import TransferConversation
from samling_runtime.mongo import Document
from samling_runtime.service import Runtime
from samling_runtime.store import AggregateStore, create_indexes_one_by_one

from samling_events.domain.events import Event
from samling_events.domain.transfer.notes import Note
from samling_events.domain.transfer.plans import (
    HeldMark,
    TransferPlan,
    held_id,
    plan_id_of,
    reschedule_plan,
)
from samling_events.domain.transfer.sharing import (
    WITHDRAWN,
    Audience,
    ConsentRecord,
    Party,
    Sharing,
    record_id,
    sharing,
)


@dataclass
class TransferStore:
    plans: AggregateStore[TransferPlan]
    """One per registration (``trp_<registration id>``); holds the manager's name and e-mail."""
    held: AggregateStore[HeldMark]
    """One per held conversation (``<plan id>:<conversation>``)."""
    notes: AsyncCollection[Document]
    """One document per note, never updated."""
    consents: AsyncCollection[Document]
    """One document per consent or withdrawal, ids from ``sharing.record_id``."""

    def all(self) -> list[AggregateStore[Any]]:
        return [self.plans, self.held]

    async def notes_of(self, plan_id: str) -> list[Note]:
        docs = await self.notes.find({"plan_id": plan_id}).to_list()
        notes = [Note.model_validate({**d, "id": d["_id"]}) for d in docs]
        return sorted(notes, key=lambda n: (n.at, n.id))

    async def add_note(self, note: Note) -> None:
        await self.notes.insert_one({"_id": note.id, **note.model_dump(exclude={"id"})})

    async def held_of(self, plan_id: str) -> dict[TransferConversation, HeldMark]:
        docs = await self.held.current.find({"plan_id": plan_id}).to_list()
        marks = [self.held.from_current(d) for d in docs]
        return {m.conversation: m for m in marks}

    async def consents_of(self, plan_id: str) -> list[ConsentRecord]:
        docs = await self.consents.find({"plan_id": plan_id}).to_list()
        return [_record(d) for d in docs]

    async def record(self, plan: TransferPlan, record: ConsentRecord, now: datetime) -> None:
        """Insert the record; one already there (a double click, a race) is the same record."""
        by = record.by.value if record.by else WITHDRAWN
        doc = {
            "_id": record_id(plan.id, record.conversation, record.audience, record.round, by),
            "plan_id": plan.id,
            "event_id": plan.event_id,
            "municipality_id": plan.municipality_id,
            "conversation": record.conversation.value,
            "audience": record.audience.value,
            "round": record.round,
            "by": by,
            "at": now,
        }
        with contextlib.suppress(DuplicateKeyError):
            await self.consents.insert_one(doc)

    async def shared_at_event(self, event_id: str, audience: Audience) -> list[tuple[str, Sharing]]:
        """(plan id, sharing) of every conversation at the event shared with the audience."""
        return await self._shared({"event_id": event_id}, audience)

    async def shared_by_municipality(
        self, municipality_id: str, audience: Audience
    ) -> list[tuple[str, Sharing]]:
        """(plan id, sharing) of every conversation of the municipality's people shared with
        the audience."""
        return await self._shared({"municipality_id": municipality_id}, audience)

    async def _shared(self, query: Document, audience: Audience) -> list[tuple[str, Sharing]]:
        """(plan id, sharing) of every conversation shared with the audience, among the
        consents the equality query selects."""
        by_plan: dict[str, list[ConsentRecord]] = defaultdict(list)
        for doc in await self.consents.find(query).to_list():
            by_plan[doc["plan_id"]].append(_record(doc))
        found = []
        for plan_id, records in sorted(by_plan.items()):
            for conversation in TransferConversation:
                state = sharing(records, conversation, audience)
                if state.shared:
                    found.append((plan_id, state))
        return found

    async def plans_per_municipality(self, event_id: str) -> Counter[str]:
        """How many transfer plans the event has, per municipality."""
        docs = self.plans.current.find({"event_id": event_id}, {"municipality_id": 1})
        return Counter([d["municipality_id"] async for d in docs])

    async def held_per_municipality(self, event_id: str) -> Counter[tuple[str, str]]:
        """How many conversations were held at the event, per (municipality, conversation)."""
        docs = self.held.current.find(
            {"event_id": event_id}, {"municipality_id": 1, "conversation": 1}
        )
        return Counter([(d["municipality_id"], d["conversation"]) async for d in docs])

    async def follow(self, event: Event, after: timedelta) -> None:
        """Move the event's plans with it (TransferPlanRescheduled for each that moved)."""
        docs = await self.plans.current.find({"event_id": event.id}, {"_id": 1}).to_list()
        for doc in docs:
            await self.plans.update(doc["_id"], lambda p: reschedule_plan(p, event, after))

    async def erase(self, registration_ids: list[str]) -> None:
        """The registrations' plans, notes, consents and held marks go, with their revisions
        (a plan's revisions hold the manager's name and e-mail): on erasure and when the
        registrations age out."""
        for plan_id in map(plan_id_of, registration_ids):
            await self.notes.delete_many({"plan_id": plan_id})
            await self.consents.delete_many({"plan_id": plan_id})
            await self.held.current.delete_many({"plan_id": plan_id})
            for conversation in TransferConversation:
                await self.held.revisions.delete_many(
                    {"aggregate_id": held_id(plan_id, conversation)}
                )
            await self.plans.revisions.delete_many({"aggregate_id": plan_id})
            await self.plans.current.delete_one({"_id": plan_id})


def _record(doc: Document) -> ConsentRecord:
    by = doc["by"]
    return ConsentRecord(
        conversation=TransferConversation(doc["conversation"]),
        audience=Audience(doc["audience"]),
        round=doc["round"],
        by=None if by == WITHDRAWN else Party(by),
    )


async def open_transfer_store(runtime: Runtime) -> TransferStore:
    db = runtime.mongo.db
    store = TransferStore(
        plans=runtime.store("transfer_plans", TransferPlan),
        held=runtime.store("transfer_held", HeldMark),
        notes=db["transfer_notes"],
        consents=db["transfer_consents"],
    )
    await store.plans.ensure_indexes(
        IndexModel([("event_id", ASCENDING)]), IndexModel([("participant_id", ASCENDING)])
    )
    await store.held.ensure_indexes(
        IndexModel([("event_id", ASCENDING)]), IndexModel([("plan_id", ASCENDING)])
    )
    await create_indexes_one_by_one(store.notes, [IndexModel([("plan_id", ASCENDING)])])
    await create_indexes_one_by_one(
        store.consents,
        [
            IndexModel([("plan_id", ASCENDING)]),
            IndexModel([("event_id", ASCENDING)]),
            IndexModel([("municipality_id", ASCENDING)]),
        ],
    )
    return store
