"""Who gets told: the rules that pick a fact's audience, without reading anything.

The fact handlers ask the read models for the people these rules name (members' contact
persons, subscribers, participants in some statuses) and hand the answer back here where a
rule chooses between them; nothing in this module does I/O, so it is tested in microseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from samling_contracts.events import (
    AssignmentAssigned,
    RegistrationApproved,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationDeclined,
    RegistrationPromoted,
    RegistrationWaitlisted,
)
from samling_contracts.network import ReportPublished, ReportRevised
from samling_contracts.vocabulary import AssignmentPhase, Visibility

from samling_notifications.domain.notices import Kind, Recipient
from samling_notifications.domain.visibility import ReportScope

ASSIGNMENT_REMINDER_BEFORE = timedelta(hours=24)
"""Pre-work is recalled this long before it is due."""
EVENT_REMINDER_MINUTES = 1440
"""An event is recalled this many minutes before it starts unless the event says otherwise."""

TOLD_OF_CHANGES = ("confirmed", "waitlisted", "offered")
"""Registrations whose people hear that their event changed, moved or was cancelled: also
those waiting for a seat, who may still get one."""
TAKING_PART = ("confirmed",)
"""Registrations whose people get follow-up, assignments and reminders."""

Registration = (
    RegistrationConfirmed
    | RegistrationWaitlisted
    | RegistrationPromoted
    | RegistrationApproved
    | RegistrationDeclined
    | RegistrationCancelled
)
REGISTRATION_KINDS: dict[type[Registration], tuple[Kind, str]] = {
    RegistrationConfirmed: (Kind.REGISTRATION_CONFIRMED, "confirmed"),
    RegistrationWaitlisted: (Kind.REGISTRATION_WAITLISTED, "waitlisted"),
    RegistrationPromoted: (Kind.REGISTRATION_PROMOTED, "confirmed"),
    RegistrationApproved: (Kind.REGISTRATION_APPROVED, "confirmed"),
    RegistrationDeclined: (Kind.REGISTRATION_DECLINED, "declined"),
    RegistrationCancelled: (Kind.REGISTRATION_CANCELLED, "cancelled"),
}
"""A registration fact: the notice its participant gets and the status it leaves."""


@dataclass(frozen=True)
class WebhookAudience:
    """What a webhook's owner must be known to see for a fact to reach it (beyond the fact's
    own fields; see :func:`samling_notifications.domain.visibility.may_receive`)."""

    report: ReportScope | None = None
    """A withdrawn report as last published (the withdrawal carries no visibility)."""
    taking_part: frozenset[str] = field(default_factory=frozenset)
    """Municipalities with registrations for the event, or through which a participant
    registered."""


@dataclass(frozen=True)
class Reminder:
    """A notice due at ``due_at`` unless its moment (``not_after``) has passed already."""

    kind: Kind
    event_id: str
    due_at: datetime
    not_after: datetime
    assignment_id: str | None = None
    task: str | None = None

    @property
    def id(self) -> str:
        if self.assignment_id is not None:
            return assignment_reminder_id(self.assignment_id)
        return event_reminder_id(self.event_id)

    def document(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "kind": str(self.kind),
            "event_id": self.event_id,
            "due_at": self.due_at,
            "not_after": self.not_after,
        }
        if self.assignment_id is not None:
            fields.update(assignment_id=self.assignment_id, task=self.task)
        return fields


def event_reminder_id(event_id: str) -> str:
    return f"event:{event_id}"


def assignment_reminder_id(assignment_id: str) -> str:
    return f"assignment:{assignment_id}"


def event_reminder(event_id: str, event: Mapping[str, Any] | None) -> Reminder | None:
    """An event is recalled ``reminder_minutes_before`` its start; a cancelled or unknown one
    is not."""
    if event is None or event.get("cancelled"):
        return None
    minutes = event.get("reminder_minutes_before", EVENT_REMINDER_MINUTES)
    starts_at: datetime = event["starts_at"]
    return Reminder(
        Kind.EVENT_REMINDER, event_id, starts_at - timedelta(minutes=minutes), starts_at
    )


def assignment_reminder(fact: AssignmentAssigned) -> Reminder | None:
    """Pre-work is recalled 24 h before it is due; follow-up work is not."""
    if fact.phase is not AssignmentPhase.PRE:
        return None
    return Reminder(
        Kind.ASSIGNMENT_REMINDER,
        fact.event_id,
        fact.due_at - ASSIGNMENT_REMINDER_BEFORE,
        fact.due_at,
        assignment_id=fact.assignment_id,
        task=fact.title,
    )


def report_subscriptions(fact: ReportPublished | ReportRevised) -> list[tuple[str, list[str]]]:
    """The subscriptions (target, values) whose subscribers hear of a report: its networks,
    its learning arenas and its level. A private report is told to nobody."""
    if fact.visibility is Visibility.PRIVATE:
        return []
    return [
        ("network", list(fact.network_ids)),
        ("report_tag", [str(a) for a in fact.tags.learning_arenas]),
        ("report_level", [str(fact.tags.level)] if fact.tags.level else []),
    ]


def followup_audience(attended: list[Recipient], confirmed: list[Recipient]) -> list[Recipient]:
    """Those recorded as attending get the follow-up; when nobody's attendance was recorded,
    every confirmed participant does."""
    return attended or confirmed


def registration_notice(fact: Registration) -> tuple[Kind, str, dict[str, Any]]:
    """The notice a registration fact sends its participant, the status it leaves, and what
    the notice shows beyond the event (an offer's deadline, a place on the waiting list)."""
    kind, status = REGISTRATION_KINDS[type(fact)]
    params: dict[str, Any] = {}
    if isinstance(fact, RegistrationPromoted) and fact.offer_expires_at is not None:
        status = "offered"
        params["offer_expires_at"] = fact.offer_expires_at.isoformat()
    if isinstance(fact, RegistrationWaitlisted):
        params["position"] = fact.position
    return kind, status, params


def invitable(events: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Of a network's upcoming events, those a late-comer is invited to: announced (their
    announcement's fact id is the invitation's source, so nobody is invited twice) and not
    cancelled."""
    return [e for e in events if not e.get("cancelled") and e.get("scheduled_id")]


def union(*groups: list[Recipient]) -> list[Recipient]:
    """Everyone in any group, once (the first mention wins: it may carry the address)."""
    seen: dict[str, Recipient] = {}
    for group in groups:
        for recipient in group:
            seen.setdefault(recipient.id, recipient)
    return list(seen.values())
