"""Mailpit receives real SMTP mail, and tests read it through its REST API."""

import uuid
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import httpx
import pytest
from samling_devtools.mailpit import Mailpit
from samling_devtools.testing import eventually

pytestmark = pytest.mark.integration


def _message(to: str, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Samling <noreply@samling.test>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<ntf_{uuid.uuid4().hex}@samling.test>"
    message.set_content("Hei Kari")
    message.add_alternative("<p>Hei Kari</p>", subtype="html")
    message.add_attachment(
        "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", subtype="calendar", filename="event.ics"
    )
    return message


async def test_mail_sent_over_smtp_is_read_back_per_recipient(mailbox: Mailpit) -> None:
    kari = f"kari.{uuid.uuid4().hex[:8]}@example.no"
    ola = f"ola.{uuid.uuid4().hex[:8]}@example.no"
    long_subject = "Påmelding bekreftet: " + "Dialogkonferanse om tidlig innsats " * 3
    first = _message(kari, long_subject)
    for message in (first, _message(ola, "Venteliste"), _message(kari, "Påminnelse")):
        await aiosmtplib.send(message, hostname=mailbox.host, port=mailbox.port)

    async def both_for_kari() -> list[Any]:
        found = mailbox.messages(to=kari)
        return found if len(found) == 2 else []

    await eventually(both_for_kari, timeout=10)
    received = mailbox.messages(to=kari)
    assert [m.to_json()["subject"] for m in received] == [long_subject.strip(), "Påminnelse"]
    assert received[0].rcpt_tos == (kari,)
    assert received[0].message_id == first["Message-ID"]
    shown = received[0].to_json()
    assert shown["text"].strip() == "Hei Kari"
    assert shown["html"].strip() == "<p>Hei Kari</p>"
    assert [a["filename"] for a in shown["attachments"]] == ["event.ics"]
    assert [m.to_json()["subject"] for m in mailbox.messages(to=ola)] == ["Venteliste"]
    assert mailbox.count() >= 3


async def test_developers_see_the_mails_in_the_web_ui(mailbox: Mailpit) -> None:
    async with httpx.AsyncClient() as client:
        page = await client.get(mailbox.web_url)
    assert page.status_code == 200
    assert "Mailpit" in page.text
