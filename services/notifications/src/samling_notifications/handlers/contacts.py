"""``samling.network.contacts.restricted``: municipalities' contact persons, with addresses."""

from __future__ import annotations

from pymongo import ReplaceOne
from samling_contracts import CloudEvent
from samling_contracts.network import ContactPersonsChanged
from samling_runtime.mongo import insert_new

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
    ids = {r.id for r in listed}
    docs = [{**r.details(), "municipality_id": fact.municipality_id} for r in listed]
    # New contact persons are one bulk insert; those known already are replaced.
    known = await insert_new(stores.recipients, docs)
    if known:
        await stores.recipients.bulk_write(
            [ReplaceOne({"_id": docs[i]["_id"]}, docs[i], upsert=True) for i in known],
            ordered=False,
        )
    # Those no longer listed stop being contact persons (and lose their address here).
    # The previous list is one document per municipality (read by _id: cheap on FerretDB,
    # which would scan every recipient for a filter on municipality_id).
    previous = await stores.contact_lists.find_one({"_id": fact.municipality_id})
    before = set(previous["contact_ids"]) if previous else set()
    removed = sorted(before - ids)
    if removed:
        await stores.recipients.update_many(
            {"_id": {"$in": removed}},
            {"$set": {"active": False, "email": None, "name": None}},
        )
    await stores.contact_lists.replace_one(
        {"_id": fact.municipality_id},
        {
            "contact_ids": sorted(ids),
            "contacts": [r.model_dump(include={"id", "name", "email", "language"}) for r in listed],
        },
        upsert=True,
    )
    ctx.notices.facts_arrived(recipients=ids)
    added = [r for r in listed if r.id not in before]
    if added:
        memberships = stores.memberships.find(
            {"municipality_id": fact.municipality_id, "active": True}
        )
        networks = [doc["network_id"] async for doc in memberships]
        await invite_late_comers(ctx, added, networks)
