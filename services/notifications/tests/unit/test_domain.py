"""Pure rules: channels and digests by preference, ids, backoff, calendar, SSRF guard, links,
templates in five languages with fallback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from samling_contracts.vocabulary import Channel
from samling_notifications.adapters.email.ics import event_ics
from samling_notifications.adapters.email.render import render
from samling_notifications.adapters.webhooks_out import check_target
from samling_notifications.domain.links import sign_recipient, verify_recipient
from samling_notifications.domain.notices import (
    Digest,
    Kind,
    Preferences,
    next_digest_at,
    notification_id,
    retry_delay,
)
from samling_notifications.domain.webhooks import (
    PUBLIC_ONLY,
    TargetPolicy,
    UnsafeTarget,
    check_url_shape,
)


def test_channels_follow_preferences_but_own_registrations_always_email() -> None:
    off = Preferences(recipient_id="p", email=False, unsubscribed=True)
    assert off.channels_for(Kind.EVENT_INVITATION) == []
    assert off.channels_for(Kind.REGISTRATION_CONFIRMED) == [Channel.INBOX, Channel.EMAIL]
    assert Preferences(recipient_id="p", inbox=False).channels_for(Kind.ANNOUNCEMENT) == [
        Channel.EMAIL
    ]
    assert Preferences(recipient_id="p").channels_for(Kind.DIGEST) == [Channel.EMAIL]


def test_only_subscribed_notices_are_digested() -> None:
    daily = Preferences(recipient_id="p", digest=Digest.DAILY)
    assert daily.digest_for(Kind.REPORT_PUBLISHED) is Digest.DAILY
    assert daily.digest_for(Kind.EVENT_CANCELLED) is Digest.IMMEDIATE
    assert daily.digest_for(Kind.REGISTRATION_PROMOTED) is Digest.IMMEDIATE


def test_digest_times() -> None:
    monday_noon = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert next_digest_at(monday_noon, Digest.DAILY) == datetime(2026, 11, 24, 7, tzinfo=UTC)
    assert next_digest_at(monday_noon, Digest.WEEKLY) == datetime(2026, 11, 30, 7, tzinfo=UTC)


def test_notification_ids_are_deterministic_per_recipient_fact_kind_and_channel() -> None:
    one = notification_id("p1", "e1", "announcement", "email")
    assert one == notification_id("p1", "e1", "announcement", "email")
    assert (
        len(
            {
                one,
                notification_id("p1", "e1", "announcement", "inbox"),
                notification_id("p2", "e1", "announcement", "email"),
            }
        )
        == 3
    )


def test_backoff_grows_and_is_capped() -> None:
    delays = [retry_delay(n, base=30, cap=3600, jitter=0) for n in range(1, 10)]
    assert delays[0] == timedelta(seconds=30)
    assert delays[1] == timedelta(seconds=60)
    assert delays[-1] == timedelta(seconds=3600)
    assert retry_delay(1, base=30, cap=3600, jitter=0.5) == timedelta(seconds=45)


def test_the_calendar_entry_keeps_its_uid_and_carries_the_sequence() -> None:
    start = datetime(2027, 2, 10, 8, tzinfo=UTC)
    common: dict[str, Any] = {
        "event_id": "evt_1",
        "title": "Dialog",
        "starts_at": start,
        "ends_at": start + timedelta(hours=6),
        "stamp": start,
    }
    first = event_ics(**common, sequence=0).decode()
    cancelled = event_ics(**common, sequence=3, cancelled=True).decode()
    assert "UID:evt_1@samling.no" in first
    assert "UID:evt_1@samling.no" in cancelled
    assert "SEQUENCE:3" in cancelled
    assert "METHOD:CANCEL" in cancelled
    assert "STATUS:CANCELLED" in cancelled


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.no/x",
        "https://127.0.0.1/x",
        "https://10.0.0.5/x",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/x",
        "https://localhost/x",
        "https://user:pw@hooks.example.no/x",
        "ftp://hooks.example.no/x",
    ],
)
def test_the_ssrf_guard_refuses_private_and_odd_targets(url: str) -> None:
    with pytest.raises(UnsafeTarget):
        check_url_shape(url, PUBLIC_ONLY)


async def test_names_resolving_to_loopback_are_refused_unless_allowed() -> None:
    with pytest.raises(UnsafeTarget):
        await check_target("https://localhost.localdomain.invalid.localhost/x", PUBLIC_ONLY)
    await check_target("http://127.0.0.1:9/x", TargetPolicy(private=True))
    assert check_url_shape("https://hooks.example.no/x", PUBLIC_ONLY) == "hooks.example.no"


def test_unsubscribe_links_are_signed() -> None:
    token = sign_recipient("con_1", "secret")
    assert verify_recipient(token, "secret") == "con_1"
    assert verify_recipient(token, "other") is None
    assert verify_recipient(token + "x", "secret") is None


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("nb", "Avlyst: Dialog"),
        ("nn", "Avlyst: Dialog"),
        ("sv", "Inställt: Dialog"),
        ("da", "Aflyst: Dialog"),
        ("en", "Cancelled: Dialog"),
        ("fi", "Cancelled: Dialog"),
        (None, "Cancelled: Dialog"),
    ],
)
def test_every_language_has_its_words_and_others_fall_back(
    language: str | None, subject: str
) -> None:
    rendered = render(
        "event.cancelled", language, {"title": "Dialog <b>", "name": "Åse", "reason": None}
    )
    assert rendered.subject == subject + " <b>"
    assert "&lt;b&gt;" in rendered.html  # what people typed is escaped in HTML
    assert "Åse" in rendered.text


@pytest.mark.parametrize(
    ("language", "said"), [("nb", "Beskjed: Innleder er syk."), ("en", "Message: Innleder er syk.")]
)
def test_a_new_time_carries_the_organisers_message_when_there_is_one(
    language: str, said: str
) -> None:
    context = {"title": "Dialog", "name": "Åse", "previous": "10. feb. 2027, 09:00"}
    told = render("event.rescheduled", language, {**context, "reason": "Innleder er syk."})
    silent = render("event.rescheduled", language, {**context, "reason": None})
    assert said in told.text
    assert said.split(":")[0] not in silent.text


def test_every_kind_has_words() -> None:
    # Their translations into every language: tests/unit/test_mail_catalogues.py.
    from samling_notifications.adapters.email.texts import NOTICES

    assert set(NOTICES) == {str(k) for k in Kind}
