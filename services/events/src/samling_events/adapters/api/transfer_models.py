"""What the transfer routes answer: a plan as its participant or manager sees it."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, Field
from samling_contracts.vocabulary import TransferConversation

from samling_events.adapters.store.transfer import TransferStore
from samling_events.domain.transfer.forms import FORMS, Smtte
from samling_events.domain.transfer.notes import Note, SmtteDraft
from samling_events.domain.transfer.plans import HeldMark, TransferPlan
from samling_events.domain.transfer.sharing import Audience, Party, Sharing, sharing


class FieldView(BaseModel):
    id: str = Field(examples=["goals_me"])
    question: str = Field(description="In English; the web app shows it translated.")
    element: Smtte = Field(description="The SMTTE element the field belongs to.")


class NoteView(BaseModel):
    id: str
    field: str
    author: Party
    text: str
    at: AwareDatetime

    @classmethod
    def of(cls, note: Note) -> NoteView:
        return cls(id=note.id, field=note.field, author=note.author, text=note.text, at=note.at)


class HeldView(BaseModel):
    by: Party
    at: AwareDatetime


class SharingView(BaseModel):
    audience: Audience
    shared: bool = Field(description="Both have agreed, and neither has withdrawn since.")
    consented: list[Party] = Field(description="Who has agreed in the current round.")
    awaiting: Party | None = Field(
        None, description="Proposed by one: the other's agreement is awaited."
    )

    @classmethod
    def of(cls, state: Sharing) -> SharingView:
        proposer = state.proposed_by()
        return cls(
            audience=state.audience,
            shared=state.shared,
            consented=sorted(state.consented),
            awaiting=proposer.other if proposer else None,
        )


class ConversationView(BaseModel):
    conversation: TransferConversation
    due_at: AwareDatetime
    fields: list[FieldView]
    notes: list[NoteView]
    held: HeldView | None
    sharing: list[SharingView]


class PlanView(BaseModel):
    plan_id: str
    registration_id: str
    event_id: str
    you: Party = Field(description="Whose link opened the plan.")
    manager_name: str
    conversations: list[ConversationView]


def _due(plan: TransferPlan, conversation: TransferConversation) -> AwareDatetime:
    return {
        TransferConversation.BEFORE: plan.before_due_at,
        TransferConversation.DURING: plan.during_due_at,
        TransferConversation.AFTER: plan.after_due_at,
    }[conversation]


def _held(mark: HeldMark | None) -> HeldView | None:
    return HeldView(by=mark.by, at=mark.at) if mark else None


async def plan_view(store: TransferStore, plan: TransferPlan, you: Party) -> PlanView:
    notes = await store.notes_of(plan.id)
    held = await store.held_of(plan.id)
    records = await store.consents_of(plan.id)
    return PlanView(
        plan_id=plan.id,
        registration_id=plan.registration_id,
        event_id=plan.event_id,
        you=you,
        manager_name=plan.manager_name,
        conversations=[
            ConversationView(
                conversation=conversation,
                due_at=_due(plan, conversation),
                fields=[
                    FieldView(id=f.id, question=f.question, element=f.element)
                    for f in FORMS[conversation]
                ],
                notes=[NoteView.of(n) for n in notes if n.conversation == conversation],
                held=_held(held.get(conversation)),
                sharing=[
                    SharingView.of(sharing(records, conversation, audience))
                    for audience in Audience
                ],
            )
            for conversation in TransferConversation
        ],
    )


class TransferOffer(BaseModel):
    registration_id: str
    event_id: str
    offered: bool = Field(description="The event offers transfer plans.")
    plan_id: str | None = Field(None, description="The plan, once a manager is named.")
    manager_name: str | None = None


class SharedConversation(BaseModel):
    """A conversation both people agreed to share with the event's coordinators."""

    plan_id: str
    registration_id: str
    conversation: TransferConversation
    notes: list[NoteView]


class ReportDraft(BaseModel):
    """A conversation both people agreed to share as an experience-report draft."""

    plan_id: str
    event_id: str
    conversation: TransferConversation
    draft: SmtteDraft


class MunicipalityCounts(BaseModel):
    municipality_id: str
    plans: int
    held: dict[TransferConversation, int]


class TransferSummary(BaseModel):
    """Counts only: never who, never what was said."""

    event_id: str
    plans: int
    held: dict[TransferConversation, int]
    municipalities: list[MunicipalityCounts]
