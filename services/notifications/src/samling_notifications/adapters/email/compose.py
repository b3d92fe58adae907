"""A notice as an e-mail: context for the templates, headers, the .ics attachment."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

from samling_notifications.adapters.email.links import evaluation, page_label, transfer_plan
from samling_notifications.adapters.email.render import Rendered, format_moment, render
from samling_notifications.domain.notices import Kind, RecipientType
from samling_runtime.mongo import Document

MANAGE_KINDS = frozenset(
    {
        Kind.REGISTRATION_CONFIRMED,
        Kind.REGISTRATION_WAITLISTED,
        Kind.REGISTRATION_PROMOTED,
        Kind.REGISTRATION_APPROVED,
        Kind.EVENT_UPDATED,
        Kind.EVENT_RESCHEDULED,
        Kind.EVENT_REMINDER,
        Kind.ASSIGNMENT_ASSIGNED,
        Kind.ASSIGNMENT_REMINDER,
        Kind.EVENT_FOLLOWUP,
        Kind.TRANSFER_MANAGER_NAMED,
        Kind.TRANSFER_REMINDER,
    }
)
"""Kinds whose mail carries the recipient's private link (``manage_url``)."""


def for_manager(recipient: Document | None) -> bool:
    return (recipient or {}).get("type") == str(RecipientType.MANAGER)


def private_link(kind: Kind, notice: Document, recipient: Document | None) -> str | None:
    """The recipient's own link in a mail of ``kind``: their registrations, or for a transfer
    plan's mail the plan (the manager's ``manage_url`` is their link to it; the participant's
    is the plan's page under theirs)."""
    manage: str | None = (recipient or {}).get("manage_url") if kind in MANAGE_KINDS else None
    if manage is None or not kind.about_transfer_plan or for_manager(recipient):
        return manage
    registration = (notice.get("refs") or {}).get("registration_id")
    return transfer_plan(manage, registration) if registration else None


def template_context(
    notice: Document,
    *,
    recipient: Document | None,
    language: str,
    links: dict[str, str | None],
    items: list[str] | None = None,
) -> dict[str, Any]:
    params: dict[str, Any] = notice.get("params") or {}
    kind = Kind(notice["kind"])
    tz = params.get("timezone")

    def moment(key: str) -> str | None:
        return format_moment(params[key], language, tz) if params.get(key) else None

    manage_url = private_link(kind, notice, recipient)
    when = None
    if params.get("starts_at"):
        end = format_moment(params["ends_at"], language, tz)
        when = f"{moment('starts_at')} \N{EN DASH} {end}"
    return {
        "name": (recipient or {}).get("name") or "",
        "title": params.get("title") or "",
        "network": params.get("network") or "",
        "when": when,
        "where": params.get("venue"),
        "online_url": params.get("online_url"),
        "headline": params.get("headline"),
        "text": params.get("text"),
        "report": params.get("report"),
        "position": params.get("position"),
        "offer_until": moment("offer_expires_at"),
        "reason": params.get("reason"),
        "previous": moment("previous_starts_at"),
        "task": params.get("task"),
        "due": moment("due_at"),
        "event_url": params.get("event_url"),
        "items": items or [],
        "manage_url": manage_url,
        "evaluation_url": evaluation(manage_url)
        if manage_url and kind is Kind.EVENT_FOLLOWUP
        else None,
        "page_label": page_label(kind),
        "manage_label": "plan" if kind.about_transfer_plan else "manage",
        "conversation": params.get("conversation"),
        "participant": params.get("participant"),
        "for_manager": for_manager(recipient),
        **links,
    }


def render_notice(
    notice: Document,
    *,
    recipient: Document | None,
    language: str,
    links: dict[str, str | None],
    has_calendar: bool,
    items: list[str] | None = None,
) -> Rendered:
    context = template_context(
        notice, recipient=recipient, language=language, links=links, items=items
    )
    context["has_calendar"] = has_calendar
    return render(notice["kind"], language, context)


def email_message(
    notice: Document,
    rendered: Rendered,
    *,
    sender: str,
    to_name: str | None,
    to_address: str,
    now: datetime,
    unsubscribe_url: str | None,
    ics: bytes | None,
    domain: str = "samling.no",
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((to_name or "", to_address))
    message["Subject"] = rendered.subject
    message["Message-ID"] = f"<{notice['_id']}@{domain}>"
    message["Date"] = format_datetime(now)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Samling-Kind"] = notice["kind"]
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    if ics is not None:
        message.add_attachment(ics, maintype="text", subtype="calendar", filename="event.ics")
    # After the body: setting content clears every Content-* header set before it.
    message["Content-Language"] = rendered.language
    return message
