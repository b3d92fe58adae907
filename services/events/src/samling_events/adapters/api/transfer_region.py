"""What the region sees of transfer plans: counts, and only what both people chose to share.

Coordinators get, per event and per municipality, how many plans exist and how many
conversations were held; the notes of a conversation only once its participant and manager
both agreed to share it with them. A municipality's administrator gets the conversations both
agreed to share as an experience-report draft, in the SMTTE template.
"""

from __future__ import annotations

from fastapi import APIRouter
from samling_contracts.vocabulary import MunicipalityId, TransferConversation
from samling_runtime.auth import CurrentPrincipal
from samling_runtime.problems import not_found

from samling_events.adapters.api.deps import ManagedEvent, StoresDep, errors
from samling_events.adapters.api.transfer_models import (
    MunicipalityCounts,
    NoteView,
    ReportDraft,
    SharedConversation,
    TransferSummary,
)
from samling_events.domain.transfer.notes import smtte_draft
from samling_events.domain.transfer.sharing import Audience

router = APIRouter(tags=["transfer"])


@router.get(
    "/events/{event_id}/transfer/summary",
    response_model=TransferSummary,
    responses=errors(403, 404),
    summary="How many transfer plans and held conversations (counts only)",
)
async def summary(event_id: str, _: ManagedEvent, stores: StoresDep) -> TransferSummary:
    """For the coordinators of the event's region: per municipality, never per person."""
    plan_counts = await stores.transfer.plans_per_municipality(event_id)
    held_counts = await stores.transfer.held_per_municipality(event_id)

    def held(municipality: str | None) -> dict[TransferConversation, int]:
        return {
            c: sum(
                n for (m, conv), n in held_counts.items() if conv == c and municipality in (None, m)
            )
            for c in TransferConversation
        }

    return TransferSummary(
        event_id=event_id,
        plans=plan_counts.total(),
        held=held(None),
        municipalities=[
            MunicipalityCounts(municipality_id=m, plans=plan_counts[m], held=held(m))
            for m in sorted(set(plan_counts) | {m for m, _ in held_counts})
        ],
    )


@router.get(
    "/events/{event_id}/transfer/shared",
    response_model=list[SharedConversation],
    responses=errors(403, 404),
    summary="Conversations both people agreed to share with the coordinators",
)
async def shared_with_coordinators(
    event_id: str, _: ManagedEvent, stores: StoresDep
) -> list[SharedConversation]:
    """Nothing else: a conversation whose consent is withdrawn is gone from here at once."""
    store = stores.transfer
    found = []
    for plan_id, state in await store.shared_at_event(event_id, Audience.COORDINATORS):
        plan = await store.plans.get(plan_id)
        if plan is None:  # erased meanwhile
            continue
        notes = [n for n in await store.notes_of(plan_id) if n.conversation == state.conversation]
        found.append(
            SharedConversation(
                plan_id=plan_id,
                registration_id=plan.state.registration_id,
                conversation=state.conversation,
                notes=[NoteView.of(n) for n in notes],
            )
        )
    return found


@router.get(
    "/municipalities/{municipality_id}/transfer/report-drafts",
    response_model=list[ReportDraft],
    responses=errors(404),
    summary="Experience-report drafts both people agreed to share (SMTTE template)",
)
async def report_drafts(
    municipality_id: MunicipalityId, principal: CurrentPrincipal, stores: StoresDep
) -> list[ReportDraft]:
    """For the administrators of the participant's municipality."""
    if not principal.is_admin_of(municipality_id):
        raise not_found("Municipality")
    store = stores.transfer
    drafts = []
    for plan_id, state in await store.shared_by_municipality(
        municipality_id, Audience.REPORT_DRAFT
    ):
        plan = await store.plans.get(plan_id)
        if plan is None:
            continue
        notes = await store.notes_of(plan_id)
        drafts.append(
            ReportDraft(
                plan_id=plan_id,
                event_id=plan.state.event_id,
                conversation=state.conversation,
                draft=smtte_draft(state.conversation, notes),
            )
        )
    return drafts
