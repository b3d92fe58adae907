"""Groups for a dialogue conference's part 3 (``/workspace/events/{event_id}/groups``):
experience sharing in groups across municipalities. The coordinator sees each group with its
people and municipalities, allocates them (the events API mixes municipalities), moves one
person with a plain form, and allocates again after more have registered: the events API
keeps the people moved by hand in the groups they were moved to.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from samling_web.deps import IdPath, Web, WebDep
from samling_web.i18n import N_
from samling_web.models import Event, Upstream
from samling_web.security import check_csrf
from samling_web.signin_state import SignedIn, SignedInDep
from samling_web.workspace import (
    PRIVATE,
    Registration,
    as_person,
    coordinated,
    every_registration,
    read,
)

router = APIRouter(prefix="/workspace/events/{event_id}/groups")
NOTICE = "groups_notice"
SIZES = range(2, 51)
DEFAULT_SIZE = 6

ALLOCATED = N_("The groups are allocated. People you moved stay in the group you moved them to.")
MOVED = N_("%(name)s is moved.")
NOT_MOVED = N_("That move did not work: allocate the groups again to include those not in one.")
SIZE_INVALID = N_("Enter a group size, a whole number from 2 to 50")


class Group(Upstream):
    number: int
    registration_ids: list[str]


class Groups(Upstream):
    """An event's groups (events ``GET /events/{id}/groups``)."""

    size: int
    groups: list[Group]
    moves: dict[str, int] = {}


async def _groups(web: Web, user: SignedIn, event_id: str) -> Groups | None:
    """The groups, or None before the first allocation (the event itself was read first, so
    its 404 here means no groups yet)."""
    response = await as_person(web, user, "GET", f"/events/{event_id}/groups", allow_missing=True)
    if response.status_code == 404:
        return None
    return Groups.model_validate(response.json())


def _page(
    request: Request,
    web: Web,
    event: Event,
    groups: Groups | None,
    people: list[Registration],
    names: dict[str, str],
    *,
    size: str = "",
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    by_id = {r.id: r for r in people}
    grouped = {r for g in (groups.groups if groups else []) for r in g.registration_ids}
    shown = [
        (
            group,
            [by_id[r] for r in group.registration_ids if r in by_id],
            sorted({names.get(by_id[r].municipality_id, "") for r in group.registration_ids
                    if r in by_id}),
        )
        for group in (groups.groups if groups else [])
    ]  # fmt: skip
    return web.pages.render(
        request,
        "workspace/groups.html",
        status=400 if errors else 200,
        event=event,
        groups=shown,
        moved=groups.moves if groups else {},
        outside=[r for r in people if r.id not in grouped],
        names=names,
        size=size or str(groups.size if groups else DEFAULT_SIZE),
        errors=errors or {},
        problem=None,
        notice=request.session.pop(NOTICE, None),
        headers=PRIVATE,
    )


async def _everything(
    web: Web, user: SignedIn, event_id: str
) -> tuple[Event, Groups | None, list[Registration], dict[str, str]]:
    region = coordinated(user)
    event = await read(web, user, Event, f"/events/{event_id}")
    groups, registrations, municipalities = await asyncio.gather(
        _groups(web, user, event_id),
        every_registration(web, user, event_id),
        web.services.municipalities(region),
    )
    confirmed = [r for r in registrations if r.status == "confirmed"]
    return event, groups, confirmed, {m.id: m.name for m in municipalities}


@router.get("", response_class=HTMLResponse)
async def groups_page(
    request: Request, event_id: IdPath, web: WebDep, user: SignedInDep
) -> HTMLResponse:
    return _page(request, web, *await _everything(web, user, event_id))


@router.post("", response_model=None)
async def allocate(request: Request, event_id: IdPath, web: WebDep, user: SignedInDep) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    coordinated(user)
    size = str(form.get("size") or "").strip()[:10]
    if not size.isdigit() or int(size) not in SIZES:
        found = await _everything(web, user, event_id)
        return _page(request, web, *found, size=size, errors={"size": SIZE_INVALID})
    answer = await as_person(
        web, user, "POST", f"/events/{event_id}/groups", json={"size": int(size)}
    )
    ok = answer.status_code < 400
    request.session[NOTICE] = {"text": ALLOCATED if ok else NOT_MOVED, "ok": ok}
    return RedirectResponse(f"/workspace/events/{event_id}/groups", status_code=303)


@router.post("/moves", response_model=None)
async def move(request: Request, event_id: IdPath, web: WebDep, user: SignedInDep) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    coordinated(user)
    registration_id = str(form.get("registration_id") or "")[:100]
    group = str(form.get("group") or "")
    name = str(form.get("name") or "")[:200]
    answer = None
    if group.isdigit():
        answer = await as_person(
            web, user, "POST", f"/events/{event_id}/groups/moves",
            json={"registration_id": registration_id, "group": int(group)}, allow_missing=True,
        )  # fmt: skip
    ok = answer is not None and answer.status_code < 400
    request.session[NOTICE] = {"text": MOVED if ok else NOT_MOVED, "ok": ok, "name": name}
    return RedirectResponse(
        f"/workspace/events/{event_id}/groups#g-{registration_id}", status_code=303
    )
