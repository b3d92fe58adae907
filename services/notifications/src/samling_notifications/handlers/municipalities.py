"""``samling.network.municipalities``: which region each municipality is in."""

from __future__ import annotations

from samling_contracts import CloudEvent
from samling_contracts.network import MunicipalityRegistered

from samling_notifications.handlers.context import Context


async def registered(ctx: Context, fact: MunicipalityRegistered, event: CloudEvent) -> None:
    """What a municipality's admins may read depends on its region."""
    await ctx.stores.network_views.record_region(fact.municipality_id, fact.region_id)
