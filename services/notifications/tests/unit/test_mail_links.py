"""Where a mail's links lead: pages of the web app; only List-Unsubscribe stays on the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from samling_notifications.adapters.email import prototype
from samling_notifications.adapters.email.links import MailLinks
from samling_notifications.domain.links import verify_recipient
from samling_notifications.settings import NotificationsSettings
from samling_runtime.reader_links import verify_reader_link

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SETTINGS = NotificationsSettings(
    app_url="https://samling.example/", public_url="https://api.samling.example/notifications"
)
LINKS = MailLinks(SETTINGS)
EVENT = {"title": "Dialogkonferanse", "starts_at": "2027-02-10T08:00:00+00:00",
         "ends_at": "2027-02-10T14:00:00+00:00", "timezone": "Europe/Oslo"}  # fmt: skip


def notice(kind: str, refs: dict[str, str], params: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "_id": "ntf_1",
        "kind": kind,
        "recipient_id": "con_1",
        "source_event_id": "fact-1",
        "refs": refs,
        "params": params or {},
    }


def mail(doc: dict[str, Any], person: prototype.Personal, **options: Any) -> EmailMessage:
    proto = prototype.build(
        doc,
        language="nn",
        links={"page_url": LINKS.page(doc)},
        sender="Samling <noreply@samling.no>",
        ics=None,
        with_name=True,
        **options,
    )
    assert proto is not None
    message: EmailMessage = message_from_bytes(
        proto.message_for(person, NOW), policy=policy.default
    )
    return message


def bodies(message: EmailMessage) -> str:
    return "\n".join(
        str(part.get_content())
        for part in message.walk()
        if part.get_content_type() in ("text/plain", "text/html")
    )


def test_each_notice_links_to_its_page_in_the_web_app() -> None:
    assert LINKS.page(notice("event.invitation", {"event_id": "evt_1"})) == (
        "https://samling.example/events/evt_1"
    )
    assert LINKS.page(notice("report.published", {"report_id": "rep_1"})) == (
        "https://samling.example/reports/rep_1"
    )
    announcement = notice("announcement", {"network_id": "net_1", "announcement_id": "ann_1"})
    assert LINKS.page(announcement) == "https://samling.example/networks/net_1"
    assert LINKS.page(notice("digest", {})) is None


def test_an_invitation_has_a_register_link_and_the_footer_goes_to_the_preferences_page() -> None:
    person = prototype.Personal(
        "ntf_1",
        "Åse",
        "ase@example.no",
        LINKS.preferences("con_1"),
        None,
        unsubscribe_url=LINKS.one_click("con_1"),
    )
    message = mail(
        notice("event.invitation", {"event_id": "evt_1"}, EVENT),
        person,
        with_manage=False,
        unsubscribe=True,
    )
    text = bodies(message)
    assert "Meld på deltakarar: https://samling.example/events/evt_1" in text
    assert '<a href="https://samling.example/events/evt_1">Meld på deltakarar</a>' in text
    footer = person.preferences_url or ""
    assert footer.startswith("https://samling.example/preferences/")
    assert verify_recipient(footer.rsplit("/", 1)[1], "dev-only-insecure-secret-change-me")
    assert footer in text
    # RFC 8058: the mail client POSTs to the API; it is not the footer's page.
    assert message["List-Unsubscribe"] == (
        f"<https://api.samling.example/notifications/unsubscribe?token={footer.rsplit('/', 1)[1]}>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "api.samling.example" not in text


def test_the_follow_up_links_the_evaluation_under_the_participants_private_link() -> None:
    manage = "https://samling.example/r/abc.def.ghi"
    person = prototype.Personal("ntf_1", "Per", "per@example.no", None, manage)
    message = mail(
        notice("event.followup", {"event_id": "evt_1"}, EVENT),
        person,
        with_manage=True,
        unsubscribe=False,
    )
    text = bodies(message)
    assert f"{manage}/evaluation" in text
    assert f"{manage}\n" in text.replace("\r\n", "\n")  # "my registration" too
    assert "/reports/new" not in text


def test_a_members_only_report_link_carries_the_recipients_signed_reader_link() -> None:
    scope = {"region_id": "rkk-salten", "visibility": "network"}
    doc = notice("report.published", {"report_id": "rep_1"}, {"report": "Lesevenner"})
    now = datetime.now(UTC)  # the signature's expiry is checked against the real clock
    token = LINKS.reader("rep_1", "con_1", scope, now)
    person = prototype.Personal("ntf_1", "Åse", "ase@example.no", None, None, reader_token=token)
    message = mail(doc, person, with_manage=False, unsubscribe=False, with_reader=True)
    text = bodies(message)
    assert f"https://samling.example/reports/rep_1?t={token}" in text
    secret = SETTINGS.reader_link_secret.get_secret_value()
    link = verify_reader_link(token, secret, "rep_1")
    assert link is not None
    assert (link.recipient_id, link.region_id) == ("con_1", "rkk-salten")
    assert verify_reader_link(token, secret, "rep_2") is None  # another report
    expired = LINKS.reader("rep_1", "con_1", scope, now - timedelta(days=31))
    assert verify_reader_link(expired, secret, "rep_1") is None
