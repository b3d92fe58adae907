"""Several registrations for one event in one request: the public web app sends the forms that
arrived within a moment of each other together (make bench-web: one HTTP request per person cost
the web app and this service more CPU than the registration itself).

Each item is the registration route's own work (:func:`.registrations.register_as`): its own
``Idempotency-Key``, its own rules, its own answer. The answer lists, in the items' order, each
item's status and body: the registration, or the problem details (RFC 9457) the single route
would have answered for that item. The items run at once, so they reach the event's desk
together.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from samling_runtime.auth import CurrentPrincipal, Role, require_role
from samling_runtime.problems import ProblemDetails

from samling_events.adapters.api.deps import (
    DesksDep,
    RuntimeDep,
    SettingsDep,
    StoresDep,
    errors,
)
from samling_events.adapters.api.registration_views import RegistrationView
from samling_events.adapters.api.registrations import RegistrableEvent, register_as
from samling_events.domain.registrations import Applicant

router = APIRouter(tags=["registrations"])
MOST = 100
"""Items per request: enough for a web process's rush of a few milliseconds."""


class BatchItem(BaseModel):
    idempotency_key: str | None = Field(
        None,
        max_length=200,
        description="As the single route's Idempotency-Key header: repeating an item with the "
        "same key (in this request or a later one) returns the first result.",
    )
    registration: dict[str, Any] = Field(
        description="The registration, as `POST /events/{event_id}/registrations` takes it "
        "(an Applicant); an invalid one is that item's 422, not the request's.",
    )


class BatchBody(BaseModel):
    items: list[BatchItem] = Field(min_length=1, max_length=MOST)


class ItemAnswer(BaseModel):
    status: int = Field(description="The status the single route would have answered.")
    body: RegistrationView | ProblemDetails = Field(
        description="The registration (2xx), or the problem details (RFC 9457) for this item."
    )


class BatchAnswer(BaseModel):
    items: list[ItemAnswer]


@router.post(
    "/events/{event_id}/registrations/batch",
    response_model=BatchAnswer,
    responses=errors(403, 404),
    summary="Register several people for an event in one request",
)
async def register_batch(
    request: Request,
    body: BatchBody,
    event: RegistrableEvent,
    principal: CurrentPrincipal,
    stores: StoresDep,
    desks: DesksDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> Response:
    """Each item as `POST /events/{event_id}/registrations` with its own `Idempotency-Key`
    would answer it, in the items' order. Only the public web app (role `web`) sends batches;
    the request itself fails only when the caller is not it (403), the event is not one it may
    see (404) or the body is not a list of 1 to 100 items (422)."""
    require_role(principal, Role.WEB)

    async def one(item: BatchItem) -> JSONResponse:
        try:
            applicant = Applicant.model_validate(item.registration)
            return await register_as(
                principal,
                event,
                applicant,
                item.idempotency_key,
                stores,
                desks,
                runtime,
                settings,
            )
        except Exception as exc:  # each item's own answer, as its own request's
            return await _as_problem(request, exc)

    answers = await asyncio.gather(*(one(item) for item in body.items))
    # Each answer is already encoded as the single route encodes it: joined, not re-encoded.
    parts = (b'{"status":%d,"body":%s}' % (a.status_code, bytes(a.body)) for a in answers)
    return Response(b'{"items":[' + b",".join(parts) + b"]}", media_type="application/json")


async def _as_problem(request: Request, exc: Exception) -> JSONResponse:
    """The problem details the service's own handler answers for ``exc`` (the same body the
    single route answers); an error no handler explains fails the whole request, as it fails
    the single route."""
    for kind in type(exc).__mro__:
        handler = request.app.exception_handlers.get(kind)
        if handler is not None and kind is not Exception:
            answer = await handler(request, exc)
            assert isinstance(answer, JSONResponse)
            return answer
    raise exc
