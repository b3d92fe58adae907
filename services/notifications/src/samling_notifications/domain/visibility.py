"""Which facts a webhook endpoint receives: what its owner may read through the API. Pure.

The rules follow the services that own the data. Networks, memberships, announcements and
published events are readable by every signed-in caller. Reports follow the network service's
reader scope (``samling_network.domain.access``): public ones for everyone; the author
municipality's own always; region-only ones for the municipalities of that region;
network-only ones for the members of one of its networks. Registrations and attendance are
readable by the admin of the participant's municipality (and coordinators, who own no
endpoints). A system client reads no registration through the API, so it is sent none, and
no report but public ones. Anything not listed here is sent to nobody: a new fact type is
private until someone decides otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from samling_contracts import Fact
from samling_contracts.events import (
    AssignmentAssigned,
    AssignmentDue,
    AttendanceRecorded,
    EventCancelled,
    EventCompleted,
    EventRescheduled,
    EventScheduled,
    EventUpdated,
    ParticipantAnonymised,
    ParticipantErased,
    RegistrationApproved,
    RegistrationAwaitingApproval,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationDeclined,
    RegistrationPromoted,
    RegistrationWaitlisted,
)
from samling_contracts.network import (
    AnnouncementPosted,
    CoordinatorAssigned,
    MunicipalityJoinedNetwork,
    MunicipalityLeftNetwork,
    MunicipalityRegistered,
    NetworkArchived,
    NetworkCreated,
    NetworkUpdated,
    PartnerInvited,
    ReportPublished,
    ReportRevised,
    ReportWithdrawn,
)
from samling_contracts.vocabulary import Visibility

FOR_EVERYONE: tuple[type[Fact], ...] = (
    NetworkCreated,
    NetworkUpdated,
    NetworkArchived,
    MunicipalityJoinedNetwork,
    MunicipalityLeftNetwork,
    CoordinatorAssigned,
    PartnerInvited,
    AnnouncementPosted,
    MunicipalityRegistered,
    EventScheduled,  # published events only: drafts publish no fact
    EventUpdated,
    EventRescheduled,
    EventCancelled,
    EventCompleted,
)

AboutARegistration = (
    RegistrationConfirmed
    | RegistrationWaitlisted
    | RegistrationPromoted
    | RegistrationCancelled
    | RegistrationAwaitingApproval
    | RegistrationApproved
    | RegistrationDeclined
    | AttendanceRecorded
)

FOR_THOSE_TAKING_PART: tuple[type[Fact], ...] = (
    AssignmentAssigned,  # given to every unit taking part in the event
    AssignmentDue,
    ParticipantErased,  # to forget a participant one knew through a registration
    ParticipantAnonymised,
)


@dataclass(frozen=True)
class EndpointOwner:
    """An endpoint's owner, with what this service knows of it from the network facts."""

    municipality_id: str | None = None
    """The municipality whose admins own it; None for a system client."""
    region_id: str | None = None
    network_ids: frozenset[str] = field(default_factory=frozenset)
    """Networks the municipality is an active member of."""


@dataclass(frozen=True)
class ReportScope:
    """Who may read a report: as the network service decides it from these fields."""

    municipality_id: str
    region_id: str | None
    network_ids: frozenset[str]
    visibility: Visibility

    @classmethod
    def of(cls, fact: ReportPublished | ReportRevised) -> ReportScope:
        return cls(
            fact.municipality_id, fact.region_id, frozenset(fact.network_ids), fact.visibility
        )


def may_read_report(owner: EndpointOwner, report: ReportScope) -> bool:
    if owner.municipality_id is not None and owner.municipality_id == report.municipality_id:
        return True
    if report.visibility is Visibility.PUBLIC:
        return True
    if report.visibility is Visibility.REGION:
        return owner.region_id is not None and owner.region_id == report.region_id
    if report.visibility is Visibility.NETWORK:
        return bool(owner.network_ids & report.network_ids)
    return False


def may_receive(
    owner: EndpointOwner,
    fact: Fact,
    *,
    report: ReportScope | None = None,
    taking_part: frozenset[str] = frozenset(),
) -> bool:
    """Whether ``owner``'s endpoint is sent ``fact``.

    ``report``: for a withdrawal, the report as last published (a withdrawn report is no
    longer readable, but those who could read it must learn it is gone); unknown, only its
    author hears. ``taking_part``: the municipalities with registrations for the event
    (assignments) or through which the participant registered (erasure)."""
    if isinstance(fact, FOR_EVERYONE):
        return True
    if isinstance(fact, ReportPublished | ReportRevised):
        return may_read_report(owner, ReportScope.of(fact))
    if isinstance(fact, ReportWithdrawn):
        scope = report or ReportScope(fact.municipality_id, None, frozenset(), Visibility.PRIVATE)
        return may_read_report(owner, scope)
    municipality = owner.municipality_id
    if isinstance(fact, AboutARegistration):
        return municipality is not None and municipality == fact.municipality_id
    if isinstance(fact, FOR_THOSE_TAKING_PART):
        return municipality is not None and municipality in taking_part
    return False
