"""Who may read which reports: a reader's scope, decided from the token and the memberships.

The store turns a scope into a query filter, so visibility is enforced by the query itself
(a report the reader may not see is simply not found: 404, never 403).
"""

from dataclasses import dataclass, field


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


def author_scope(
    municipality_id: str, region_id: str | None, network_ids: frozenset[str]
) -> ReaderScope:
    """A municipality's administrator: everything of their own municipality, the region's
    shared reports, and those shared with the networks it is a member of now."""
    return ReaderScope(
        own_municipality=municipality_id, region_id=region_id, network_ids=network_ids
    )


def region_scope(region_id: str | None) -> ReaderScope:
    """A region's coordinator, or the recipient of a reader link of the region: every report
    shared with the region or with any of its networks, never anyone's drafts."""
    return ReaderScope(region_id=region_id, all_networks_of_region=True)
