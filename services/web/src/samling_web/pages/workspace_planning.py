"""Planning for the region's coordinator (``/workspace/planning``, issue #13): the drafts and
upcoming events to plan, a new event from a plain form, and a dialogue conference from one of
its three shapes (a question page, then the form). A new event is a draft: the coordinator
lands on its planning page (``workspace_plan``), which shows any conflicts at once.

Every call goes with the coordinator's own token, so the events API decides what they may do.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from samling_web.deps import Web, WebDep
from samling_web.i18n import N_
from samling_web.models import EventPage
from samling_web.planning import HOME, done, refusal_errors, send
from samling_web.planning_form import (
    TEMPLATE_HINTS,
    TEMPLATE_MISSING,
    TEMPLATES,
    TIMEZONES,
    NewEvent,
)
from samling_web.security import check_csrf
from samling_web.signin_state import SignedIn, SignedInDep
from samling_web.upstream_api import Refused
from samling_web.vocabulary import EVENT_KINDS
from samling_web.workspace import PRIVATE, coordinated, read

router = APIRouter(prefix=HOME)
CREATED = N_("“%(title)s” is saved as a draft. Only coordinators see it until you publish it.")
FIELDS = (
    *("title", "kind", "network_id", "starts_on", "starts_time", "ends_on", "ends_time"),
    *("timezone", "venue", "online_url", "capacity", "description"),
)
EXPIRED = N_("The form had expired. Check what you typed and send it again.")
Template = Annotated[str, Query(max_length=30)]


@router.get("", response_class=HTMLResponse)
async def planning(request: Request, web: WebDep, user: SignedInDep) -> HTMLResponse:
    region = coordinated(user)
    params: dict[str, Any] = {
        "region_id": region,
        "starts_after": web.clock.now().isoformat(),
        "limit": 100,
    }
    page = await read(web, user, EventPage, "/events", params=params)
    active = [e for e in page.items if e.status != "cancelled"]
    return web.pages.render(
        request,
        "workspace/planning/home.html",
        drafts=[e for e in active if e.status == "draft"],
        published=[e for e in active if e.status != "draft"],
        headers=PRIVATE,
    )


async def _form(
    request: Request,
    web: Web,
    user: SignedIn,
    draft: NewEvent,
    *,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    form_key: str = "",
    status: int = 200,
) -> HTMLResponse:
    networks = await web.services.networks(coordinated(user))
    action = f"{HOME}/conference/new?template={draft.template}" if draft.template else f"{HOME}/new"
    return web.pages.render(
        request,
        "workspace/planning/new.html",
        status=status,
        draft=draft,
        action=action,
        errors=errors or {},
        problem=problem,
        form_key=form_key or web.keys.issue(f"plan:{user.subject}"),
        networks=networks,
        kinds=EVENT_KINDS,
        timezones=TIMEZONES,
        template_name=TEMPLATES.get(draft.template or ""),
        headers=PRIVATE,
    )


async def _create(request: Request, web: Web, user: SignedIn, template: str | None) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    region = coordinated(user)
    draft = NewEvent.read(form, template)
    errors = draft.check({n.id for n in await web.services.networks(region)})
    signed = str(form.get("form_key") or "")
    key = web.keys.key(signed, f"plan:{user.subject}")
    if errors or key is None:  # an old or forged form key: the form again with a fresh one
        problem = EXPIRED if key is None and not errors else None
        return await _form(request, web, user, draft, errors=errors, problem=problem, status=422)
    try:
        created = await send(
            web,
            user,
            "POST",
            "/events/from-template" if template else "/events",
            json=draft.payload(),
            headers={"Idempotency-Key": key},
        )
    except Refused as refused:
        errors, problem = refusal_errors(refused, FIELDS)
        return await _form(
            request, web, user, draft, errors=errors, problem=problem, form_key=signed, status=422
        )
    event = created["event"] if template else created
    return done(request, CREATED, event["title"], event["id"])


@router.get("/new", response_class=HTMLResponse)
async def new_event(request: Request, web: WebDep, user: SignedInDep) -> HTMLResponse:
    return await _form(request, web, user, NewEvent(kind="network_meeting"))


@router.post("/new", response_model=None)
async def create_event(request: Request, web: WebDep, user: SignedInDep) -> Response:
    return await _create(request, web, user, None)


@router.get("/conference", response_class=HTMLResponse)
async def choose_template(request: Request, web: WebDep, user: SignedInDep) -> HTMLResponse:
    coordinated(user)
    return _question(request, web, {})


def _question(request: Request, web: Web, errors: dict[str, str]) -> HTMLResponse:
    return web.pages.render(
        request,
        "workspace/planning/template.html",
        status=422 if errors else 200,
        templates=TEMPLATES,
        hints=TEMPLATE_HINTS,
        errors=errors,
        problem=None,
        headers=PRIVATE,
    )


@router.get("/conference/new", response_class=HTMLResponse)
async def conference_form(
    request: Request, web: WebDep, user: SignedInDep, template: Template = ""
) -> HTMLResponse:
    coordinated(user)
    if template not in TEMPLATES:  # the question was not answered
        return _question(request, web, {"template": TEMPLATE_MISSING})
    return await _form(request, web, user, NewEvent(template=template))


@router.post("/conference/new", response_model=None)
async def create_conference(
    request: Request, web: WebDep, user: SignedInDep, template: Template = ""
) -> Response:
    if template not in TEMPLATES:
        coordinated(user)
        return _question(request, web, {"template": TEMPLATE_MISSING})
    return await _create(request, web, user, template)
