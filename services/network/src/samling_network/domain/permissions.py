"""Who may change what (the README's "Who may do what"): a municipality's own administrators
and the coordinators of its region share the care of its memberships and contacts; a report is
its author municipality's, and the region's coordinators may moderate it.

Reading is decided by the reader's scope (:mod:`samling_network.domain.access`), not here.
"""

from typing import Protocol

from samling_network.domain.municipalities import Municipality
from samling_network.domain.reports import Report


class Caller(Protocol):
    """What the rules need to know of whoever asks (the token's principal is one)."""

    def is_coordinator_of(self, region_id: str | None) -> bool: ...

    def is_admin_of(self, municipality_id: str | None) -> bool: ...


def manages_membership(caller: Caller, region_id: str, municipality_id: str) -> bool:
    """Joining and leaving: the municipality's administrators or the region's coordinators."""
    return caller.is_coordinator_of(region_id) or caller.is_admin_of(municipality_id)


def manages_municipality(caller: Caller, municipality: Municipality) -> bool:
    """Seeing and replacing contact persons and e-mail domains."""
    return manages_membership(caller, municipality.region_id, municipality.id)


def writes_report(caller: Caller, report: Report) -> bool:
    """The author municipality's administrators: content, publishing, widening."""
    return caller.is_admin_of(report.municipality_id)


def moderates_report(caller: Caller, report: Report) -> bool:
    """Editing (a coordinator only narrows, ``reports.edit`` decides) and withdrawing: the
    author municipality or a coordinator of its region."""
    return writes_report(caller, report) or caller.is_coordinator_of(report.region_id)
