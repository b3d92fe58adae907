"""The events service's local read model of networks, memberships and municipalities, built
from facts.

Each membership is its own document keyed by (network, municipality), so facts about different
municipalities never write the same document; replaying a fact rewrites the same values.
Municipalities and their e-mail domains are only ever inserted: a redelivered fact hits its own
``_id`` again and changes nothing.
"""

import contextlib

from pymongo.errors import DuplicateKeyError
from samling_contracts import CloudEvent
from samling_contracts.network import (
    MunicipalityEmailDomainsChanged,
    MunicipalityJoinedNetwork,
    MunicipalityLeftNetwork,
    MunicipalityRegistered,
    NetworkArchived,
    NetworkCreated,
)
from samling_runtime.kafka import FactSubscriptions
from samling_runtime.service import RuntimeRef


def network_subscriptions(runtime: RuntimeRef) -> FactSubscriptions:
    subscriptions = FactSubscriptions()

    @subscriptions.on(NetworkCreated)
    async def network_created(fact: NetworkCreated, event: CloudEvent) -> None:
        await (
            runtime()
            .mongo.db["network_view"]
            .replace_one(
                {"_id": fact.network_id},
                {
                    "region_id": fact.region_id,
                    "name": fact.name,
                    "archived": False,
                    "coordinator_ids": fact.coordinator_ids,
                },
                upsert=True,
            )
        )

    @subscriptions.on(NetworkArchived)
    async def network_archived(fact: NetworkArchived, event: CloudEvent) -> None:
        await (
            runtime()
            .mongo.db["network_view"]
            .update_one({"_id": fact.network_id}, {"$set": {"archived": True}})
        )

    @subscriptions.on(MunicipalityJoinedNetwork, MunicipalityLeftNetwork)
    async def membership(
        fact: MunicipalityJoinedNetwork | MunicipalityLeftNetwork, event: CloudEvent
    ) -> None:
        await (
            runtime()
            .mongo.db["membership_view"]
            .replace_one(
                {"_id": f"{fact.network_id}:{fact.municipality_id}"},
                {
                    "network_id": fact.network_id,
                    "municipality_id": fact.municipality_id,
                    "active": isinstance(fact, MunicipalityJoinedNetwork),
                    "as_of": event.time,
                },
                upsert=True,
            )
        )

    @subscriptions.on(MunicipalityRegistered)
    async def municipality(fact: MunicipalityRegistered, event: CloudEvent) -> None:
        with contextlib.suppress(DuplicateKeyError):
            await (
                runtime()
                .mongo.db["municipality_view"]
                .insert_one({"_id": fact.municipality_id, "region_id": fact.region_id})
            )

    @subscriptions.on(MunicipalityEmailDomainsChanged)
    async def email_domains(fact: MunicipalityEmailDomainsChanged, event: CloudEvent) -> None:
        with contextlib.suppress(DuplicateKeyError):
            await (
                runtime()
                .mongo.db["municipality_email_domains"]
                .insert_one(
                    {
                        "_id": event.id,
                        "municipality_id": fact.municipality_id,
                        "email_domains": fact.email_domains,
                        "as_of": event.time,
                    }
                )
            )

    return subscriptions
