"""Facts published by the events service."""

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from samling_contracts.facts import PERSONAL, Fact, fact
from samling_contracts.topics import EVENTS, PARTICIPANTS_RESTRICTED, REGISTRATIONS
from samling_contracts.vocabulary import AssignmentPhase, EventKind, Language, MunicipalityId

EventId = Annotated[str, Field(description="Event id.", examples=["evt_01JD3A2B"])]
RegistrationId = Annotated[str, Field(description="Registration id.", examples=["reg_01JD3A9Z"])]
ParticipantId = Annotated[
    str,
    Field(
        description="Pseudonymous participant id; the name and e-mail stay in the events "
        "service (and on the restricted participants topic).",
        examples=["par_7f3c9a"],
    ),
]
Sequence = Annotated[int, Field(description="iCalendar SEQUENCE after this change.", examples=[0])]
TimeZone = Annotated[
    Literal["Europe/Oslo", "Europe/Stockholm", "Europe/Copenhagen"],
    Field(description="Time zone the event is planned in.", examples=["Europe/Oslo"]),
]


@fact("no.samling.events.event.scheduled.v1", topic=EVENTS, key="event_id")
class EventScheduled(Fact):
    """An event was published and is open for registration."""

    event_id: EventId
    network_id: str | None = Field(
        description="Owning network; null for region-wide events.", examples=["net_1"]
    )
    region_id: str = Field(description="Region id.", examples=["rkk-salten"])
    kind: EventKind = Field(description="Kind of event.", examples=["dialogue_conference"])
    title: str = Field(description="Title.", examples=["Dialogkonferanse: Lesing i alle fag"])
    starts_at: AwareDatetime = Field(description="Start.", examples=["2027-02-10T09:00:00+01:00"])
    ends_at: AwareDatetime = Field(description="End.", examples=["2027-02-10T15:00:00+01:00"])
    timezone: TimeZone
    venue: str | None = Field(None, description="Venue address.", examples=["Bodø rådhus"])
    online_url: str | None = Field(None, description="Online link.", examples=[None])
    capacity: int = Field(description="Seats in total.", examples=[60])
    open_to_all: bool = Field(
        False, description="Non-member municipalities may register too.", examples=[False]
    )
    reminder_minutes_before: int = Field(
        1440, description="When participants are reminded.", examples=[1440]
    )
    sequence: Sequence


@fact("no.samling.events.event.updated.v1", topic=EVENTS, key="event_id")
class EventUpdated(Fact):
    event_id: EventId
    title: str = Field(description="Title.", examples=["Dialogkonferanse: Lesing i alle fag"])
    venue: str | None = Field(None, description="Venue address.", examples=["Fauske hotell"])
    online_url: str | None = Field(None, description="Online link.", examples=[None])
    capacity: int = Field(description="Seats in total.", examples=[80])
    reminder_minutes_before: int = Field(
        1440, description="When participants are reminded.", examples=[1440]
    )
    sequence: Sequence


@fact("no.samling.events.event.rescheduled.v1", topic=EVENTS, key="event_id")
class EventRescheduled(Fact):
    """The event moved; registrations are kept."""

    event_id: EventId
    starts_at: AwareDatetime = Field(
        description="New start.", examples=["2027-02-17T09:00:00+01:00"]
    )
    ends_at: AwareDatetime = Field(description="New end.", examples=["2027-02-17T15:00:00+01:00"])
    previous_starts_at: AwareDatetime = Field(
        description="Start before the change.", examples=["2027-02-10T09:00:00+01:00"]
    )
    timezone: TimeZone
    sequence: Sequence
    message: str | None = Field(
        None,
        description="What the organiser tells those registered, in their words.",
        examples=["Innleder er syk; vi flytter en uke."],
    )


@fact("no.samling.events.event.cancelled.v1", topic=EVENTS, key="event_id")
class EventCancelled(Fact):
    event_id: EventId
    reason: str | None = Field(
        None, description="Why, in the organiser's words.", examples=["Sykdom"]
    )
    sequence: Sequence


@fact("no.samling.events.event.completed.v1", topic=EVENTS, key="event_id")
class EventCompleted(Fact):
    """The event took place; follow-up (evaluation, experience report) can start."""

    event_id: EventId
    network_id: str | None = Field(description="Owning network.", examples=["net_1"])


@fact("no.samling.events.assignment.assigned.v1", topic=EVENTS, key="event_id")
class AssignmentAssigned(Fact):
    """Pre-work or follow-up work was assigned to every participating unit."""

    event_id: EventId
    assignment_id: str = Field(description="Assignment id.", examples=["asg_01JD3B"])
    phase: AssignmentPhase = Field(description="Before or after the event.", examples=["pre"])
    title: str = Field(description="What to do.", examples=["Forbered et praksiseksempel"])
    due_at: AwareDatetime = Field(description="Due.", examples=["2027-02-03T16:00:00+01:00"])


@fact("no.samling.events.assignment.due.v1", topic=EVENTS, key="event_id")
class AssignmentDue(Fact):
    """An assignment's due time has come (emitted once, when it passes)."""

    event_id: EventId
    assignment_id: str = Field(description="Assignment id.", examples=["asg_01JD3B"])
    due_at: AwareDatetime = Field(description="Due.", examples=["2027-02-03T16:00:00+01:00"])


