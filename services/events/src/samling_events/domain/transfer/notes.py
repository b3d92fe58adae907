"""Notes in a conversation, and the SMTTE draft made of a shared one (pure, no I/O)."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field
from samling_contracts.vocabulary import TransferConversation
from samling_kernel.bodies import RequestBody
from samling_kernel.decisions import Refusal, Refused
from samling_kernel.text import MultiLine, SingleLine

from samling_events.domain.transfer.forms import FORMS, Smtte, field_of
from samling_events.domain.transfer.sharing import Party


class NewNote(RequestBody):
    field: SingleLine = Field(
        max_length=40, description="The form field the note answers.", examples=["goals_me"]
    )
    text: MultiLine = Field(
        min_length=1, max_length=10_000, examples=["Bruke lesestrategier i alle fag."]
    )


class Note(BaseModel):
    """Written by the participant or the manager; notes are added, never changed."""

    id: str
    plan_id: str
    conversation: TransferConversation
    field: str
    author: Party
    text: str
    at: AwareDatetime


def write_note(
    note_id: str,
    plan_id: str,
    conversation: TransferConversation,
    body: NewNote,
    author: Party,
    now: datetime,
) -> Note:
    if field_of(conversation, body.field) is None:
        known = ", ".join(f.id for f in FORMS[conversation])
        raise Refused(
            f"The {conversation} conversation has no field {body.field!r} (it has {known}).",
            kind=Refusal.INVALID,
        )
    return Note(
        id=note_id,
        plan_id=plan_id,
        conversation=conversation,
        field=body.field,
        author=author,
        text=body.text,
        at=now,
    )


class SmtteDraft(BaseModel):
    """An experience-report draft in the SMTTE template: the notes under the model's five
    headings, in the order they were written."""

    context: list[str] = Field(default_factory=list, description="Sammenhæng.")
    goals: list[str] = Field(default_factory=list, description="Mål.")
    signs: list[str] = Field(default_factory=list, description="Tegn.")
    actions: list[str] = Field(default_factory=list, description="Tiltag.")
    evaluation: list[str] = Field(default_factory=list, description="Evaluering.")


def smtte_draft(conversation: TransferConversation, notes: list[Note]) -> SmtteDraft:
    headings: dict[Smtte, list[str]] = {element: [] for element in Smtte}
    for note in sorted(notes, key=lambda n: (n.at, n.id)):
        found = field_of(conversation, note.field)
        if note.conversation == conversation and found is not None:
            headings[found.element].append(note.text)
    return SmtteDraft(**{element.value: texts for element, texts in headings.items()})
