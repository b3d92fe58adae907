"""``samling.network.networks`` and ``samling.network.municipalities``: the local read model of
networks, memberships and municipalities that registration rules read (who is a member, which
region a municipality belongs to, its e-mail domains). How each is kept (insert-only where a
redelivery must change nothing) is :class:`NetworkViews`' business.
"""

from __future__ import annotations

from samling_contracts import CloudEvent
from samling_contracts.network import (
    MunicipalityEmailDomainsChanged,
    MunicipalityRegistered,
    NetworkArchived,
    NetworkCreated,
)
from samling_runtime.membership_view import MembershipFact

from samling_events.adapters.store.network_views import NetworkViews


async def network_created(views: NetworkViews, fact: NetworkCreated, event: CloudEvent) -> None:
    await views.record_network(fact)


async def network_archived(views: NetworkViews, fact: NetworkArchived, event: CloudEvent) -> None:
    await views.archive_network(fact.network_id)


async def membership(views: NetworkViews, fact: MembershipFact, event: CloudEvent) -> None:
    await views.record_membership(fact, event)


async def municipality(
    views: NetworkViews, fact: MunicipalityRegistered, event: CloudEvent
) -> None:
    await views.register_municipality(fact.municipality_id, fact.region_id)


async def email_domains(
    views: NetworkViews, fact: MunicipalityEmailDomainsChanged, event: CloudEvent
) -> None:
    await views.record_email_domains(event.id, fact.municipality_id, fact.email_domains, event.time)
