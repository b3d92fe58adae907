"""Preferences and unsubscribe, from the footer of every mail (``/preferences/{token}``,
``/unsubscribe/{token}``), and the same preferences for someone signed in (``/me/preferences``,
with their own token instead of the link).

The token is the notifications service's signed link for one recipient; it is the credential,
so these pages are never cached and never sent as a referrer. Both are plain forms (CSRF,
no JavaScript needed). The mail client's one-click unsubscribe (RFC 8058) still POSTs to the
notifications API itself.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from samling_web.deps import TokenPath, Web, WebDep
from samling_web.i18n import LANGUAGES, N_
from samling_web.models import Preferences
from samling_web.security import PRIVATE_LINK, check_csrf
from samling_web.signin_state import SignedInDep

router = APIRouter()
SAVED = "preferences_saved"
DIGESTS = ("immediate", "daily", "weekly")
DIGEST_LABELS = {
    "immediate": N_("At once, one e-mail per notice"),
    "daily": N_("Once a day, in one e-mail"),
    "weekly": N_("Once a week, in one e-mail"),
}


async def _current(web: Web, token: str) -> Preferences:
    found = await web.notifications.preferences(token)
    if found is None:
        raise HTTPException(404)
    return found


@router.get("/preferences/{token}", response_class=HTMLResponse, summary="My e-mail preferences")
async def preferences_page(request: Request, token: TokenPath, web: WebDep) -> HTMLResponse:
    return _page(request, web, f"/preferences/{token}", await _current(web, token))


async def _wanted(request: Request) -> dict[str, Any]:
    """The form's choices, after its CSRF token."""
    form = await request.form()
    check_csrf(request.session, form)
    language = form.get("language")
    digest = form.get("digest")
    return {
        # An unticked checkbox is not sent at all: absent means no.
        "email": form.get("email") == "on",
        "inbox": form.get("inbox") == "on",
        "language": language if language in LANGUAGES else None,
        "digest": digest if digest in DIGESTS else "immediate",
        "unsubscribed": form.get("unsubscribed") == "on",
    }


def _page(request: Request, web: Web, action: str, preferences: Preferences) -> HTMLResponse:
    return web.pages.render(
        request,
        "preferences.html",
        headers=PRIVATE_LINK,
        action=action,
        preferences=preferences,
        saved=bool(request.session.pop(SAVED, False)),
        digests=DIGEST_LABELS,
    )


@router.post("/preferences/{token}", summary="Save my e-mail preferences")
async def save_preferences(request: Request, token: TokenPath, web: WebDep) -> Response:
    wanted = await _wanted(request)
    await _current(web, token)
    await web.notifications.save(token, wanted)
    request.session[SAVED] = True
    return RedirectResponse(f"/preferences/{token}", status_code=303, headers=PRIVATE_LINK)


@router.get("/me/preferences", response_class=HTMLResponse, summary="My preferences, signed in")
async def my_preferences_page(request: Request, web: WebDep, user: SignedInDep) -> HTMLResponse:
    """The same choices for everyone signed in, with their own token: they apply to every
    address the notifications service knows them by."""
    preferences = await web.notifications.my_preferences(user.bearer())
    return _page(request, web, "/me/preferences", preferences)


@router.post("/me/preferences", summary="Save my preferences, signed in")
async def save_my_preferences(request: Request, web: WebDep, user: SignedInDep) -> Response:
    await web.notifications.save_mine(user.bearer(), await _wanted(request))
    request.session[SAVED] = True
    return RedirectResponse("/me/preferences", status_code=303, headers=PRIVATE_LINK)


@router.get("/unsubscribe/{token}", response_class=HTMLResponse, summary="Confirm unsubscribing")
async def unsubscribe_page(request: Request, token: TokenPath, web: WebDep) -> HTMLResponse:
    """GET changes nothing (mail scanners follow links): the button below does."""
    current = await _current(web, token)
    return web.pages.render(
        request, "unsubscribe.html", headers=PRIVATE_LINK, token=token, done=current.unsubscribed
    )


@router.post("/unsubscribe/{token}", response_class=HTMLResponse, summary="Unsubscribe")
async def unsubscribe(request: Request, token: TokenPath, web: WebDep) -> HTMLResponse:
    check_csrf(request.session, await request.form())
    await _current(web, token)
    await web.notifications.unsubscribe(token)
    return web.pages.render(
        request, "unsubscribe.html", headers=PRIVATE_LINK, token=token, done=True
    )
