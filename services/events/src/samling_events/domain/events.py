"""Events (network meetings, dialogue conferences, theme days...): pure decisions, no I/O.

An event moves draft → published → registration_closed → completed, or to cancelled from any
state before completed. Every change that calendar clients see raises the iCalendar SEQUENCE.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, ConfigDict, Field, model_validator
from samling_contracts.events import (
    EventCancelled,
    EventCompleted,
    EventRescheduled,
    EventScheduled,
    EventUpdated,
)
from samling_contracts.vocabulary import EventKind, MunicipalityId
from samling_kernel.bodies import RequestBody
from samling_kernel.decisions import Change, Refusal, Refused
from samling_kernel.text import MultiLine, SingleLine

TimeZoneName = Literal["Europe/Oslo", "Europe/Stockholm", "Europe/Copenhagen"]


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    REGISTRATION_CLOSED = "registration_closed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class AgendaItem(RequestBody):
    title: SingleLine = Field(
        min_length=1, max_length=300, examples=["Del 2: Innledning fra forskning"]
    )
    starts_at: AwareDatetime = Field(examples=["2027-02-10T10:00:00+01:00"])
    ends_at: AwareDatetime = Field(examples=["2027-02-10T11:00:00+01:00"])
    description: MultiLine = Field("", max_length=3000)


class Contingent(RequestBody):
    """Seats reserved for one member municipality until ``release_at``."""

    municipality_id: MunicipalityId
    seats: int = Field(ge=1, le=10_000, examples=[5])
    release_at: AwareDatetime | None = Field(
        None,
        description="When unused seats return to the open pool; never when absent.",
        examples=["2027-01-20T12:00:00+01:00"],
    )


class Question(RequestBody):
    """A question of the event's own (dietary needs, accessibility, group session)."""

    id: str = Field(pattern=r"^[a-z0-9_]{1,40}$", examples=["diet"])
    label: SingleLine = Field(
        min_length=1, max_length=300, examples=["Allergier eller dietthensyn?"]
    )
    required: bool = False
    options: list[SingleLine] | None = Field(
        None, description="If given, the answer must be one of these.", examples=[None]
    )


class EventDetails(RequestBody):
    """What an organiser can set and change on an event (unknown fields are refused)."""

    title: SingleLine = Field(min_length=2, max_length=300, examples=["Dialogkonferanse: Lesing"])
    description: MultiLine = Field("", max_length=10_000)
    organisers: list[SingleLine] = Field(default_factory=list, examples=[["RKK Salten"]])
    venue: SingleLine | None = Field(None, max_length=500, examples=["Bodø rådhus, Kongens gate 1"])
    online_url: SingleLine | None = Field(None, max_length=1000, examples=[None])
    capacity: int = Field(ge=1, le=100_000, examples=[60])
    open_to_all: bool = Field(False, description="Non-member municipalities may register too.")
    contingents: list[Contingent] = Field(default_factory=list)
    reminder_minutes_before: int = Field(1440, ge=0, le=60 * 24 * 30)
    agenda: list[AgendaItem] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)
    cancellation_deadline: AwareDatetime | None = Field(
        None, description="Participants may cancel themselves until then (default: the start)."
    )
    offer_hours: int | None = Field(
        None,
        ge=1,
        le=24 * 14,
        description="When set, a freed seat is offered to the next on the waiting list for this "
        "many hours and must be accepted; otherwise promotion confirms at once.",
    )
    requires_approval: bool = Field(
        False, description="Registrations wait for the participant's municipality to approve."
    )
    transfer_plans: bool | None = Field(
        None,
        description="Participants may plan transfer conversations with their manager (before, "
        "during and after). Unset: on for courses and multi-part programmes.",
    )

    @model_validator(mode="after")
    def _check(self) -> EventDetails:
        if not self.venue and not self.online_url:
            raise ValueError("An event needs a venue or an online link.")
        reserved = sum(c.seats for c in self.contingents)
        if reserved > self.capacity:
            raise ValueError(
                f"The contingents reserve {reserved} seats but the event has only {self.capacity}."
            )
        if len({c.municipality_id for c in self.contingents}) != len(self.contingents):
            raise ValueError("Each municipality can have one contingent only.")
        if len({q.id for q in self.questions}) != len(self.questions):
            raise ValueError("Question ids must be unique.")
        return self


