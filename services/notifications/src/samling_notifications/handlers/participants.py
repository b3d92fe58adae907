"""``samling.events.participants.restricted``: how to reach each participant."""

from __future__ import annotations

from samling_contracts import CloudEvent
from samling_contracts.events import ParticipantContactRecorded

from samling_notifications.handlers.context import Context


async def contact_recorded(
    ctx: Context, fact: ParticipantContactRecorded, event: CloudEvent
) -> None:
    people = ctx.stores.people
    if await people.erased(fact.participant_id):
        return  # a late copy of an address the person asked us to forget
    await people.reach_participant(fact)
    ctx.notices.facts_arrived(recipients={fact.participant_id})
