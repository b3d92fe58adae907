"""Registrations: pure decisions about one person's place at one event.

A registration that holds a seat is ``confirmed``, ``pending_approval`` or ``offered``; the seat
itself is a separate document under a unique index (see adapters/store/seat_book.py), so the
capacity rule never depends on a read-modify-write.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, EmailStr, Field
from samling_contracts.events import (
    ParticipantContactRecorded,
    RegistrationApproved,
    RegistrationAwaitingApproval,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationDecisionNoted,
    RegistrationDeclined,
    RegistrationPromoted,
    RegistrationWaitlisted,
)
from samling_contracts.facts import Fact
from samling_contracts.vocabulary import Language, MunicipalityId
from samling_kernel.bodies import RequestBody
from samling_kernel.decisions import Change, Refusal, Refused
from samling_kernel.text import MultiLine, SingleLine

from samling_events.domain.events import Event, Question


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    PENDING_APPROVAL = "pending_approval"
    OFFERED = "offered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    DECLINED = "declined"
    OFFER_EXPIRED = "offer_expired"


HOLDS_SEAT = frozenset(
    {RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING_APPROVAL, RegistrationStatus.OFFERED}
)
ACTIVE = HOLDS_SEAT | {RegistrationStatus.WAITLISTED}


class Applicant(RequestBody):
    """What a person sends to register (unknown fields are refused)."""

    name: SingleLine = Field(min_length=1, max_length=200, examples=["Kari Nordmann"])
    email: EmailStr = Field(examples=["kari.nordmann@bodo.kommune.no"])
    municipality_id: MunicipalityId
    role: SingleLine = Field(min_length=1, max_length=200, examples=["Lærer"])
    language: Language = Field(Language.NB, examples=["nb"])
    answers: dict[SingleLine, MultiLine] = Field(
        default_factory=dict, examples=[{"diet": "Vegetar", "group": "Lesing i realfag"}]
    )


class Registration(BaseModel):
    id: str
    event_id: str
    participant_id: str
    municipality_id: str
    role: str
    language: Language = Language.NB
    answers: dict[str, str] = Field(default_factory=dict)
    member: bool = Field(description="The municipality is a member of the event's network.")
    unverified_claim: bool = Field(
        False,
        description="Registered without an account, with an address outside the "
        "municipality's e-mail domains: the seat waits for the municipality's approval.",
    )
    status: RegistrationStatus
    seat_no: int | None = None
    arrived_at: AwareDatetime
    arrival_seq: int = Field(description="Order of arrival at this event's registration desk.")
    offer_expires_at: AwareDatetime | None = None
    cancelled_by: Literal["participant", "organiser", "system"] | None = None
    attended: bool | None = None
    erased: bool = False
    decision_note: str | None = Field(
        None, description="What the municipality wrote when it approved or declined."
    )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def participant_id_for(email: str, secret: bytes) -> str:
    """One pseudonymous id per normalised e-mail (keyed, so it cannot be reversed by guessing)."""
    digest = hmac.new(secret, normalise_email(email).encode(), hashlib.sha256).hexdigest()
    return f"par_{digest[:20]}"


def email_domain(email: str) -> str:
    return normalise_email(email).rsplit("@", 1)[-1]


def claim_needs_approval(*, member: bool, email: str, email_domains: Collection[str]) -> bool:
    """Whether someone without an account needs their municipality's approval to take a seat.

    Saying "I work in Bodø" takes Bodø's member seat or contingent only when something backs
    it: an address in one of the municipality's registered e-mail domains. A registration that
    would take no member seat (a non-member at an event open to all) claims nothing."""
    return member and email_domain(email) not in email_domains


def registration_id_for(event_id: str, participant_id: str) -> str:
    """One registration per person and event: a second try hits the same id."""
    digest = hashlib.sha256(f"{event_id}|{participant_id}".encode()).hexdigest()
    return f"reg_{digest[:20]}"


def check_answers(questions: list[Question], answers: dict[str, str]) -> dict[str, str]:
    known = {q.id: q for q in questions}
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise Refused(f"This event does not ask {', '.join(unknown)}.", kind=Refusal.INVALID)
    for q in questions:
        answer = answers.get(q.id, "").strip()
        if q.required and not answer:
            raise Refused(f"Please answer: {q.label}", kind=Refusal.INVALID)
        if answer and q.options is not None and answer not in q.options:
            raise Refused(
                f"'{answer}' is not one of the choices for '{q.label}': {', '.join(q.options)}.",
                kind=Refusal.INVALID,
            )
    return {k: v.strip() for k, v in answers.items() if v.strip()}


def _ids(reg: Registration) -> dict[str, Any]:
    return {
        "registration_id": reg.id,
        "event_id": reg.event_id,
        "participant_id": reg.participant_id,
        "municipality_id": reg.municipality_id,
    }


def contact_fact(
    participant_id: str, applicant: Applicant, manage_url: str
) -> ParticipantContactRecorded:
    return ParticipantContactRecorded(
        participant_id=participant_id,
        name=applicant.name.strip(),
        email=normalise_email(str(applicant.email)),
        language=applicant.language,
        manage_url=manage_url,
    )


def _seated_status(event: Event, reg: Registration) -> RegistrationStatus:
    if event.requires_approval or reg.unverified_claim:
        return RegistrationStatus.PENDING_APPROVAL
    return RegistrationStatus.CONFIRMED


def _seated_facts(reg: Registration, event: Event) -> list[Fact]:
    """What a registration that now holds a seat tells: confirmed, or waiting for approval
    (so the municipality hears of it)."""
    if reg.status == RegistrationStatus.CONFIRMED:
        return [RegistrationConfirmed(**_ids(reg))]
    if reg.status == RegistrationStatus.PENDING_APPROVAL:
        reason = "event_requires_approval" if event.requires_approval else "unverified_municipality"
        return [RegistrationAwaitingApproval(**_ids(reg), reason=reason)]
    return []


def admit(
    reg: Registration, event: Event, seat_no: int | None, position: int
) -> Change[Registration]:
    """The outcome at the desk: a seat (confirmed or pending approval) or a waiting-list place."""
    if seat_no is None:
        waiting = reg.model_copy(update={"status": RegistrationStatus.WAITLISTED})
        return Change(waiting, [RegistrationWaitlisted(**_ids(waiting), position=position)])
    seated = reg.model_copy(update={"status": _seated_status(event, reg), "seat_no": seat_no})
    return Change(seated, _seated_facts(seated, event))


def promote(
    reg: Registration, event: Event, seat_no: int, now: datetime
) -> Change[Registration] | None:
    """A freed seat goes to this waiting registration (offered when the event asks for it)."""
    if reg.status != RegistrationStatus.WAITLISTED:
        return None
    expires = now + timedelta(hours=event.offer_hours) if event.offer_hours else None
    status = RegistrationStatus.OFFERED if expires else _seated_status(event, reg)
    promoted = reg.model_copy(
        update={"status": status, "seat_no": seat_no, "offer_expires_at": expires}
    )
    facts: list[Fact] = [RegistrationPromoted(**_ids(promoted), offer_expires_at=expires)]
    return Change(promoted, facts + _seated_facts(promoted, event))


def accept_offer(reg: Registration, event: Event, now: datetime) -> Change[Registration] | None:
    if reg.status == RegistrationStatus.CONFIRMED:
        return None
    if reg.status != RegistrationStatus.OFFERED:
        raise Refused("There is no open seat offer on this registration.")
    if reg.offer_expires_at is not None and reg.offer_expires_at <= now:
        raise Refused("The seat offer has expired and went to the next person in line.")
    accepted = reg.model_copy(
        update={"status": _seated_status(event, reg), "offer_expires_at": None}
    )
    return Change(accepted, _seated_facts(accepted, event))


def expire_offer(reg: Registration, now: datetime) -> Change[Registration] | None:
    if reg.status != RegistrationStatus.OFFERED or reg.offer_expires_at is None:
        return None
    if reg.offer_expires_at > now:
        return None
    expired = reg.model_copy(update={"status": RegistrationStatus.OFFER_EXPIRED, "seat_no": None})
    return Change(expired, [RegistrationCancelled(**_ids(expired), cancelled_by="system")])


def cancel(
    reg: Registration,
    event: Event,
    by: Literal["participant", "organiser", "system"],
    now: datetime,
) -> Change[Registration] | None:
    if reg.status not in ACTIVE:
        return None
    if by == "participant" and now > event.effective_cancellation_deadline:
        raise Refused(
            "The cancellation deadline has passed; please contact the organiser.",
            kind=Refusal.CONFLICT,
        )
    cancelled = reg.model_copy(
        update={
            "status": RegistrationStatus.CANCELLED,
            "seat_no": None,
            "offer_expires_at": None,
            "cancelled_by": by,
        }
    )
    return Change(cancelled, [RegistrationCancelled(**_ids(cancelled), cancelled_by=by)])


def approve(reg: Registration, note: str | None = None) -> Change[Registration] | None:
    if reg.status == RegistrationStatus.CONFIRMED:
        return None
    if reg.status != RegistrationStatus.PENDING_APPROVAL:
        raise Refused(f"Only a registration waiting for approval can be approved ({reg.status}).")
    approved = reg.model_copy(
        update={"status": RegistrationStatus.CONFIRMED, "decision_note": note}
    )
    return Change(
        approved,
        [
            RegistrationApproved(**_ids(approved)),
            RegistrationConfirmed(**_ids(approved)),
            *_noted(approved, "approved"),
        ],
    )


def _noted(reg: Registration, decision: Literal["approved", "declined"]) -> list[Fact]:
    """The note, for the participant only (restricted topic), when the municipality wrote one."""
    if not reg.decision_note:
        return []
    return [
        RegistrationDecisionNoted(
            participant_id=reg.participant_id,
            registration_id=reg.id,
            event_id=reg.event_id,
            decision=decision,
            note=reg.decision_note,
        )
    ]


def decline(reg: Registration, note: str | None = None) -> Change[Registration] | None:
    if reg.status == RegistrationStatus.DECLINED:
        return None
    if reg.status != RegistrationStatus.PENDING_APPROVAL:
        raise Refused(f"Only a registration waiting for approval can be declined ({reg.status}).")
    declined = reg.model_copy(
        update={"status": RegistrationStatus.DECLINED, "seat_no": None, "decision_note": note}
    )
    return Change(declined, [RegistrationDeclined(**_ids(declined)), *_noted(declined, "declined")])