class Event(EventDetails):
    # Stored revisions are read back into this model: a field an older version wrote and this
    # one dropped must not make the event unreadable.
    model_config = ConfigDict(extra="ignore")

    id: str
    region_id: str
    network_id: str | None = None
    kind: EventKind
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    timezone: TimeZoneName
    status: EventStatus = EventStatus.DRAFT
    sequence: int = Field(0, description="iCalendar SEQUENCE; grows with each visible change.")
    series_id: str | None = Field(None, description="The recurring series this belongs to.")
    created_by: str = ""
    cancel_reason: str | None = None

    # -- seat layout: contingents take seats 1..reserved, the open pool the rest ---------------
    def contingent_range(self, municipality_id: str) -> range:
        start = 1
        for c in self.contingents:
            if c.municipality_id == municipality_id:
                return range(start, start + c.seats)
            start += c.seats
        return range(0)

    def seat_ranges(self, municipality_id: str, member: bool, now: datetime) -> list[range]:
        """Seat numbers this registrant may take, best first: own contingent, open pool,
        then released contingents."""
        reserved = sum(c.seats for c in self.contingents)
        ranges: list[range] = []
        if member:
            own = self.contingent_range(municipality_id)
            if own:
                ranges.append(own)
        ranges.append(range(reserved + 1, self.capacity + 1))
        for c in self.contingents:
            if c.municipality_id != municipality_id and c.release_at and c.release_at <= now:
                ranges.append(self.contingent_range(c.municipality_id))
        return [r for r in ranges if r]

    @property
    def effective_cancellation_deadline(self) -> datetime:
        return self.cancellation_deadline or self.starts_at

    def open_for_registration(self) -> bool:
        return self.status == EventStatus.PUBLISHED


LONGEST = timedelta(days=14)
"""How long an event may last: one that started longer ago than this has ended."""


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise Refused("The event must end after it starts.", kind=Refusal.INVALID)
    if ends_at - starts_at > LONGEST:
        raise Refused(f"An event can last at most {LONGEST.days} days.", kind=Refusal.INVALID)


def draft_event(
    event_id: str,
    *,
    region_id: str,
    network_id: str | None,
    kind: EventKind,
    starts_at: datetime,
    ends_at: datetime,
    timezone: TimeZoneName,
    details: EventDetails,
    created_by: str,
    series_id: str | None = None,
) -> Change[Event]:
    _check_times(starts_at, ends_at)
    event = Event(
        **details.model_dump(),
        id=event_id,
        region_id=region_id,
        network_id=network_id,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=timezone,
        created_by=created_by,
        series_id=series_id,
    )
    return Change(event)


def _scheduled(event: Event) -> EventScheduled:
    return EventScheduled(
        event_id=event.id,
        network_id=event.network_id,
        region_id=event.region_id,
        kind=event.kind,
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=event.timezone,
        venue=event.venue,
        online_url=event.online_url,
        capacity=event.capacity,
        open_to_all=event.open_to_all,
        reminder_minutes_before=event.reminder_minutes_before,
        sequence=event.sequence,
    )


def publish(event: Event) -> Change[Event] | None:
    if event.status == EventStatus.PUBLISHED:
        return None
    if event.status != EventStatus.DRAFT:
        raise Refused(f"Only a draft can be published; this event is {event.status}.")
    published = event.model_copy(update={"status": EventStatus.PUBLISHED})
    return Change(published, [_scheduled(published)])


