"""Erasure and anonymisation of participants' personal data (pure parts)."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel
from samling_contracts.events import ParticipantAnonymised, ParticipantErased
from samling_kernel.decisions import Change

from samling_events.domain.registrations import Registration

ANONYMOUS = "anonymous"


class Erasure(BaseModel):
    """A participant asked to be forgotten (kept as the record that it was done)."""

    participant_id: str
    requested_at: AwareDatetime


def erase(participant_id: str, now: datetime) -> Change[Erasure]:
    return Change(
        Erasure(participant_id=participant_id, requested_at=now),
        [ParticipantErased(participant_id=participant_id)],
    )


class Anonymisation(BaseModel):
    """A participant's retention period passed and their name and e-mail were removed (kept as
    the record that ParticipantAnonymised went out, so it goes out once)."""

    participant_id: str
    anonymised_at: AwareDatetime


def anonymise(participant_id: str, now: datetime) -> Change[Anonymisation]:
    return Change(
        Anonymisation(participant_id=participant_id, anonymised_at=now),
        [ParticipantAnonymised(participant_id=participant_id)],
    )


def scrub(reg: Registration) -> Change[Registration] | None:
    """Keep the municipality, status and attendance (for counts); drop what points to a person."""
    if reg.erased:
        return None
    return Change(
        reg.model_copy(
            update={
                "erased": True,
                "answers": {},
                "role": "",
                "participant_id": ANONYMOUS,
                "decision_note": None,
            }
        )
    )
