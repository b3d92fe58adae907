"""The membership read model every consumer of the network facts keeps, written one way.

One document per (network, municipality), ``_id = "<network>:<municipality>"``, holding the
latest fact about it: joined (``active``) or left. Facts about different municipalities never
write the same document, and replaying a fact rewrites the same values. The facts of one
network share its partition key and the network service's relay sends them in the order they
were recorded, so "left" then "joined again" arrives in that order (see
:mod:`samling_runtime.outbox`).
"""

from __future__ import annotations

from pymongo.asynchronous.collection import AsyncCollection
from samling_contracts import CloudEvent
from samling_contracts.network import MunicipalityJoinedNetwork, MunicipalityLeftNetwork

from samling_runtime.mongo import Document

MembershipFact = MunicipalityJoinedNetwork | MunicipalityLeftNetwork


def membership_key(network_id: str, municipality_id: str) -> str:
    return f"{network_id}:{municipality_id}"


async def record_membership(
    view: AsyncCollection[Document], fact: MembershipFact, event: CloudEvent
) -> None:
    await view.replace_one(
        {"_id": membership_key(fact.network_id, fact.municipality_id)},
        {
            "network_id": fact.network_id,
            "municipality_id": fact.municipality_id,
            "active": isinstance(fact, MunicipalityJoinedNetwork),
            "as_of": event.time,
        },
        upsert=True,
    )
