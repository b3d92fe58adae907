"""Signed one-click links: unsubscribe and preferences without signing in (RFC 8058)."""

from __future__ import annotations

import jwt

AUDIENCE = "samling-unsubscribe"


def sign_recipient(recipient_id: str, secret: str) -> str:
    return jwt.encode({"sub": recipient_id, "aud": AUDIENCE}, secret, algorithm="HS256")


def verify_recipient(token: str, secret: str) -> str | None:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE)
    except jwt.PyJWTError:
        return None
    subject = claims.get("sub")
    return subject if isinstance(subject, str) else None
