"""What the coordinator's workspace pages share: who may use them, and calling the events API
with the signed-in person's own token (so the events service decides what they may see)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel
from samling_runtime.auth import Role
from starlette.exceptions import HTTPException

from samling_web.deps import Web
from samling_web.models import Upstream
from samling_web.signin_state import NotAllowed, SignedIn, SignInRequired
from samling_web.upstream_api import Api, checked

PRIVATE = {"Cache-Control": "no-store"}
M = TypeVar("M", bound=BaseModel)


def administered(user: SignedIn) -> str:
    """The municipality this person administers; anyone else may not use the page."""
    municipality = user.administers()
    if municipality is None:
        raise NotAllowed
    return municipality


def answered(response: httpx.Response) -> Any:
    """The body of a service's answer to the person; its refusals as the pages' own answers."""
    refused(response)
    checked(response)
    return response.json()


def refused(response: httpx.Response) -> None:
    """An expired token asks them to sign in again, a refusal is the page's 403, a thing they
    may not know of is its 404."""
    if response.status_code == 401:
        raise SignInRequired
    if response.status_code == 403:
        raise NotAllowed
    if response.status_code == 404:
        raise HTTPException(404)


def coordinated(user: SignedIn) -> str:
    """The region this person coordinates; anyone else may not use the page."""
    if Role.COORDINATOR not in user.roles or not user.region_id:
        raise NotAllowed
    return user.region_id


async def as_person(
    web: Web,
    user: SignedIn,
    method: str,
    path: str,
    *,
    api: Api | None = None,
    allow_missing: bool = False,
    **kwargs: Any,
) -> httpx.Response:
    """A call to a service's API (the events API unless told) as the person: its refusals as
    the pages' own answers (see :func:`refused`), a 404 too unless ``allow_missing`` (the caller
    reads the 404 itself)."""
    service = api or web.services.events
    headers = {**(kwargs.pop("headers", None) or {}), **user.bearer()}
    response = await service.request(method, path, headers=headers, **kwargs)
    if not (allow_missing and response.status_code == 404):
        refused(response)
    return response


async def read(web: Web, user: SignedIn, model: type[M], path: str, **kwargs: Any) -> M:
    response = await as_person(web, user, "GET", path, **kwargs)
    checked(response)
    return model.model_validate(response.json())


class Figures(Upstream):
    """An event's figures (events ``GET /events/{id}/figures``)."""

    event_id: str
    capacity: int
    seats_taken: int
    waitlisted: int
    offered: int
    pending_approval: int
    checked_in: int


class Registration(Upstream):
    """A registration as the coordinator sees it (events ``GET /events/{id}/registrations``)."""

    id: str
    municipality_id: str
    role: str = ""
    status: str
    name: str | None = None
    email: str | None = None
    arrived_at: datetime
    offer_expires_at: datetime | None = None
    attended: bool | None = None
    waiting_position: int | None = None


class Registrations(Upstream):
    items: list[Registration]
    next_cursor: str | None = None


async def every_registration(web: Web, user: SignedIn, event_id: str) -> list[Registration]:
    """An event's registrations in arrival order, every page (the API's largest is 500)."""
    found: list[Registration] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = await read(
            web, user, Registrations, f"/events/{event_id}/registrations", params=params
        )
        found += page.items
        cursor = page.next_cursor
        if not cursor:
            return found
