"""One rendered e-mail per (notice kind, language, fact), addressed to many people.

A fan-out sends the same words to thousands of people; only the greeting's name, the signed
preferences link, the registration link and the envelope headers differ. So the templates are
rendered and the MIME message is built and serialised **once** with placeholders in those
spots, and each person's message is the serialised bytes with the placeholders replaced
(HTML-escaped in the HTML part, as the template would have escaped them) plus their own
``To``, ``Message-ID``, ``Date`` and ``List-Unsubscribe`` headers. (A report only members may
read also gets each person's signed reader link in its page link.) The bodies are 8-bit
(``BODY=8BITMIME``) so the placeholders survive serialisation byte for byte;
``tests/unit/test_prototype.py`` checks that a substituted message reads exactly like one
rendered for the person from scratch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

from markupsafe import escape
from samling_notifications.adapters.email.compose import MANAGE_KINDS, template_context
from samling_notifications.adapters.email.links import READER_QUERY
from samling_notifications.adapters.email.render import Rendered, render
from samling_notifications.domain.notices import Kind

_NAME = "ZqSamlingNameQz"
_PREFS = "https://zq.invalid/samling-preferences-qz"
_MANAGE = "https://zq.invalid/samling-manage-qz"
_READER = "ZqSamlingReaderQz"
_TEXT, _HTML = "t", "h"
LONGEST_LINE = 998
"""SMTP's line limit: a body line longer than this cannot go out as 8-bit."""


def _marker(base: str, part: str) -> str:
    return base.replace("Qz", f"{part}Qz").replace("-qz", f"-{part}qz")


_ENCODED = {
    (base, part): _marker(base, part).encode()
    for base in (_NAME, _PREFS, _MANAGE, _READER)
    for part in (_TEXT, _HTML)
}
"""The placeholders as they stand in the serialised message (looked up per mail)."""


@dataclass(frozen=True)
class Personal:
    """What differs between two people receiving the same notice."""

    notification_id: str
    name: str
    address: str
    preferences_url: str | None
    manage_url: str | None
    unsubscribe_url: str | None = None
    """One-click unsubscribe (``List-Unsubscribe``): the API, where the footer's is a page."""
    reader_token: str | None = None
    """Their signed reader link of a report only members may read."""


@dataclass(frozen=True)
class Prototype:
    """The serialised message with placeholders, and the headers every copy gets."""

    body: bytes
    subject: str
    language: str
    unsubscribe: bool
    domain: str

    def message_for(self, person: Personal, now: datetime) -> bytes:
        name = " ".join(person.name.split())  # no line breaks from a name into a header
        values = {
            _NAME: name,
            _PREFS: person.preferences_url or "",
            _MANAGE: person.manage_url or "",
            _READER: person.reader_token or "",
        }
        out = self.body
        for part, render_value in ((_TEXT, str), (_HTML, lambda v: str(escape(v)))):
            for base, value in values.items():
                out = out.replace(_ENCODED[base, part], render_value(value).encode())
        headers = [
            f"To: {formataddr((name, person.address), charset='utf-8')}",
            f"Message-ID: <{person.notification_id}@{self.domain}>",
            f"Date: {format_datetime(now)}",
        ]
        if self.unsubscribe and person.unsubscribe_url:
            headers.append(f"List-Unsubscribe: <{person.unsubscribe_url}>")
            headers.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        return ("\r\n".join(headers) + "\r\n").encode() + out


def _render_part(
    notice: dict[str, Any],
    part: str,
    *,
    language: str,
    links: dict[str, str | None],
    has_calendar: bool,
    with_name: bool,
    with_manage: bool,
    with_preferences: bool,
    with_reader: bool,
    items: list[str] | None,
    recipient_type: str | None,
) -> Rendered:
    recipient = {
        "name": _marker(_NAME, part) if with_name else "",
        "manage_url": _marker(_MANAGE, part) if with_manage else None,
        "type": recipient_type,
    }
    if with_reader and links.get("page_url"):
        links = {
            **links,
            "page_url": f"{links['page_url']}?{READER_QUERY}={_marker(_READER, part)}",
        }
    context = template_context(
        notice, recipient=recipient, language=language, links=links, items=items
    )
    context["preferences_url"] = _marker(_PREFS, part) if with_preferences else None
    context["has_calendar"] = has_calendar
    return render(notice["kind"], language, context)


def build(
    notice: dict[str, Any],
    *,
    language: str,
    links: dict[str, str | None],
    sender: str,
    ics: bytes | None,
    with_name: bool,
    with_manage: bool,
    unsubscribe: bool,
    items: list[str] | None = None,
    with_reader: bool = False,
    recipient_type: str | None = None,
    domain: str = "samling.no",
) -> Prototype | None:
    """The prototype of ``notice``'s e-mail; None when it cannot go out as 8-bit.
    ``recipient_type``: a transfer plan's mail reads differently to the manager."""
    kind = Kind(notice["kind"])
    options = {
        "language": language,
        "links": links,
        "has_calendar": ics is not None,
        "with_name": with_name,
        "with_manage": with_manage and kind in MANAGE_KINDS,
        "with_preferences": unsubscribe,
        "with_reader": with_reader,
        "items": items,
        "recipient_type": recipient_type,
    }
    text = _render_part(notice, _TEXT, **options)  # type: ignore[arg-type]
    html = _render_part(notice, _HTML, **options)  # type: ignore[arg-type]
    if any(
        len(line) > LONGEST_LINE // 2
        for body in (text.text, html.html)
        for line in body.splitlines()
    ):
        return None  # room for the longest name or link a person can bring
    message = EmailMessage()
    message["From"] = sender
    message["Subject"] = text.subject
    message["Auto-Submitted"] = "auto-generated"
    message["X-Samling-Kind"] = notice["kind"]
    message.set_content(text.text, cte="8bit")
    message.add_alternative(html.html, subtype="html", cte="8bit")
    if ics is not None:
        message.add_attachment(ics, maintype="text", subtype="calendar", filename="event.ics")
    message["Content-Language"] = text.language
    body = message.as_bytes(policy=policy.SMTP.clone(cte_type="8bit"))
    return Prototype(body, text.subject, text.language, unsubscribe, domain)
