"""``samling.network.networks``: network names, memberships and announcements."""

from __future__ import annotations

from samling_contracts import CloudEvent
from samling_contracts.network import (
    AnnouncementPosted,
    MunicipalityJoinedNetwork,
    MunicipalityLeftNetwork,
    NetworkCreated,
    NetworkUpdated,
)

from samling_notifications.adapters.store import audience
from samling_notifications.domain.audience import union
from samling_notifications.domain.notices import Kind
from samling_notifications.handlers.context import Context
from samling_notifications.handlers.invitations import invite_late_comers


async def named(ctx: Context, fact: NetworkCreated | NetworkUpdated, event: CloudEvent) -> None:
    await ctx.stores.network_views.name_network(fact.network_id, fact.name)


async def membership(
    ctx: Context, fact: MunicipalityJoinedNetwork | MunicipalityLeftNetwork, event: CloudEvent
) -> None:
    stores = ctx.stores
    await stores.network_views.record_membership(fact, event)
    if isinstance(fact, MunicipalityJoinedNetwork):
        contacts = await audience.contacts_of(stores, [fact.municipality_id])
        await invite_late_comers(ctx, contacts, [fact.network_id])


async def announcement(ctx: Context, fact: AnnouncementPosted, event: CloudEvent) -> None:
    stores = ctx.stores
    recipients = union(
        await audience.member_contacts(stores, fact.network_id),
        await audience.subscribers(stores, "network", [fact.network_id]),
    )
    await ctx.notify(
        Kind.ANNOUNCEMENT,
        event.id,
        recipients,
        {"network_id": fact.network_id, "announcement_id": fact.announcement_id},
        {
            "headline": fact.title,
            "text": fact.body,
            "network": await stores.network_views.network_name(fact.network_id),
        },
    )
