"""Signed reader links: a mail's link to a report only its recipient's networks may read.

The notifications service signs one per recipient (HMAC, a secret it shares with the web app),
carrying the report, the recipient, the report's region and an expiry; the web app verifies it
before reading the report with its own credential of that region. Shared here because two
services must agree on the format and neither may import the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import jwt

AUDIENCE = "samling-report-reader"


@dataclass(frozen=True)
class ReaderLink:
    report_id: str
    recipient_id: str
    region_id: str


def sign_reader_link(link: ReaderLink, secret: str, expires_at: datetime) -> str:
    claims = {
        "aud": AUDIENCE,
        "sub": link.recipient_id,
        "report": link.report_id,
        "region": link.region_id,
        "exp": int(expires_at.timestamp()),
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def verify_reader_link(token: str, secret: str, report_id: str) -> ReaderLink | None:
    """The link if it is signed with ``secret``, not expired and made for ``report_id``."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=AUDIENCE,
            options={"require": ["exp", "sub", "aud"]},
        )
    except jwt.PyJWTError:
        return None
    found = ReaderLink(
        report_id=str(claims.get("report", "")),
        recipient_id=str(claims["sub"]),
        region_id=str(claims.get("region", "")),
    )
    return found if found.report_id == report_id and found.region_id else None
