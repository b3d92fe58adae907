"""An event's evaluation results for its coordinator (``/workspace/events/{event_id}/
evaluation``): per question of the evaluation form (the E of SMTTE), how many answered and
the average, and the comments as written."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from samling_web.deps import IdPath, WebDep
from samling_web.models import Event, Upstream
from samling_web.signin_state import SignedInDep
from samling_web.workspace import PRIVATE, coordinated, read

router = APIRouter(prefix="/workspace/events/{event_id}/evaluation")


class EvaluationSummary(Upstream):
    """Events ``GET /events/{id}/evaluations``: every answer gives a rating; whether it was
    useful for practice is optional, so it has its own count."""

    responses: int
    average_rating: float | None = None
    useful_share: float | None = None
    useful_answers: int = 0
    comments: list[str] = []


@router.get("", response_class=HTMLResponse)
async def evaluation(
    request: Request, event_id: IdPath, web: WebDep, user: SignedInDep
) -> HTMLResponse:
    coordinated(user)
    event = await read(web, user, Event, f"/events/{event_id}")
    summary = await read(web, user, EvaluationSummary, f"/events/{event_id}/evaluations")
    return web.pages.render(
        request,
        "workspace/evaluation.html",
        event=event,
        summary=summary,
        headers=PRIVATE,
    )
