"""Replaced contact persons leave the store: a step of the runtime's retention sweep.

A municipality's revisions keep its history, and each revision that changed the contacts also
holds the ``ContactPersonsChanged`` fact it published, with names and e-mails. Once a newer
list has replaced a revision's contacts for the retention period, the revision's contacts and
its facts' copies are emptied. The latest revision always keeps its contacts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from samling_runtime.mongo import Document
from samling_runtime.sweep import Step

from samling_network.adapters.store.stores import Stores


def _without_contacts(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**e, "data": {**e["data"], "contacts": []}} if "contacts" in (e.get("data") or {}) else e
        for e in events
    ]


def _holds_contacts(revision: Document) -> bool:
    return bool(revision["state"].get("contacts")) or any(
        (e.get("data") or {}).get("contacts") for e in revision.get("events", [])
    )


async def scrub_superseded_contacts(stores: Stores, before: datetime) -> int:
    """Empty the contacts of revisions replaced before ``before``; returns how many."""
    scrubbed = 0
    for revision in await stores.municipalities.superseded(before):
        if not _holds_contacts(revision):
            continue  # scrubbed by an earlier sweep: FerretDB updates are slow, skip them
        await stores.municipalities.revisions.update_one(
            {"_id": revision["_id"]},
            {"$set": {"state.contacts": [], "events": _without_contacts(revision["events"])}},
        )
        scrubbed += 1
    return scrubbed


def contacts_retention_step(stores: Stores, retention: timedelta) -> Step:
    async def step(now: datetime) -> None:
        await scrub_superseded_contacts(stores, now - retention)

    return step
