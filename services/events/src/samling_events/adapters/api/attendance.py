"""Check-in at the door and the evaluation afterwards, with its summary for coordinators."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter
from pydantic import BaseModel, Field
from samling_runtime.auth import CurrentPrincipal
from samling_runtime.inputs import MultiLine, RequestBody

from samling_events.adapters.api.deps import (
    LinkedRegistration,
    ManagedEvent,
    RuntimeDep,
    StoresDep,
    errors,
    managed_event,
    registration_at,
)
from samling_events.domain import conference
from samling_events.domain.evaluation import summarise
from samling_events.domain.registrations import Registration
from samling_events.use_cases import follow_up

router = APIRouter(tags=["follow-up"])


class Attendance(RequestBody):
    attended: bool = Field(examples=[True])


class Evaluation(RequestBody):
    """The short evaluation after the event (the E of SMTTE)."""

    rating: int = Field(ge=1, le=5, examples=[4], description="1 (poor) to 5 (excellent).")
    useful_for_practice: bool | None = Field(None, examples=[True])
    comment: MultiLine = Field("", max_length=3000, examples=["Nyttig gruppearbeid."])


class EvaluationSummary(BaseModel):
    event_id: str
    responses: int
    average_rating: float | None
    useful_share: float | None
    useful_answers: int = Field(
        0, description="How many answered whether it was useful for practice (it is optional)."
    )
    comments: list[str]


@router.post(
    "/events/{event_id}/registrations/{registration_id}/attendance",
    response_model=Registration,
    responses=errors(403, 404, 409),
    tags=["registrations"],
    summary="Check in (attendance)",
)
async def attendance(
    event_id: str,
    registration_id: str,
    body: Attendance,
    event: ManagedEvent,
    stores: StoresDep,
    runtime: RuntimeDep,
) -> Registration:
    reg = await registration_at(stores, event_id, registration_id)
    now = runtime.clock.now()
    return (
        await stores.registrations.update(
            reg.id, lambda r: conference.record_attendance(r, event, body.attended, now)
        )
    ).state


@router.put(
    "/manage/{token}/registrations/{registration_id}/evaluation",
    status_code=204,
    responses=errors(404, 409),
    tags=["self-service"],
    summary="Evaluate the event (private link)",
)
async def evaluate(
    token: str,
    registration_id: str,
    body: Evaluation,
    reg: LinkedRegistration,
    stores: StoresDep,
    runtime: RuntimeDep,
) -> None:
    """After the event has started; sending again replaces the earlier answer."""
    await follow_up.evaluate(
        stores.events, stores.follow_up, reg, body.model_dump(), runtime.clock.now()
    )


@router.get(
    "/events/{event_id}/evaluations",
    response_model=EvaluationSummary,
    responses=errors(403, 404),
    summary="Evaluation summary",
)
async def evaluations(
    event_id: str, principal: CurrentPrincipal, stores: StoresDep
) -> EvaluationSummary:
    await managed_event(stores, principal, event_id)
    summary = summarise(await stores.follow_up.evaluations_of(event_id))
    return EvaluationSummary(event_id=event_id, **asdict(summary))
