"""The signed-in person's inbox (``/me/inbox``): their notices, newest first, a page at a
time, each marked read or unread by a plain form (POST, then back to the same page).

The notifications API is called with the person's own token, so it decides whose notices they
are; everyone signed in has an inbox (an administrator is told there of registrations waiting
for approval, a participant of her own).
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from samling_web.deps import IdPath, WebDep
from samling_web.i18n import N_
from samling_web.rendering import reader_language
from samling_web.security import check_csrf
from samling_web.signin_state import SignedInDep
from samling_web.upstream_api import Refused
from samling_web.workspace import PRIVATE

router = APIRouter(prefix="/me/inbox")
NOTICE = "inbox_notice"
CURSOR = r"^[A-Za-z0-9_=-]{1,500}$"
MARKED = {True: N_("Marked as read."), False: N_("Marked as unread.")}
CursorQuery = Annotated[str | None, Query(pattern=CURSOR)]
# A notice has no time zone of its own: its time is shown in the reader's language's country.
TIME_ZONES = {"sv": "Europe/Stockholm", "da": "Europe/Copenhagen"}


@router.get("", response_class=HTMLResponse, summary="My inbox")
async def inbox(
    request: Request, web: WebDep, user: SignedInDep, cursor: CursorQuery = None
) -> HTMLResponse:
    try:
        found = await web.notifications.inbox(user.bearer(), cursor)
    except Refused as refused:  # a cursor the API does not know: there is no such page
        raise HTTPException(404) from refused
    return web.pages.render(
        request,
        "inbox.html",
        headers=PRIVATE,
        entries=found.items,
        cursor=cursor or "",
        next_cursor=found.next_cursor,
        notice=request.session.pop(NOTICE, None),
        timezone=TIME_ZONES.get(reader_language(request), "Europe/Oslo"),
    )


async def _mark(
    request: Request, web: WebDep, user: SignedInDep, notice_id: str, read: bool
) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    try:
        await web.notifications.mark(user.bearer(), notice_id, read)
    except Refused as refused:
        raise HTTPException(404 if refused.status == 404 else 400) from refused
    request.session[NOTICE] = MARKED[read]
    cursor = form.get("cursor")
    page = isinstance(cursor, str) and re.fullmatch(CURSOR, cursor)
    back = f"/me/inbox?cursor={cursor}" if page else "/me/inbox"
    return RedirectResponse(f"{back}#n-{notice_id}", status_code=303, headers=PRIVATE)


@router.post("/{notice_id}/read", summary="Mark a notice read")
async def mark_read(
    request: Request, notice_id: IdPath, web: WebDep, user: SignedInDep
) -> Response:
    return await _mark(request, web, user, notice_id, True)


@router.post("/{notice_id}/unread", summary="Mark a notice unread")
async def mark_unread(
    request: Request, notice_id: IdPath, web: WebDep, user: SignedInDep
) -> Response:
    return await _mark(request, web, user, notice_id, False)
