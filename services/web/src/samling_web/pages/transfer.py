"""The transfer plan (issue #17): the participant and their manager plan, in three
conversations (before, during and after the event), how what was learnt is put to use.

The participant opens it from "my registration" (``/r/{token}/transfer/{registration_id}``),
the manager from the private link in their mail (``/transfer/{token}``; the events API's mails
link ``/t/{token}``, which shows the same page). Both may write notes, mark a conversation held,
and propose, agree to or withdraw its sharing: plain form POSTs (CSRF-protected) that go back to
the page with what happened. The questions come in English from the events API and are shown
from the catalogues here.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from samling_web.deps import IdPath, TokenPath, Web, WebDep
from samling_web.i18n import N_
from samling_web.pages.manage import NOTICE
from samling_web.security import PRIVATE_LINK, check_csrf
from samling_web.upstream_api import Refused

router = APIRouter()
ConversationPath = Annotated[str, Path(pattern=r"^(before|during|after)$")]
AudiencePath = Annotated[str, Path(pattern=r"^(coordinators|report_draft)$")]
ActionPath = Annotated[str, Path(pattern=r"^(propose|agree|withdraw)$")]
StepPath = Annotated[str, Path(pattern=r"^(notes|held)$")]

NAMED = N_("Your manager is named and gets an e-mail with their own link to the plan.")
NOT_NAMED = N_("Give your manager's name and a valid e-mail address.")
NOTED = N_("Your note is saved.")
EMPTY = N_("Write the note first.")
HELD = N_("The conversation is marked as held.")
NOT_DUE = N_("The conversation can be marked as held once it is due.")
SHARING = N_("The sharing is updated.")
NOT_SHARED = N_("That could not be done: the sharing has changed meanwhile. See what it is now.")

#: The events API's questions by (conversation, field id), as the catalogues hold them.
ACTIONS = N_("Actions: what will you do, who can help you, and when?")
SIGNS = N_("Signs: how will we see and hear that you approach the goals?")
EVALUATION = N_("Evaluation: who gives you feedback, and how do we evaluate the work?")
QUESTIONS: dict[tuple[str, str], str] = {
    ("before", "goals_me"): N_("Goals: what do you want to achieve, for yourself?"),
    ("before", "goals_organisation"): N_("Goals: what should the organisation gain?"),
    ("before", "context"): N_("Context: why these goals, and how do they fit the daily work?"),
    ("before", "actions"): ACTIONS,
    ("before", "signs"): SIGNS,
    ("before", "evaluation"): EVALUATION,
    ("during", "module_and_practice"): N_(
        "Context: how do the module and your daily practice play together now?"
    ),
    ("during", "goals_changed"): N_(
        "Goals: have the goals changed, or has the module shown you new ones?"
    ),
    ("during", "actions"): N_("Actions: what have you started, what not yet, and what stops you?"),
    ("during", "signs_seen"): N_("Signs: what have you and we seen so far?"),
    ("during", "next_steps"): N_(
        "Evaluation: how do we go on, and what do you need from me and the organisation?"
    ),
    ("after", "effect"): N_("Looking back: what effect did the module have?"),
    ("after", "went_well"): N_("Looking back: what went particularly well?"),
    ("after", "went_less_well"): N_("Looking back: what went less well?"),
    ("after", "new_goals"): N_(
        "New goals: what do we set out to achieve now, for you and the organisation?"
    ),
    ("after", "context"): N_("Context: why these goals, and how do they fit together?"),
    ("after", "actions"): ACTIONS,
    ("after", "signs"): SIGNS,
    ("after", "evaluation"): EVALUATION,
}
TITLES = {
    "before": N_("Before the event"),
    "during": N_("During the event"),
    "after": N_("After the event"),
}
AUDIENCES = {
    "coordinators": N_("Sharing with the network's coordinators"),
    "report_draft": N_("Sharing as a draft experience report for the municipality"),
}


def _mine(token: str, registration_id: str) -> tuple[str, str]:
    """The plan behind the participant's link: its path at the events API, and here."""
    return (
        f"/manage/{token}/registrations/{registration_id}/transfer",
        f"/r/{token}/transfer/{registration_id}",
    )


async def _page(request: Request, web: Web, base: str, here: str, back: str | None) -> Response:
    plan = await web.services.transfer_plan(base)
    if plan is None:
        raise HTTPException(404)
    event = await web.services.event(plan.event_id)
    if event is None:
        raise HTTPException(404)
    return web.pages.render(
        request,
        "transfer.html",
        headers=PRIVATE_LINK,
        plan=plan,
        event=event,
        plan_path=here,
        back=back,
        notice=request.session.pop(NOTICE, None),
        questions=QUESTIONS,
        titles=TITLES,
        audiences=AUDIENCES,
    )


