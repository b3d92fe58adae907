"""Webhook endpoints of municipalities and system clients, their deliveries and replays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from samling_contracts.facts import REGISTRY
from samling_kernel.decisions import Change
from samling_runtime.auth import CurrentPrincipal, Role, require_role
from samling_runtime.idempotency import IdempotencyKey
from samling_runtime.inputs import RequestBody, SingleLine, page_limit
from samling_runtime.pagination import Page, encode_cursor
from samling_runtime.problems import Problem, not_found

from samling_notifications.adapters.api.deps import (
    NotificationsDep,
    RuntimeDep,
    SettingsDep,
    StoresDep,
    errors,
)
from samling_notifications.adapters.webhooks_out import check_target, new_secret, replay_fields
from samling_notifications.domain.webhooks import (
    Endpoint,
    UnsafeTarget,
    enable,
    new_endpoint_id,
    rotate,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

PUBLIC_TYPES = sorted(t for t, cls in REGISTRY.items() if not cls.spec().topic.restricted)


class NewEndpoint(RequestBody):
    url: SingleLine = Field(
        max_length=2000, examples=["https://hr.bodo.kommune.no/samling/webhook"]
    )
    event_types: list[SingleLine] = Field(
        min_length=1,
        description="CloudEvent types to receive (public facts only).",
        examples=[["no.samling.events.registration.confirmed.v1"]],
    )


class EndpointView(BaseModel):
    id: str
    owner_id: str
    url: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None = None
    disabled_at: datetime | None = None
    secret_rotated_at: datetime | None = None
    previous_secret_until: datetime | None = Field(
        None, description="Until when deliveries are signed with the previous secret as well."
    )
    created_at: datetime


class CreatedEndpoint(EndpointView):
    secret: str = Field(
        description="Signing secret (Standard Webhooks). Shown only now: keep it.",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )


class SecretRotation(RequestBody):
    keep_previous_seconds: int | None = Field(
        None,
        ge=0,
        le=7 * 24 * 3600,
        description="How long deliveries are signed with the old secret as well, so the "
        "receiver can switch without missing one. Default: the service's overlap (24 h); 0 "
        "stops using the old secret at once (do that when it has leaked).",
    )


class WebhookDelivery(BaseModel):
    id: str = Field(description="The webhook-id header, the same on every attempt.")
    endpoint_id: str
    event_type: str
    source_event_id: str
    status: str = Field(examples=["retrying"])
    attempts: int
    last_reason: str | None = None
    next_attempt_at: datetime | None = None
    created_at: datetime


@dataclass(frozen=True)
class OwnerRef:
    type: Literal["municipality", "system"]
    id: str


async def webhook_owner(principal: CurrentPrincipal) -> OwnerRef:
    """Who the caller's endpoints belong to: their municipality (admins) or themselves
    (system clients). A dependency, so anyone else gets 403 before their body is read."""
    require_role(principal, Role.MUNICIPALITY_ADMIN, Role.SYSTEM)
    if principal.has(Role.MUNICIPALITY_ADMIN) and principal.municipality_id:
        return OwnerRef("municipality", principal.municipality_id)
    return OwnerRef("system", principal.subject)


Owner = Annotated[OwnerRef, Depends(webhook_owner)]


def _view(endpoint: Endpoint) -> EndpointView:
    return EndpointView(**endpoint.model_dump(exclude={"secret", "previous_secret"}))


@router.post("", status_code=201, response_model=CreatedEndpoint, responses=errors(403, 422))
async def register(
    body: NewEndpoint,
    owner: Owner,
    stores: StoresDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Register an endpoint for the caller's municipality (admins) or system client."""
    unknown = sorted(set(body.event_types) - set(PUBLIC_TYPES))
    if unknown:
        raise Problem(
            422, f"Unknown or restricted event types: {', '.join(unknown)}.", kind="invalid"
        )
    try:
        await check_target(body.url, settings.webhook_targets)
    except UnsafeTarget as exc:
        raise Problem(422, f"This URL cannot receive webhooks: {exc}", kind="unsafe-url") from exc

    async def operation() -> tuple[int, CreatedEndpoint]:
        endpoint = Endpoint(
            id=new_endpoint_id(),
            owner_id=owner.id,
            owner_type=owner.type,
            url=body.url,
            event_types=body.event_types,
            secret=new_secret(),
            created_at=runtime.clock.now(),
        )
        await stores.endpoints.create(endpoint.id, Change(endpoint))
        return 201, CreatedEndpoint(**endpoint.model_dump())

    return await runtime.idempotency.run(
        scope=f"webhooks:{owner.id}", key=idempotency_key, body=body, operation=operation
    )


async def _owned(stores: StoresDep, owner: OwnerRef, endpoint_id: str) -> Endpoint:
    endpoint = await stores.webhooks.owned(endpoint_id, owner.id)
    if endpoint is None:
        raise not_found("Webhook endpoint")
    return endpoint


