"""Preferences and unsubscribe, from the footer of every mail (``/preferences/{token}``,
``/unsubscribe/{token}``).

The token is the notifications service's signed link for one recipient; it is the credential,
so these pages are never cached and never sent as a referrer. Both are plain forms (CSRF,
no JavaScript needed). The mail client's one-click unsubscribe (RFC 8058) still POSTs to the
notifications API itself.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from samling_web.deps import TokenPath, Web, WebDep
from samling_web.i18n import LANGUAGES, N_
from samling_web.models import Preferences
from samling_web.security import check_csrf

router = APIRouter()
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
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
    return web.pages.render(
        request,
        "preferences.html",
        headers=PRIVATE,
        token=token,
        preferences=await _current(web, token),
        saved=bool(request.session.pop(SAVED, False)),
        digests=DIGEST_LABELS,
    )


@router.post("/preferences/{token}", summary="Save my e-mail preferences")
async def save_preferences(request: Request, token: TokenPath, web: WebDep) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    await _current(web, token)
    language = form.get("language")
    digest = form.get("digest")
    await web.notifications.save(
        token,
        {
            # An unticked checkbox is not sent at all: absent means no.
            "email": form.get("email") == "on",
            "inbox": form.get("inbox") == "on",
            "language": language if language in LANGUAGES else None,
            "digest": digest if digest in DIGESTS else "immediate",
            "unsubscribed": form.get("unsubscribed") == "on",
        },
    )
    request.session[SAVED] = True
    return RedirectResponse(f"/preferences/{token}", status_code=303, headers=PRIVATE)


@router.get("/unsubscribe/{token}", response_class=HTMLResponse, summary="Confirm unsubscribing")
async def unsubscribe_page(request: Request, token: TokenPath, web: WebDep) -> HTMLResponse:
    """GET changes nothing (mail scanners follow links): the button below does."""
    current = await _current(web, token)
    return web.pages.render(
        request, "unsubscribe.html", headers=PRIVATE, token=token, done=current.unsubscribed
    )


@router.post("/unsubscribe/{token}", response_class=HTMLResponse, summary="Unsubscribe")
async def unsubscribe(request: Request, token: TokenPath, web: WebDep) -> HTMLResponse:
    check_csrf(request.session, await request.form())
    await _current(web, token)
    await web.notifications.unsubscribe(token)
    return web.pages.render(request, "unsubscribe.html", headers=PRIVATE, token=token, done=True)
