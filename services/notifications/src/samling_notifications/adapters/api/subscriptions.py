"""Subscriptions: a person or a municipality (its contact persons) follows a network, an event
kind, or reports with a learning arena or competence level."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, model_validator
from samling_contracts.vocabulary import CompetenceLevel, EventKind, LearningArena
from samling_runtime.auth import CurrentPrincipal, Principal, Role
from samling_runtime.idempotency import IdempotencyKey
from samling_runtime.inputs import RequestBody, SingleLine, page_limit
from samling_runtime.pagination import Page, encode_cursor
from samling_runtime.problems import Problem, not_found

from samling_notifications.adapters.api.deps import RuntimeDep, StoresDep, errors
from samling_notifications.adapters.store.audience import MUNICIPALITY
from samling_notifications.adapters.store.subscriptions import Owner

router = APIRouter(prefix="/subscriptions", tags=["subscriptions"])


class Target(StrEnum):
    NETWORK = "network"
    EVENT_KIND = "event_kind"
    REPORT_TAG = "report_tag"
    REPORT_LEVEL = "report_level"


VOCABULARY: dict[Target, type[StrEnum]] = {
    Target.EVENT_KIND: EventKind,
    Target.REPORT_TAG: LearningArena,
    Target.REPORT_LEVEL: CompetenceLevel,
}
"""What a value may be, for the targets whose values are a closed vocabulary."""


class NewSubscription(RequestBody):
    target: Target = Field(examples=["network"])
    value: SingleLine = Field(
        min_length=1,
        max_length=100,
        description="Network id, event kind, learning arena or competence level.",
        examples=["net_01JD2X8M4Q"],
    )
    municipality_id: SingleLine | None = Field(
        None,
        max_length=100,
        description="Subscribe your municipality's contact persons instead of yourself "
        "(municipality admins).",
        examples=["NO-1804"],
    )

    @model_validator(mode="after")
    def _known_value(self) -> NewSubscription:
        vocabulary = VOCABULARY.get(self.target)
        if vocabulary is not None and self.value not in {str(v) for v in vocabulary}:
            known = ", ".join(str(v) for v in vocabulary)
            raise ValueError(f"{self.value!r} is not a known {self.target} (one of: {known})")
        return self


class Subscription(BaseModel):
    id: str
    subscriber_type: str = Field(examples=["user"])
    subscriber_id: str = Field(examples=["u-4711"])
    target: Target
    value: str
    created_at: datetime


def _subscriber(principal: Principal, municipality_id: str | None) -> tuple[str, str]:
    if municipality_id is None:
        return "user", principal.subject
    if not principal.is_admin_of(municipality_id):
        raise Problem(403, "Only an admin of that municipality may subscribe it.", kind="forbidden")
    return MUNICIPALITY, municipality_id


def _owners(principal: Principal) -> list[Owner]:
    owners = [("user", principal.subject)]
    if principal.has(Role.MUNICIPALITY_ADMIN) and principal.municipality_id:
        owners.append((MUNICIPALITY, principal.municipality_id))
    return owners


@router.post("", status_code=201, response_model=Subscription, responses=errors(403, 422))
async def subscribe(
    body: NewSubscription,
    principal: CurrentPrincipal,
    stores: StoresDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Follow a network, event kind or report tag. Subscribing twice keeps one subscription."""
    subscriber_type, subscriber_id = _subscriber(principal, body.municipality_id)
    if body.target is Target.NETWORK and not await stores.knows_network(body.value):
        # Networks are known from the network facts this service consumes: one created a
        # moment ago may not be known yet, and the caller can try again.
        raise Problem(422, f"There is no network {body.value}.", kind="unknown-network")

    async def operation() -> tuple[int, Subscription]:
        sub_id = f"{subscriber_type}:{subscriber_id}:{body.target}:{body.value}"
        doc = {
            "subscriber_type": subscriber_type,
            "subscriber_id": subscriber_id,
            "target": str(body.target),
            "value": body.value,
            "created_at": runtime.clock.now(),
        }
        if subscriber_type == "user":
            # The user becomes reachable: the token's e-mail is where their notices go.
            await stores.people.reach_user(subscriber_id, principal.email)
        created, saved = await stores.following.keep(sub_id, doc)
        status = 201 if created else 200
        return status, Subscription(id=sub_id, **{k: saved[k] for k in doc})

    return await runtime.idempotency.run(
        scope=f"subscriptions:{principal.subject}",
        key=idempotency_key,
        body=body,
        operation=operation,
    )


@router.get("", response_model=Page[Subscription], responses=errors(400))
async def list_subscriptions(
    principal: CurrentPrincipal,
    stores: StoresDep,
    cursor: str | None = None,
    limit: int = page_limit(),
) -> Page[Subscription]:
    """The caller's subscriptions and, for municipality admins, their municipality's."""
    docs = await stores.following.of_owners(_owners(principal), cursor, limit)
    more = len(docs) > limit
    docs = docs[:limit]
    return Page[Subscription](
        items=[
            Subscription(id=d["_id"], **{k: v for k, v in d.items() if k != "_id"}) for d in docs
        ],
        next_cursor=encode_cursor(docs[-1]["created_at"], docs[-1]["_id"]) if more else None,
    )


@router.delete("/{subscription_id}", status_code=204, responses=errors(404))
async def unsubscribe_one(
    subscription_id: str, principal: CurrentPrincipal, stores: StoresDep
) -> Response:
    """Stop following it."""
    if not await stores.following.remove(subscription_id, _owners(principal)):
        raise not_found("Subscription")
    return Response(status_code=204)