@router.get("", response_model=list[EndpointView], responses=errors(403))
async def list_endpoints(owner: Owner, stores: StoresDep) -> list[EndpointView]:
    """The caller's endpoints."""
    return [_view(endpoint) for endpoint in await stores.webhooks.of_owner(owner.id)]


@router.get("/{endpoint_id}", response_model=EndpointView, responses=errors(403, 404))
async def get_endpoint(endpoint_id: str, owner: Owner, stores: StoresDep) -> EndpointView:
    """One endpoint (enabled, or why it was disabled)."""
    return _view(await _owned(stores, owner, endpoint_id))


@router.get(
    "/{endpoint_id}/deliveries", response_model=Page[WebhookDelivery], responses=errors(403, 404)
)
async def deliveries(
    endpoint_id: str,
    owner: Owner,
    stores: StoresDep,
    cursor: str | None = None,
    limit: int = page_limit(),
) -> Page[WebhookDelivery]:
    """Deliveries to the endpoint, newest first."""
    await _owned(stores, owner, endpoint_id)
    docs = await stores.webhooks.deliveries(endpoint_id, cursor, limit)
    more = len(docs) > limit
    docs = docs[:limit]
    return Page[WebhookDelivery](
        items=[
            WebhookDelivery(
                id=d["_id"],
                **{k: d.get(k) for k in WebhookDelivery.model_fields if k != "id"},
            )
            for d in docs
        ],
        next_cursor=encode_cursor(docs[-1]["created_at"], docs[-1]["_id"]) if more else None,
    )


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/replay",
    status_code=202,
    response_model=WebhookDelivery,
    responses=errors(403, 404, 409),
)
async def replay(
    endpoint_id: str,
    delivery_id: str,
    owner: Owner,
    service: NotificationsDep,
) -> WebhookDelivery:
    """Send a delivery again (same webhook-id, so the receiver can tell it is the same)."""
    stores = service.stores
    endpoint = await _owned(stores, owner, endpoint_id)
    if not endpoint.enabled:
        raise Problem(409, "The endpoint is disabled; enable it again first.", kind="conflict")
    doc = await stores.webhooks.delivery(delivery_id, endpoint_id)
    if doc is None:
        raise not_found("Delivery")
    if doc.get("pending"):
        raise Problem(409, "This delivery is still being tried.", kind="conflict")
    fields = replay_fields(service.runtime.clock.now(), doc)
    await stores.webhooks.set_delivery(delivery_id, fields)
    service.webhooks.wake()
    merged = {**doc, **fields}
    return WebhookDelivery(
        id=delivery_id, **{k: merged.get(k) for k in WebhookDelivery.model_fields if k != "id"}
    )


@router.post(
    "/{endpoint_id}/secret/rotate",
    response_model=CreatedEndpoint,
    responses=errors(403, 404, 409, 422),
    summary="Rotate the signing secret",
)
async def rotate_secret(
    endpoint_id: str,
    owner: Owner,
    stores: StoresDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    body: SecretRotation | None = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """A new signing secret, shown only in this answer (and to a repeat with the same
    Idempotency-Key, so a double click or a lost answer does not lose it). Deliveries from now
    on are signed with it, and with the old one too for the overlap
    (``keep_previous_seconds``), so receivers can switch without missing one.

    Two rotations at the same moment cannot both win: each inserts the endpoint's next
    revision, the unique revision id lets one through and the other is answered 409 with
    nothing changed, so no caller holds a secret that was replaced before it was shown."""
    await _owned(stores, owner, endpoint_id)
    seconds = body.keep_previous_seconds if body else None
    overlap = timedelta(
        seconds=settings.webhook_secret_overlap_seconds if seconds is None else seconds
    )

    async def operation() -> tuple[int, CreatedEndpoint]:
        now = runtime.clock.now()
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as stored: BSON keeps ms
        secret = new_secret()
        # One attempt: a concurrent write means another caller decided meanwhile
        # (WriteConflict, 409), never a silent second rotation on top of theirs.
        rotated = await stores.endpoints.update(
            endpoint_id, lambda e: rotate(e, secret, now, overlap), attempts=1
        )
        return 200, CreatedEndpoint(**rotated.state.model_dump(exclude={"previous_secret"}))

    return await runtime.idempotency.run(
        scope=f"webhooks:{owner.id}:{endpoint_id}:rotate",
        key=idempotency_key,
        body=body,
        operation=operation,
    )


@router.post(
    "/{endpoint_id}/enable",
    response_model=EndpointView,
    responses=errors(403, 404),
    summary="Enable a disabled endpoint again",
)
async def enable_endpoint(endpoint_id: str, owner: Owner, stores: StoresDep) -> EndpointView:
    """Enable an endpoint that was disabled (410 Gone, or no success after every retry): the next
    fact it wants is sent to it. Deliveries that failed, or were skipped because it was
    disabled, are not sent again by themselves: replay the ones you want. Facts published while
    it was disabled were not queued for it. Enabling an enabled endpoint changes nothing."""
    await _owned(stores, owner, endpoint_id)
    enabled = await stores.endpoints.update(endpoint_id, enable)
    return _view(enabled.state)
