"""``samling.network.networks`` and ``samling.network.municipalities``: the local read model of
networks, memberships and municipalities that registration rules read (who is a member, which
region a municipality belongs to, its e-mail domains).

Municipalities and their e-mail domain lists are only ever inserted: a redelivered fact hits
its own ``_id`` again and changes nothing.
"""

from __future__ import annotations

import contextlib

from pymongo.errors import DuplicateKeyError
from samling_contracts import CloudEvent
from samling_contracts.network import (
    MunicipalityEmailDomainsChanged,
    MunicipalityRegistered,
    NetworkArchived,
    NetworkCreated,
)
from samling_runtime.membership_view import MembershipFact, record_membership

from samling_events.adapters.store.network_views import NetworkViews


async def network_created(views: NetworkViews, fact: NetworkCreated, event: CloudEvent) -> None:
    await views.networks.replace_one(
        {"_id": fact.network_id},
        {
            "region_id": fact.region_id,
            "name": fact.name,
            "archived": False,
            "coordinator_ids": fact.coordinator_ids,
        },
        upsert=True,
    )


async def network_archived(views: NetworkViews, fact: NetworkArchived, event: CloudEvent) -> None:
    await views.networks.update_one({"_id": fact.network_id}, {"$set": {"archived": True}})


async def membership(views: NetworkViews, fact: MembershipFact, event: CloudEvent) -> None:
    await record_membership(views.memberships, fact, event)


async def municipality(
    views: NetworkViews, fact: MunicipalityRegistered, event: CloudEvent
) -> None:
    with contextlib.suppress(DuplicateKeyError):
        await views.municipalities.insert_one(
            {"_id": fact.municipality_id, "region_id": fact.region_id}
        )


async def email_domains(
    views: NetworkViews, fact: MunicipalityEmailDomainsChanged, event: CloudEvent
) -> None:
    with contextlib.suppress(DuplicateKeyError):
        await views.domain_lists.insert_one(
            {
                "_id": event.id,
                "municipality_id": fact.municipality_id,
                "email_domains": fact.email_domains,
                "as_of": event.time,
            }
        )