async def _do(request: Request, web: Web, base: str, here: str, suffix: str, kind: str) -> Response:
    """A note, a held mark or a sharing step, then back to the plan (POST-redirect-GET)."""
    form = await request.form()
    check_csrf(request.session, form)
    body: dict[str, str] | None = None
    done, refused_notice = {"notes": (NOTED, EMPTY), "held": (HELD, NOT_DUE)}.get(
        kind, (SHARING, NOT_SHARED)
    )
    if kind == "notes":
        field, text = form.get("field"), form.get("text")
        if not isinstance(field, str) or not isinstance(text, str):
            raise HTTPException(400)
        if not text.strip():
            request.session[NOTICE] = EMPTY
            return RedirectResponse(here, status_code=303, headers=PRIVATE_LINK)
        body = {"field": field, "text": text}
    try:
        await web.services.transfer_post(base, suffix, body)
        request.session[NOTICE] = done
    except Refused as refused:
        if refused.status == 404:
            raise HTTPException(404) from refused
        request.session[NOTICE] = refused_notice
    return RedirectResponse(here, status_code=303, headers=PRIVATE_LINK)


# -- the participant's link ---------------------------------------------------------------------
@router.post("/r/{token}/transfer/{registration_id}/manager", summary="Name my manager")
async def name_manager(
    request: Request, token: TokenPath, registration_id: IdPath, web: WebDep
) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    name, email = form.get("manager_name"), form.get("manager_email")
    try:
        if not (isinstance(name, str) and isinstance(email, str) and name.strip()):
            raise Refused(422, {})
        await web.services.name_manager(token, registration_id, name.strip(), email.strip())
    except Refused as refused:
        if refused.status == 404:
            raise HTTPException(404) from refused
        request.session[NOTICE] = NOT_NAMED
        return RedirectResponse(f"/r/{token}", status_code=303, headers=PRIVATE_LINK)
    request.session[NOTICE] = NAMED
    return RedirectResponse(_mine(token, registration_id)[1], status_code=303, headers=PRIVATE_LINK)


@router.get(
    "/r/{token}/transfer/{registration_id}",
    response_class=HTMLResponse,
    summary="My transfer plan",
)
async def participant_plan(
    request: Request, token: TokenPath, registration_id: IdPath, web: WebDep
) -> Response:
    base, here = _mine(token, registration_id)
    return await _page(request, web, base, here, back=f"/r/{token}")


@router.post(
    "/r/{token}/transfer/{registration_id}/{conversation}/{step}",
    summary="Write a note or mark the conversation held (mine)",
)
async def participant_step(
    request: Request,
    token: TokenPath,
    registration_id: IdPath,
    conversation: ConversationPath,
    step: StepPath,
    web: WebDep,
) -> Response:
    base, here = _mine(token, registration_id)
    return await _do(request, web, base, here, f"/conversations/{conversation}/{step}", step)


@router.post(
    "/r/{token}/transfer/{registration_id}/{conversation}/sharing/{audience}/{action}",
    summary="Propose, agree to or withdraw sharing (mine)",
)
async def participant_sharing(
    request: Request,
    token: TokenPath,
    registration_id: IdPath,
    conversation: ConversationPath,
    audience: AudiencePath,
    action: ActionPath,
    web: WebDep,
) -> Response:
    base, here = _mine(token, registration_id)
    suffix = f"/conversations/{conversation}/sharing/{audience}/{action}"
    return await _do(request, web, base, here, suffix, "sharing")


# -- the manager's link -------------------------------------------------------------------------
@router.get("/transfer/{token}", response_class=HTMLResponse, summary="The transfer plan (manager)")
async def manager_plan(request: Request, token: TokenPath, web: WebDep) -> Response:
    return await _page(request, web, f"/transfer/{token}", f"/transfer/{token}", back=None)


@router.get("/t/{token}", response_class=HTMLResponse, summary="The manager's link in the mail")
async def manager_link(request: Request, token: TokenPath, web: WebDep) -> Response:
    """The events API's mails link here: the same page (its forms post under /transfer)."""
    return await manager_plan(request, token, web)


@router.post(
    "/transfer/{token}/{conversation}/{step}",
    summary="Write a note or mark the conversation held (manager)",
)
async def manager_step(
    request: Request, token: TokenPath, conversation: ConversationPath, step: StepPath, web: WebDep
) -> Response:
    base = f"/transfer/{token}"
    return await _do(request, web, base, base, f"/conversations/{conversation}/{step}", step)


@router.post(
    "/transfer/{token}/{conversation}/sharing/{audience}/{action}",
    summary="Propose, agree to or withdraw sharing (manager)",
)
async def manager_sharing(
    request: Request,
    token: TokenPath,
    conversation: ConversationPath,
    audience: AudiencePath,
    action: ActionPath,
    web: WebDep,
) -> Response:
    base = f"/transfer/{token}"
    suffix = f"/conversations/{conversation}/sharing/{audience}/{action}"
    return await _do(request, web, base, base, suffix, "sharing")
