"""``samling.network.contacts.restricted``: municipalities' contact persons, with addresses."""

from __future__ import annotations

from samling_contracts import CloudEvent
from samling_contracts.network import ContactPersonsChanged

from samling_notifications.domain.notices import Recipient, RecipientType
from samling_notifications.handlers.context import Context
from samling_notifications.handlers.invitations import invite_late_comers


async def changed(ctx: Context, fact: ContactPersonsChanged, event: CloudEvent) -> None:
    stores = ctx.stores
    listed = [
        Recipient(
            id=c.contact_id,
            type=RecipientType.CONTACT,
            name=c.name,
            email=c.email,
            language=str(c.language),
        )
        for c in fact.contacts
    ]
    # Those no longer listed stop being contact persons.
    before = await stores.contact_persons.replace(fact.municipality_id, listed)
    ctx.notices.facts_arrived(recipients={r.id for r in listed})
    # New ones are invited to what their municipality's networks have coming.
    added = [r for r in listed if r.id not in before]
    if added:
        networks = await stores.network_views.networks_of(fact.municipality_id)
        await invite_late_comers(ctx, added, networks)
