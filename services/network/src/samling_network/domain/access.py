"""Who may read which reports: a reader's scope, decided from the token and the memberships.

The store turns a scope into a query filter, so visibility is enforced by the query itself
(a report the reader may not see is simply not found: 404, never 403).
"""

from dataclasses import dataclass, field

from samling_contracts.vocabulary import Visibility


@dataclass(frozen=True)
class ReaderScope:
    """What one caller may read besides public reports."""

    own_municipality: str | None = None
    """Author municipality: sees all its own reports, drafts and withdrawn ones too."""
    region_id: str | None = None
    """Region whose region-wide reports the caller sees."""
    network_ids: frozenset[str] = field(default_factory=frozenset)
    """Networks whose network-wide reports the caller sees (active memberships)."""
    all_networks_of_region: bool = False
    """Coordinators see the network-wide reports of every network in their region."""


def can_read(
    scope: ReaderScope,
    *,
    municipality_id: str,
    region_id: str,
    visibility: Visibility,
    network_ids: list[str],
    published: bool,
) -> bool:
    """The same rule as the store's filter, for one report (used by tests and the history)."""
    if scope.own_municipality == municipality_id:
        return True
    if not published:
        return False
    if visibility is Visibility.PUBLIC:
        return True
    if visibility is Visibility.REGION:
        return scope.region_id == region_id
    if visibility is Visibility.NETWORK:
        if scope.all_networks_of_region and scope.region_id == region_id:
            return True
        return bool(scope.network_ids & set(network_ids))
    return False
