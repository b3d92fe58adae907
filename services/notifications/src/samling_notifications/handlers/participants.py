"""``samling.events.participants.restricted``: how to reach each participant."""

from __future__ import annotations

from pymongo import ReplaceOne
from samling_contracts import CloudEvent
from samling_contracts.events import ParticipantContactRecorded

from samling_notifications.handlers.context import Context


async def contact_recorded(
    ctx: Context, fact: ParticipantContactRecorded, event: CloudEvent
) -> None:
    stores = ctx.stores
    erased = await stores.recipients.find_one({"_id": fact.participant_id, "erased": True})
    if erased is not None:
        return  # a late copy of an address the person asked us to forget
    await stores.shared.recipients.write(
        ReplaceOne(
            {"_id": fact.participant_id},
            {
                "type": "participant",
                "name": fact.name,
                "email": fact.email,
                "language": str(fact.language),
                "manage_url": fact.manage_url,
                "active": True,
            },
            upsert=True,
        )
    )
    ctx.notices.facts_arrived(recipients={fact.participant_id})
