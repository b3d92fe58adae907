"""Signing in with OpenID Connect: the authorization-code flow with PKCE (Authlib's Starlette
client) against ``SAMLING_WEB_OIDC_ISSUER``, and who the signed-in person is.

The sign-in is kept in the signed session cookie: the person's name, roles, region and
municipality (read from the verified ID token through the configurable claim names) and their
access token, which the pages pass to the services for that person's own requests. It ends at
the access token's expiry or after ``signin_max_seconds``, whichever is sooner, and on sign-out,
which also ends the session at the provider (RP-initiated logout).
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from authlib.integrations.starlette_client import (  # type: ignore[import-untyped]
    OAuth,
    OAuthError,
)
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from samling_web.deps import WebDep, local_path
from samling_web.errors import error_page
from samling_web.i18n import N_
from samling_web.security import SESSION_CSRF, check_csrf
from samling_web.settings import WebSettings
from samling_web.signin_state import SESSION_KEY, NotAllowed, SignInRequired, person

NEXT_KEY = "signin_next"
RETRY_SECONDS = 60
PROVIDER_DOWN = (
    N_("Signing in is not possible right now"),
    N_(
        "The service that checks who you are is not answering. The event calendar, "
        "registration and public reports work as usual. Try to sign in again in a few minutes."
    ),
)
OTHER_ROLE = (
    N_("You cannot use this page"),
    N_(
        "You are signed in, but this page is for someone with another role. "
        "Use the links in the menu at the top."
    ),
)
router = APIRouter()
log = logging.getLogger(__name__)


def oauth_client(settings: WebSettings) -> Any | None:
    if not settings.oidc_issuer:
        return None
    oauth = OAuth()
    return oauth.register(
        "samling",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        server_metadata_url=f"{settings.oidc_issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256"},
    )


def _client(request: Request) -> Any:
    client = getattr(request.app.state, "oauth", None)
    if client is None:
        raise _NoSignIn
    return client


class _NoSignIn(Exception):
    """Sign-in is not configured here: its pages do not exist."""


def _provider_down(request: Request, exc: Exception) -> HTMLResponse:
    """The identity provider did not answer (or failed): a page saying so, not a crash. Pages
    that need no sign-in never call it, so they keep working."""
    log.warning("identity provider unavailable: %s", type(exc).__name__)
    retry = {"Retry-After": str(RETRY_SECONDS)}
    return error_page(request.app.state.web.pages, request, 503, retry, PROVIDER_DOWN)


@router.get("/signin", response_model=None)
async def sign_in(request: Request, web: WebDep, next: str | None = None) -> Response:
    client = _client(request)
    request.session[NEXT_KEY] = local_path(next)
    callback = f"{web.settings.public_url.rstrip('/')}/signin/callback"
    try:
        response: Response = await client.authorize_redirect(request, callback)
    except httpx.HTTPError as exc:  # its metadata could not be read
        return _provider_down(request, exc)
    return response


@router.get("/signin/callback", response_model=None)
async def signed_in(request: Request, web: WebDep) -> Response:
    client = _client(request)
    try:
        token = await client.authorize_access_token(request)
    except OAuthError:
        return error_page(web.pages, request, 400)
    except httpx.HTTPError as exc:  # the code could not be exchanged, or its keys not read
        return _provider_down(request, exc)
    claims = token.get("userinfo") or {}
    if "sub" not in claims or "access_token" not in token:
        return error_page(web.pages, request, 400)
    user = person(claims, token, web.settings, time.time())
    next_path = local_path(request.session.pop(NEXT_KEY, None))
    # A new CSRF token for the signed-in session: none made before sign-in stays valid.
    request.session.pop(SESSION_CSRF, None)
    request.session[SESSION_KEY] = user.model_dump(mode="json")
    return RedirectResponse(next_path, status_code=303)


@router.post("/signout", response_model=None)
async def sign_out(request: Request, web: WebDep) -> Response:
    check_csrf(request.session, await request.form())
    request.session.pop(SESSION_KEY, None)
    request.session.pop(SESSION_CSRF, None)
    home = f"{web.settings.public_url.rstrip('/')}/"
    client = getattr(request.app.state, "oauth", None)
    if client is None:
        return RedirectResponse("/", status_code=303)
    try:
        metadata = await client.load_server_metadata()
    except httpx.HTTPError:  # signed out here; the provider's session ends on its own
        return RedirectResponse("/", status_code=303)
    end_session = metadata.get("end_session_endpoint")
    if not end_session:
        return RedirectResponse("/", status_code=303)
    query = urlencode({"client_id": web.settings.oidc_client_id, "post_logout_redirect_uri": home})
    return RedirectResponse(f"{end_session}?{query}", status_code=303)


def signin_form_targets(settings: WebSettings) -> tuple[str, ...]:
    """Where a form's answer may lead besides this site: the provider (sign-out goes there)."""
    if not settings.oidc_issuer:
        return ()
    parts = urlsplit(settings.oidc_issuer)
    return (f"{parts.scheme}://{parts.netloc}",)


def install_signin(app: FastAPI, settings: WebSettings) -> None:
    """The sign-in routes, the client, and the answers to pages that need a sign-in."""
    app.state.oauth = oauth_client(settings)
    app.include_router(router)

    async def required(request: Request, exc: Exception) -> Response:
        if getattr(request.app.state, "oauth", None) is None:
            return error_page(request.app.state.web.pages, request, 404)
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/signin?{urlencode({'next': here})}", status_code=303)

    async def not_allowed(request: Request, exc: Exception) -> HTMLResponse:
        return error_page(request.app.state.web.pages, request, 403, messages=OTHER_ROLE)

    async def no_signin(request: Request, exc: Exception) -> HTMLResponse:
        return error_page(request.app.state.web.pages, request, 404)

    app.add_exception_handler(SignInRequired, required)
    app.add_exception_handler(NotAllowed, not_allowed)
    app.add_exception_handler(_NoSignIn, no_signin)
