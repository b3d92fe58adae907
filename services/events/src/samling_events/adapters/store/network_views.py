"""The events service's local read model of the network service's facts: its collections,
named once (the handlers in :mod:`samling_events.handlers` write them, :class:`Stores` reads)."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from samling_runtime.mongo import Document


@dataclass(frozen=True)
class NetworkViews:
    networks: AsyncCollection[Document]
    """Per network: region, name, archived, coordinators."""
    memberships: AsyncCollection[Document]
    """Per (network, municipality): the latest membership fact (samling_runtime.membership_view)."""
    municipalities: AsyncCollection[Document]
    """Per municipality: its region (insert-only)."""
    domain_lists: AsyncCollection[Document]
    """Each e-mail domain list a municipality declared, one document per fact (insert-only)."""

    @classmethod
    def of(cls, db: AsyncDatabase[Document]) -> NetworkViews:
        return cls(
            networks=db["network_view"],
            memberships=db["membership_view"],
            municipalities=db["municipality_view"],
            domain_lists=db["municipality_email_domains"],
        )
