"""Who a fact concerns, from the read models: members' contact persons and subscribers (an
event's participants: :meth:`RegistrationViews.participants
<samling_notifications.adapters.store.registration_views.RegistrationViews.participants>`)."""

from __future__ import annotations

from collections.abc import Iterable

from samling_notifications.adapters.store.stores import Stores
from samling_notifications.domain.notices import Recipient, RecipientType

MUNICIPALITY = "municipality"
"""Subscriber type: a municipality, i.e. its current contact persons."""


async def contacts_of(stores: Stores, municipality_ids: Iterable[str]) -> list[Recipient]:
    ids = list(set(municipality_ids))
    if not ids:
        return []
    found: list[Recipient] = []
    async for doc in stores.contact_lists.find({"_id": {"$in": ids}}):
        if "contacts" in doc:  # name, address and language at hand: nothing more to read
            found.extend(
                Recipient(type=RecipientType.CONTACT, **contact) for contact in doc["contacts"]
            )
        else:
            found.extend(
                Recipient(id=contact_id, type=RecipientType.CONTACT)
                for contact_id in doc["contact_ids"]
            )
    return found


async def member_contacts(stores: Stores, network_id: str | None) -> list[Recipient]:
    if network_id is None:
        return []
    cursor = stores.memberships.find({"network_id": network_id, "active": True})
    return await contacts_of(stores, [doc["municipality_id"] async for doc in cursor])


async def subscribers(stores: Stores, target: str, values: Iterable[str]) -> list[Recipient]:
    wanted = [v for v in set(values) if v]
    if not wanted:
        return []
    people: list[Recipient] = []
    municipalities: list[str] = []
    async for doc in stores.subscriptions.find({"target": target, "value": {"$in": wanted}}):
        if doc["subscriber_type"] == MUNICIPALITY:
            municipalities.append(doc["subscriber_id"])
        else:
            people.append(
                Recipient(id=doc["subscriber_id"], type=RecipientType(doc["subscriber_type"]))
            )
    return people + await contacts_of(stores, municipalities)
