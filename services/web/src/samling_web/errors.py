"""Every error is a page in the reader's language: never a stack trace, never JSON."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from samling_runtime.body_limit import BodyLimit
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from samling_web.i18n import N_
from samling_web.rendering import Pages
from samling_web.security import CsrfRefused
from samling_web.upstream_api import UpstreamDown

log = logging.getLogger(__name__)

# (heading, explanation) per status; the page says what the reader can do next.
MESSAGES = {
    400: (N_("The request was not understood"), N_("Go back and try again.")),
    403: (
        N_("The form had expired"),
        N_("For your safety, forms expire. Go back, reload the page and send the form again."),
    ),
    404: (
        N_("Page not found"),
        N_("Check the address, or use the link we e-mailed you. Old links may have expired."),
    ),
    405: (N_("The request was not understood"), N_("Go back and try again.")),
    413: (N_("Too much was sent"), N_("Shorten what you wrote and send the form again.")),
    500: (
        N_("Something went wrong on our side"),
        N_("Nothing you did caused this. Please try again in a few minutes."),
    ),
    503: (
        N_("Samling is not available right now"),
        N_("Part of the service is not answering. Please try again in a few minutes."),
    ),
}


def error_page(
    pages: Pages,
    request: Request,
    status: int,
    headers: Mapping[str, str] | None = None,
    messages: tuple[str, str] | None = None,
) -> HTMLResponse:
    """The error page for ``status``: with the status's usual (heading, explanation), or with
    ``messages`` where the page knows better what happened."""
    heading, explanation = messages or MESSAGES.get(status, MESSAGES[500])
    return pages.render(
        request,
        "error.html",
        status=status,
        heading=heading,
        explanation=explanation,
        headers={**(headers or {}), "Cache-Control": "no-store"},
    )


def install_error_pages(app: FastAPI, pages: Pages, security: Mapping[str, str]) -> None:
    """``security``: the security headers, which the crash page adds itself: Starlette answers
    a crash outside every middleware of the app."""

    async def http_error(request: Request, exc: Exception) -> HTMLResponse:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        return error_page(pages, request, status if status in MESSAGES else 400)

    async def invalid(request: Request, exc: Exception) -> HTMLResponse:
        # Only paths and query strings are validated by FastAPI here (forms are read by the
        # pages themselves), so a malformed id or link is a page that does not exist.
        return error_page(pages, request, 404)

    async def forged(request: Request, exc: Exception) -> HTMLResponse:
        return error_page(pages, request, 403)

    async def upstream_down(request: Request, exc: Exception) -> HTMLResponse:
        log.warning("upstream unavailable: %s", exc)
        return error_page(pages, request, 503)

    async def crashed(request: Request, exc: Exception) -> HTMLResponse:
        log.exception("page failed", exc_info=exc)
        return error_page(pages, request, 500, security)

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(CsrfRefused, forged)
    app.add_exception_handler(UpstreamDown, upstream_down)
    app.add_exception_handler(Exception, crashed)


class HtmlBodyLimit(BodyLimit):
    """The shared body limit, answered with a page instead of problem details."""

    def __init__(self, app: ASGIApp, max_bytes: int, pages: Pages) -> None:
        super().__init__(app, max_bytes)
        self.pages = pages

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_page(self.pages, Request(scope), 413)
        await response(scope, receive, send)
