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
    personal = [{f"events.data.{f}": {"$exists": True}} for f in ("email", "note")]
    for reg_id in registration_ids:
        # One indexed read per registration: an `aggregate_id: {$in: ...}` reads every
        # revision of every registration on FerretDB v1.
        cursor = stores.registrations.revisions.find({"aggregate_id": reg_id, "$or": personal})
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


async def anonymise_event(stores: Stores, event_id: str, now: datetime) -> int:
    """The registrations of an event that ended long enough ago lose their personal data;
    people with no other registration lose their name and e-mail, and other services are told.
    Returns how many registrations were anonymised (none once they all are)."""
    docs = await stores.registrations.current.find(
        {"event_id": event_id, "erased": False}, {"participant_id": 1}
    ).to_list()
    if not docs:
        return 0
    ids = [d["_id"] for d in docs]
    # An anonymised registration names nobody (``scrub``), so only registrations still in use
    # keep a person's name and e-mail.
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
    await stores.roster.delete_many({"event_id": event_id})
    for participant_id in leaving:
        await stores.participants.delete_one({"_id": participant_id})
    return len(docs)