def update_details(
    event: Event, details: EventDetails, *, highest_taken_seat: int, has_registrations: bool
) -> Change[Event] | None:
    _require_active(event)
    if details.contingents != event.contingents and has_registrations:
        raise Refused("Contingents cannot change once people have registered.")
    if details.capacity < highest_taken_seat:
        raise Refused(
            f"Seat {highest_taken_seat} is taken, so the capacity cannot go below it. "
            "Cancel registrations first."
        )
    # The fields as models (not dumped to dicts): the event must stay a valid Event.
    changed = event.model_copy(update=dict(details))
    if changed == event:
        return None
    changed = changed.model_copy(update={"sequence": event.sequence + 1})
    facts = []
    if event.status != EventStatus.DRAFT:
        facts.append(
            EventUpdated(
                event_id=event.id,
                title=changed.title,
                venue=changed.venue,
                online_url=changed.online_url,
                capacity=changed.capacity,
                reminder_minutes_before=changed.reminder_minutes_before,
                sequence=changed.sequence,
            )
        )
    return Change(changed, facts)


def reschedule(
    event: Event,
    starts_at: datetime,
    ends_at: datetime,
    timezone: TimeZoneName | None,
    message: str | None = None,
) -> Change[Event] | None:
    _require_active(event)
    _check_times(starts_at, ends_at)
    tz = timezone or event.timezone
    if starts_at == event.starts_at and ends_at == event.ends_at and tz == event.timezone:
        return None
    shift = starts_at - event.starts_at
    moved = event.model_copy(
        update={
            "starts_at": starts_at,
            "ends_at": ends_at,
            "timezone": tz,
            "sequence": event.sequence + 1,
            "agenda": [
                item.model_copy(
                    update={"starts_at": item.starts_at + shift, "ends_at": item.ends_at + shift}
                )
                for item in event.agenda
            ],
        }
    )
    facts = []
    if event.status != EventStatus.DRAFT:
        facts.append(
            EventRescheduled(
                event_id=event.id,
                starts_at=starts_at,
                ends_at=ends_at,
                previous_starts_at=event.starts_at,
                timezone=tz,
                sequence=moved.sequence,
                message=message,
            )
        )
    return Change(moved, facts)


def close_registration(event: Event) -> Change[Event] | None:
    if event.status == EventStatus.REGISTRATION_CLOSED:
        return None
    if event.status != EventStatus.PUBLISHED:
        raise Refused(f"Registration can only close on a published event, not {event.status}.")
    return Change(event.model_copy(update={"status": EventStatus.REGISTRATION_CLOSED}))


def reopen_registration(event: Event) -> Change[Event] | None:
    if event.status == EventStatus.PUBLISHED:
        return None
    if event.status != EventStatus.REGISTRATION_CLOSED:
        raise Refused(f"Only closed registration can reopen; this event is {event.status}.")
    return Change(event.model_copy(update={"status": EventStatus.PUBLISHED}))


def complete(event: Event, now: datetime) -> Change[Event] | None:
    if event.status == EventStatus.COMPLETED:
        return None
    if event.status not in (EventStatus.PUBLISHED, EventStatus.REGISTRATION_CLOSED):
        raise Refused(f"Only a published event can be completed, not {event.status}.")
    if now < event.starts_at:
        raise Refused("An event cannot be completed before it has started.")
    done = event.model_copy(update={"status": EventStatus.COMPLETED})
    return Change(done, [EventCompleted(event_id=event.id, network_id=event.network_id)])


def cancel(event: Event, reason: str | None) -> Change[Event] | None:
    if event.status == EventStatus.CANCELLED:
        return None
    if event.status == EventStatus.COMPLETED:
        raise Refused("A completed event cannot be cancelled.")
    cancelled = event.model_copy(
        update={
            "status": EventStatus.CANCELLED,
            "cancel_reason": reason,
            "sequence": event.sequence + 1,
        }
    )
    facts = []
    if event.status != EventStatus.DRAFT:
        facts.append(EventCancelled(event_id=event.id, reason=reason, sequence=cancelled.sequence))
    return Change(cancelled, facts)


def _require_active(event: Event) -> None:
    if event.status in (EventStatus.CANCELLED, EventStatus.COMPLETED):
        raise Refused(f"This event is {event.status} and cannot be changed.")
