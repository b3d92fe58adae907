"""A fan-out e-mail built once and addressed per person reads exactly like one rendered for
that person from scratch (the templates, then the MIME message)."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from samling_notifications.adapters.email import prototype
from samling_notifications.adapters.email.compose import email_message, render_notice

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
NOTICE: dict[str, Any] = {
    "_id": "ntf_0123456789abcdef01234567",
    "kind": "event.invitation",
    "recipient_id": "con_1",
    "source_event_id": "evt-fact-1",
    "refs": {"event_id": "evt_1"},
    "params": {
        "title": "Dialogkonferanse <våren> & mer",
        "starts_at": "2027-02-10T08:00:00+00:00",
        "ends_at": "2027-02-10T14:00:00+00:00",
        "timezone": "Europe/Oslo",
        "venue": "Bodø rådhus",
        "network": "Nettverk Salten",
    },
}
LINKS: dict[str, str | None] = {"page_url": "http://127.0.0.1:8000/events/evt_1"}
ICS = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


def parsed(data: bytes) -> EmailMessage:
    message: EmailMessage = message_from_bytes(data, policy=policy.default)
    return message


def reference(
    notice: dict[str, Any], name: str, address: str, language: str, url: str | None, **kw: Any
) -> EmailMessage:
    recipient = {"name": name, "manage_url": kw.get("manage")}
    rendered = render_notice(
        notice,
        recipient=recipient,
        language=language,
        links={**LINKS, "preferences_url": url},
        has_calendar=kw.get("ics") is not None,
    )
    message = email_message(
        notice,
        rendered,
        sender="Samling <noreply@samling.no>",
        to_name=name,
        to_address=address,
        now=NOW,
        unsubscribe_url=url,
        ics=kw.get("ics"),
    )
    return parsed(message.as_bytes())


def parts(message: EmailMessage) -> list[tuple[str, Any]]:
    """Each part's type and decoded content, line ends as SMTP carries them (CRLF)."""

    def content(part: EmailMessage) -> Any:
        value = part.get_content()
        return (
            value.replace("\r\n", "\n").replace("\n", "\r\n") if isinstance(value, str) else value
        )

    return [
        (part.get_content_type(), content(part))
        for part in message.walk()
        if not part.is_multipart()
    ]


@pytest.mark.parametrize(
    ("name", "language", "url"),
    [
        ("Åse Kråkenes", "nb", "http://127.0.0.1:8003/unsubscribe?token=a.b-c_d&x=1"),
        ('Ola "O\'Neil" <Nordmann> & co', "nn", "http://x/unsubscribe?token=t"),
        ("", "sv", "http://x/unsubscribe?token=t"),
        ("Jane Doe", "en", None),
    ],
)
def test_a_prototype_addressed_to_a_person_equals_the_mail_rendered_for_them(
    name: str, language: str, url: str | None
) -> None:
    proto = prototype.build(
        NOTICE,
        language=language,
        links=LINKS,
        sender="Samling <noreply@samling.no>",
        ics=ICS,
        with_name=bool(name),
        with_manage=False,
        unsubscribe=url is not None,
    )
    assert proto is not None
    person = prototype.Personal(
        NOTICE["_id"], name, "someone@example.no", url, None, unsubscribe_url=url
    )
    fast = parsed(proto.message_for(person, NOW))
    slow = reference(NOTICE, name, "someone@example.no", language, url, ics=ICS)
    for header in (
        "From",
        "To",
        "Subject",
        "Message-ID",
        "Date",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
        "Content-Language",
        "X-Samling-Kind",
        "Auto-Submitted",
    ):
        assert str(fast.get(header)) == str(slow.get(header)), header
    assert parts(fast) == parts(slow)
    assert fast.get_content_type() == slow.get_content_type() == "multipart/mixed"


def test_the_registration_link_of_each_participant_is_their_own() -> None:
    notice = {**NOTICE, "kind": "registration.confirmed"}
    proto = prototype.build(
        notice,
        language="nb",
        links=LINKS,
        sender="Samling <noreply@samling.no>",
        ics=None,
        with_name=True,
        with_manage=True,
        unsubscribe=False,
    )
    assert proto is not None
    manage = "https://app.example/registrations/r1?token=abc&x=<1>"
    person = prototype.Personal(notice["_id"], "Kari", "kari@example.no", None, manage)
    fast = parsed(proto.message_for(person, NOW))
    slow = reference(notice, "Kari", "kari@example.no", "nb", None, manage=manage)
    assert parts(fast) == parts(slow)
    assert "List-Unsubscribe" not in fast
