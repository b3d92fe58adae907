"""Late-comers: contact persons who arrive after an event was announced."""

from __future__ import annotations

from samling_runtime.mongo import find_each

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
    now = ctx.clock.now()
    upcoming = await find_each(
        ctx.stores.events, [{"network_id": n, "starts_at": {"$gt": now}} for n in network_ids]
    )
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
