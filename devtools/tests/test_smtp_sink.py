"""The SMTP sink receives real SMTP mail and shows it in its HTTP mailbox."""

import asyncio
from collections.abc import Iterator
from email.message import EmailMessage

import aiosmtplib
import httpx
import pytest
from samling_devtools.processes import free_port
from samling_devtools.smtp_sink import SLOW_ANSWER_SECONDS, SmtpSink


@pytest.fixture
def sink(tmp_path: object) -> Iterator[SmtpSink]:
    from pathlib import Path

    s = SmtpSink("127.0.0.1", free_port(), free_port(), maildir=Path(str(tmp_path)) / "md").start()
    yield s
    s.stop()


def _message(to: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "noreply@samling.test"
    message["To"] = to
    message["Subject"] = "Påmelding bekreftet"
    message["Message-ID"] = "<ntf_1@samling.test>"
    message.set_content("Hei Kari")
    message.add_alternative("<p>Hei Kari</p>", subtype="html")
    message.add_attachment(
        "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        subtype="calendar",
        filename="event.ics",
    )
    return message


async def test_mail_arrives_parsed_over_http_and_in_the_maildir(sink: SmtpSink) -> None:
    await aiosmtplib.send(_message("kari@example.no"), hostname=sink.host, port=sink.port)
    async with httpx.AsyncClient() as client:
        listed = (await client.get(sink.mailbox_url, params={"to": "kari@example.no"})).json()
        assert len(listed) == 1
        mail = listed[0]
        assert mail["subject"] == "Påmelding bekreftet"
        assert mail["text"].strip() == "Hei Kari"
        assert mail["html"].strip() == "<p>Hei Kari</p>"
        assert [a["filename"] for a in mail["attachments"]] == ["event.ics"]
        assert mail["headers"]["Message-ID"] == "<ntf_1@samling.test>"
        count = (await client.get(sink.mailbox_url.replace("/messages", "/count"))).json()
        assert count == {"received": 1, "distinct_message_ids": 1}
        assert (await client.delete(sink.mailbox_url)).status_code == 200
        assert (await client.get(sink.mailbox_url)).json() == []
    assert sink.box.maildir is not None
    assert len(list((sink.box.maildir / "new").iterdir())) == 1


async def test_reject_and_tempfail_addresses_are_refused(sink: SmtpSink) -> None:
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
        await aiosmtplib.send(_message("ola+reject@example.no"), hostname=sink.host, port=sink.port)
    assert refused.value.recipients[0].code == 550
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as deferred:
        await aiosmtplib.send(
            _message("ola+tempfail@example.no"), hostname=sink.host, port=sink.port
        )
    assert deferred.value.recipients[0].code == 451
    assert sink.count() == 0


async def test_a_slow_address_is_kept_before_it_is_answered(sink: SmtpSink) -> None:
    sending = asyncio.create_task(
        aiosmtplib.send(_message("ola+slow@example.no"), hostname=sink.host, port=sink.port)
    )
    await asyncio.sleep(SLOW_ANSWER_SECONDS / 2)
    assert not sending.done()
    assert sink.count() == 1  # kept, not yet answered
    await sending


async def test_a_long_subject_folded_by_the_sender_reads_as_written(sink: SmtpSink) -> None:
    subject = "Nytt fra Skoleledernettverket i Salten: Dialogkonferanse i Fauske 12. mars"
    message = _message("ola@example.no")
    message.replace_header("Subject", subject)
    await aiosmtplib.send(message, hostname=sink.host, port=sink.port)
    (mail,) = sink.messages(to="ola@example.no")
    assert mail.to_json()["subject"] == subject
    assert mail.to_json()["headers"]["Subject"] == subject
