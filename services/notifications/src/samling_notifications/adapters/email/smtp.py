"""SMTP connections (``aiosmtplib``): one per sender task, kept open for many messages."""

from __future__ import annotations

import aiosmtplib
from samling_notifications.settings import NotificationsSettings


class PermanentFailure(Exception):
    """The server refused for good (5xx): retrying will not help."""


class TemporaryFailure(Exception):
    """Try again later (4xx, connection trouble)."""


def smtp_client(settings: NotificationsSettings) -> aiosmtplib.SMTP:
    return aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        start_tls=settings.smtp_starttls,
        timeout=30,
    )


def classified(code: int, message: str) -> Exception:
    reason = f"{code} {message}".strip()
    return PermanentFailure(reason) if 500 <= code < 600 else TemporaryFailure(reason)
