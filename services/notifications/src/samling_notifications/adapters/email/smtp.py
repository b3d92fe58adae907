"""SMTP connections kept open and reused (``aiosmtplib``), a few at a time."""

from __future__ import annotations

import asyncio
import contextlib
from email.message import EmailMessage

import aiosmtplib
from samling_notifications.settings import NotificationsSettings


class PermanentFailure(Exception):
    """The server refused for good (5xx): retrying will not help."""


class TemporaryFailure(Exception):
    """Try again later (4xx, connection trouble)."""


class SmtpPool:
    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings
        self._idle: asyncio.Queue[aiosmtplib.SMTP] = asyncio.Queue()
        for _ in range(max(1, settings.smtp_connections)):
            self._idle.put_nowait(self._client())

    def _client(self) -> aiosmtplib.SMTP:
        s = self._settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            start_tls=s.smtp_starttls,
            timeout=30,
        )

    async def send(self, message: EmailMessage) -> str:
        client = await self._idle.get()
        try:
            if not client.is_connected:
                await client.connect()
            _refused, response = await client.send_message(message)
            return response
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0]
            raise _classified(refused.code, refused.message) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise _classified(exc.code, exc.message) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            with contextlib.suppress(Exception):
                client.close()
            raise TemporaryFailure(f"SMTP connection failed: {exc}") from exc
        finally:
            self._idle.put_nowait(client)

    async def close(self) -> None:
        while not self._idle.empty():
            client = self._idle.get_nowait()
            if client.is_connected:
                with contextlib.suppress(Exception):
                    await client.quit()


def _classified(code: int, message: str) -> Exception:
    reason = f"{code} {message}".strip()
    return PermanentFailure(reason) if 500 <= code < 600 else TemporaryFailure(reason)
