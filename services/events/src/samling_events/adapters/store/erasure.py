"""Erasure and anonymisation: personal data leaves the store, the counts stay."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from samling_runtime.store import AlreadyExists

from samling_events.adapters.store.stores import Stores
from samling_events.domain.participants import ANONYMOUS, anonymise, erase, scrub

PERSONAL_FIELDS = ("name", "email", "note")  # note: RegistrationDecisionNoted


def _scrub_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for event in events:
        data = event.get("data") or {}
        for field in PERSONAL_FIELDS:
            if field in data:
                data[field] = ANONYMOUS
    return events


async def anonymise_registrations(stores: Stores, registration_ids: list[str]) -> None:
    """Scrub the registrations and the contact facts kept in their revisions; their transfer
    plans and the notes in them go."""
    await stores.transfer.erase(registration_ids)
    for reg_id in registration_ids:
        await stores.registrations.update(reg_id, scrub)
    cursor = stores.registrations.revisions.find(
        {
            "aggregate_id": {"$in": registration_ids},
            "$or": [{f"events.data.{f}": {"$exists": True}} for f in ("email", "note")],
        }
    )
    async for revision in cursor:
        await stores.registrations.revisions.update_one(
            {"_id": revision["_id"]}, {"$set": {"events": _scrub_events(revision["events"])}}
        )


async def erase_participant(stores: Stores, participant_id: str, now: datetime) -> None:
    ids = await stores.registrations.current.distinct("_id", {"participant_id": participant_id})
    await anonymise_registrations(stores, ids)
    await stores.roster.delete_many({"participant_id": participant_id})
    await stores.participants.delete_one({"_id": participant_id})
    with contextlib.suppress(AlreadyExists):  # erased before: the fact went out then
        await stores.erasures.create(participant_id, erase(participant_id, now))


async def anonymise_old_events(stores: Stores, before: datetime, now: datetime) -> int:
    """Registrations of events that ended before ``before`` lose their personal data; people
    with no other registration lose their name and e-mail, and other services are told."""
    event_ids = await stores.events.current.distinct("_id", {"ends_at": {"$lt": before}})
    if not event_ids:
        return 0
    docs = await stores.registrations.current.find(
        {"event_id": {"$in": event_ids}, "erased": False}, {"participant_id": 1, "event_id": 1}
    ).to_list()
    if not docs:
        return 0
    ids = [d["_id"] for d in docs]
    leaving = [
        participant_id
        for participant_id in {d["participant_id"] for d in docs}
        if await stores.registrations.current.find_one(
            {"participant_id": participant_id, "_id": {"$nin": ids}}
        )
        is None
    ]
    # The fact is recorded before the data goes: a sweep that stops half-way finds these
    # registrations again next time, and the unique participant id keeps it to one fact.
    for participant_id in leaving:
        with contextlib.suppress(AlreadyExists):  # another replica's sweep, or an earlier one
            await stores.anonymisations.create(participant_id, anonymise(participant_id, now))
    await anonymise_registrations(stores, ids)
    for event_id in {d["event_id"] for d in docs}:
        await stores.roster.delete_many({"event_id": event_id})
    for participant_id in leaving:
        await stores.participants.delete_one({"_id": participant_id})
    return len(docs)