class _RegistrationFact(Fact):
    registration_id: RegistrationId
    event_id: EventId
    participant_id: ParticipantId
    municipality_id: MunicipalityId


@fact(
    "no.samling.events.registration.confirmed.v1",
    topic=REGISTRATIONS,
    key="event_id",
    subject="registration_id",
)
class RegistrationConfirmed(_RegistrationFact):
    pass


@fact(
    "no.samling.events.registration.waitlisted.v1",
    topic=REGISTRATIONS,
    key="event_id",
    subject="registration_id",
)
class RegistrationWaitlisted(_RegistrationFact):
    position: int = Field(description="Place on the waiting list (1 = next).", examples=[3])


@fact(
    "no.samling.events.registration.promoted.v1",
    topic=REGISTRATIONS,
    key="event_id",
    subject="registration_id",
)
class RegistrationPromoted(_RegistrationFact):
    """A seat freed up for someone on the waiting list."""

    offer_expires_at: AwareDatetime | None = Field(
        None,
        description="If set, the seat is offered until then and must be accepted; "
        "otherwise the registration is confirmed.",
        examples=["2027-02-01T12:00:00Z"],
    )


@fact(
    "no.samling.events.registration.cancelled.v1",
    topic=REGISTRATIONS,
    key="event_id",
    subject="registration_id",
)
class RegistrationCancelled(_RegistrationFact):
    cancelled_by: Literal["participant", "organiser", "system"] = Field(
        description="Who cancelled.", examples=["participant"]
    )


@fact(
    "no.samling.events.registration.approved.v1",
    topic=REGISTRATIONS,
    key="event_id",
    subject="registration_id",
)
class RegistrationApproved(_RegistrationFact):
    pass


@fact(
    "no.samling.events.registration.awaiting-approval.v1",
    topic=REGISTRATIONS,
    key="event_id",
    subject="registration_id",
)
class RegistrationAwaitingApproval(_RegistrationFact):
    """A registration holds a seat until the participant's municipality approves or declines it
    (RegistrationApproved / RegistrationDeclined): the event asks for approval, or the person
    registered without an account with an address outside the municipality's e-mail domains."""

    reason: Literal["event_requires_approval", "unverified_municipality"] = Field(
        description="Why it waits: the event approves every registration, or nothing backs the "
        "person's claim to the municipality.",
        examples=["unverified_municipality"],
    )


@fact(
    "no.samling.events.registration.declined.v1",
    topic=REGISTRATIONS,
    key="event_id",
    subject="registration_id",
)
class RegistrationDeclined(_RegistrationFact):
    pass


@fact(
    "no.samling.events.attendance.recorded.v1",
    topic=REGISTRATIONS,
    key="event_id",
    subject="registration_id",
)
class AttendanceRecorded(_RegistrationFact):
    attended: bool = Field(description="Checked in.", examples=[True])


@fact("no.samling.events.participant.erased.v1", topic=REGISTRATIONS, key="participant_id")
class ParticipantErased(Fact):
    """A participant asked to be forgotten: every service deletes what it holds about them."""

    participant_id: ParticipantId


@fact("no.samling.events.participant.anonymised.v1", topic=REGISTRATIONS, key="participant_id")
class ParticipantAnonymised(Fact):
    """The retention period after a participant's last event has passed: the events service
    no longer holds their name or e-mail, and every service deletes what it holds about them,
    as on erasure. The registrations stay, under a pseudonymous id, for the counts."""

    participant_id: ParticipantId


@fact(
    "no.samling.events.participant.contact-recorded.v1",
    topic=PARTICIPANTS_RESTRICTED,
    key="participant_id",
)
class ParticipantContactRecorded(Fact):
    """RESTRICTED: how to reach a participant. Never on a public topic."""

    participant_id: ParticipantId
    name: str = Field(
        description="Full name.", examples=["Kari Nordmann"], json_schema_extra=PERSONAL
    )
    email: str = Field(
        description="E-mail address.", examples=["kari@example.no"], json_schema_extra=PERSONAL
    )
    language: Language = Field(description="Preferred language.", examples=["nb"])
    manage_url: str | None = Field(
        None,
        description="Private self-service link for the participant's registrations.",
        examples=["https://samling.no/r/eyJ..."],
    )


@fact(
    "no.samling.events.registration.decision-noted.v1",
    topic=PARTICIPANTS_RESTRICTED,
    key="participant_id",
    subject="registration_id",
)
class RegistrationDecisionNoted(Fact):
    """RESTRICTED: the note a municipality wrote to the participant when it approved or
    declined their registration (free text about a person, so never on a public topic). Comes
    with the RegistrationApproved or RegistrationDeclined of the same registration."""

    participant_id: ParticipantId
    registration_id: RegistrationId
    event_id: EventId
    decision: Literal["approved", "declined"] = Field(
        description="What the municipality decided.", examples=["declined"]
    )
    note: str = Field(
        description="The municipality's note to the participant.",
        examples=["Du står ikke på listen over ansatte hos oss; ta kontakt med rektor."],
        json_schema_extra=PERSONAL,
    )
