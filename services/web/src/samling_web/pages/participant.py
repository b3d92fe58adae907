"""More of my registration behind the private link: mark pre-work and follow-up as done, the
evaluation once the event has taken place, my calendar feed, and erasing my data.

Every change is a plain form POST (CSRF-protected) that goes back to ``/r/{token}`` with what
happened; erasing asks first on a page of its own, as cancelling does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from samling_web.deps import ID_PATTERN, IdPath, TokenPath, Web, WebDep
from samling_web.evaluation import FIELDS, read_evaluation
from samling_web.i18n import N_
from samling_web.pages.manage import NOTICE, Mine, act, mine_of
from samling_web.security import PRIVATE_LINK, check_csrf
from samling_web.upstream_api import Refused

router = APIRouter()
MARKED = N_("Marked as done. Thank you!")
EVALUATED = N_("Thank you for your evaluation.")
ERASED = N_(
    "Your name, e-mail address and answers are erased, and your seats at events still to come "
    "are given up."
)
NOT_OPEN = N_("The evaluation opens when the event has started.")
RegistrationQuery = Annotated[str | None, Query(pattern=ID_PATTERN)]


def evaluable(item: Mine, web: Web) -> bool:
    return item.registration.status == "confirmed" and item.event.starts_at <= web.clock.now()


async def _form_registration(request: Request) -> str:
    form = await request.form()
    check_csrf(request.session, form)
    registration_id = form.get("registration_id")
    if not isinstance(registration_id, str) or not registration_id:
        raise HTTPException(400)
    return registration_id


@router.post("/r/{token}/assignments/{assignment_id}", summary="Mark an assignment as done")
async def mark_done(
    request: Request, token: TokenPath, assignment_id: IdPath, web: WebDep
) -> Response:
    registration_id = await _form_registration(request)
    return await act(
        request, token, MARKED, web.services.mark_done(token, registration_id, assignment_id)
    )


async def _evaluation_page(
    request: Request,
    web: Web,
    token: str,
    chosen: str | None,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    open_ = [item for item in await mine_of(web, token) if evaluable(item, web)]
    # The one asked for, else the latest event that has taken place.
    picked = next((i for i in open_ if i.registration.id == chosen), None) if chosen else None
    if chosen and picked is None:
        raise HTTPException(404)
    item = picked or max(open_, key=lambda i: i.event.starts_at, default=None)
    return web.pages.render(
        request,
        "evaluation.html",
        status=status,
        headers=PRIVATE_LINK,
        token=token,
        item=item,
        values=values or dict.fromkeys(FIELDS, ""),
        errors=errors or {},
        problem=problem,
    )


@router.get("/r/{token}/evaluation", response_class=HTMLResponse, summary="The evaluation form")
async def evaluation(
    request: Request, token: TokenPath, web: WebDep, registration: RegistrationQuery = None
) -> HTMLResponse:
    return await _evaluation_page(request, web, token, registration)


@router.post("/r/{token}/evaluation", summary="Send the evaluation")
async def evaluate(request: Request, token: TokenPath, web: WebDep) -> Response:
    registration_id = await _form_registration(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    answer, errors = read_evaluation(form)
    if errors:
        return await _evaluation_page(
            request, web, token, registration_id, values=form, errors=errors, status=422
        )
    try:
        await web.services.evaluate(token, registration_id, answer)
    except Refused as refused:
        if refused.status == 404:
            raise HTTPException(404) from refused
        return await _evaluation_page(
            request, web, token, registration_id, values=form, problem=NOT_OPEN, status=409
        )
    request.session[NOTICE] = EVALUATED
    return RedirectResponse(f"/r/{token}", status_code=303, headers=PRIVATE_LINK)


@router.get("/r/{token}/calendar.ics", summary="My calendar feed")
async def my_feed(token: TokenPath, web: WebDep) -> Response:
    ics = await web.services.my_feed(token)
    if ics is None:
        raise HTTPException(404)
    return Response(ics, media_type="text/calendar; charset=utf-8", headers=PRIVATE_LINK)


@router.get("/r/{token}/erase", response_class=HTMLResponse, summary="Confirm erasing my data")
async def confirm_erase(request: Request, token: TokenPath, web: WebDep) -> HTMLResponse:
    mine = await mine_of(web, token)
    return web.pages.render(request, "erase.html", headers=PRIVATE_LINK, token=token, mine=mine)


@router.post("/r/{token}/erase", summary="Erase my data")
async def erase(request: Request, token: TokenPath, web: WebDep) -> Response:
    check_csrf(request.session, await request.form())
    return await act(request, token, ERASED, web.services.forget_me(token))
