"""Replaced contact persons leave the store: a step of the runtime's retention sweep.

A municipality's revisions keep its history, and each revision that changed the contacts also
holds the ``ContactPersonsChanged`` fact it published, with names and e-mails. Once a newer
list has replaced a revision's contacts for the retention period, the revision's contacts and
its facts' copies are emptied (``Municipalities.scrub_superseded_contacts``). The latest
revision always keeps its contacts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from samling_runtime.sweep import Step

from samling_network.adapters.store.municipalities import Municipalities


def contacts_retention_step(municipalities: Municipalities, retention: timedelta) -> Step:
    async def step(now: datetime) -> None:
        await municipalities.scrub_superseded_contacts(now - retention)

    return step
