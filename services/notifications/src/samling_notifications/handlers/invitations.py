"""Late-comers: contact persons who arrive after an event was announced."""

from __future__ import annotations

from samling_notifications.adapters.store.notices import event_params
from samling_notifications.domain.audience import invitable
from samling_notifications.domain.notices import Kind, Recipient
from samling_notifications.handlers.context import Context


async def invite_late_comers(
    ctx: Context, recipients: list[Recipient], network_ids: list[str]
) -> int:
    """Contact persons who arrive after an event was announced (a municipality joining
    later, a new contact person, or facts on different topics consumed out of order) are
    invited to the network's upcoming events too. The announcement's own fact id is the
    source, so nobody is invited twice to one event."""
    if not recipients or not network_ids:
        return 0
    upcoming = await ctx.stores.event_views.upcoming_in(network_ids, ctx.clock.now())
    queued = 0
    for doc in invitable(upcoming):
        queued += await ctx.notify(
            Kind.EVENT_INVITATION,
            doc["scheduled_id"],
            recipients,
            {"event_id": doc["_id"]},
            await event_params(ctx.stores, doc["_id"]),
        )
    return queued
