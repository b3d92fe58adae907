"""CSRF tokens, signed idempotency keys and the security headers of every response.

CSRF: the synchroniser-token pattern. Each session (Starlette's signed cookie, HttpOnly,
SameSite=Lax, Secure outside development) holds a random token; every form carries it in a
hidden field, and a POST whose field does not match is refused before anything is called.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Mapping

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_FIELD = "csrf_token"
# One person's own page, mostly opened with a mail's private link (its token is in the address):
# never stored, and its address never sent on to another site as the Referer.
PRIVATE_LINK = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
SESSION_CSRF = "csrf"

# No inline script or style anywhere: htmx is told not to inject its indicator styles
# (see base.html), and Designsystemet's icons are data: URLs in its CSS.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


class CsrfRefused(Exception):
    """A form came without this session's token: a forged or stale form."""


def csrf_token(session: dict[str, object]) -> str:
    """This session's token, made on first use."""
    token = session.get(SESSION_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[SESSION_CSRF] = token
    return token


def check_csrf(session: Mapping[str, object], form: Mapping[str, object]) -> None:
    expected = session.get(SESSION_CSRF)
    sent = form.get(CSRF_FIELD)
    if not (
        isinstance(expected, str)
        and isinstance(sent, str)
        and hmac.compare_digest(expected.encode(), sent.encode())
    ):
        raise CsrfRefused


class IdempotencyKeys:
    """An Idempotency-Key made when a form is rendered, signed so it cannot be swapped for
    another form's: a double click, a reload or back-and-submit sends the same key, and the
    events API registers once."""

    def __init__(self, secret: str) -> None:
        self._signer = URLSafeSerializer(secret, salt="samling-web.idempotency")

    def issue(self, purpose: str) -> str:
        signed: str = self._signer.dumps({"p": purpose, "k": uuid.uuid4().hex})
        return signed

    def key(self, signed: str, purpose: str) -> str | None:
        """The key inside a signed value made for ``purpose``; None if it was not."""
        try:
            value = self._signer.loads(signed)
        except BadSignature:
            return None
        if not isinstance(value, dict) or value.get("p") != purpose:
            return None
        key = value.get("k")
        return key if isinstance(key, str) else None


def security_headers(*, hsts: bool, form_targets: tuple[str, ...] = ()) -> dict[str, str]:
    """The headers every answer carries (pages, assets and errors alike)."""
    # Sign-out is a form whose answer redirects to the identity provider's end-session
    # endpoint, and browsers hold redirects after a form to form-action too.
    policy = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", " ".join(["form-action 'self'", *form_targets])
    )
    headers = {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    }
    if hsts:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


class SecurityHeaders:
    """Adds the security headers to every response the app sends (a crash's page is answered
    outside the middleware, so its handler adds them itself: see errors.py); a header the
    route set itself is kept."""

    def __init__(self, app: ASGIApp, *, headers: Mapping[str, str]) -> None:
        self.app = app
        # Encoded once: the ASGI message carries raw lower-case byte pairs.
        self.raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(pair for pair in self.raw if pair[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
