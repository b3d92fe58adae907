"""Notices' edge cases: e-mail switched off, a digest due later the same day, the transfer
notices' links, a private report no endpoint but its author's hears of, and a fact type no
rule names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from samling_contracts.events import ParticipantContactRecorded
from samling_contracts.notifications import WebhookEndpointDisabled
from samling_contracts.vocabulary import Channel, Visibility
from samling_notifications.domain.notices import Digest, Kind, Preferences, next_digest_at
from samling_notifications.domain.visibility import (
    EndpointOwner,
    ReportScope,
    may_read_report,
    may_receive,
)


def test_without_e_mail_a_subscribed_notice_reaches_the_inbox_only() -> None:
    no_mail = Preferences(recipient_id="p", email=False)
    assert no_mail.channels_for(Kind.ANNOUNCEMENT) == [Channel.INBOX]
    assert no_mail.channels_for(Kind.DIGEST) == []
    assert no_mail.channels_for(Kind.REGISTRATION_CANCELLED) == [Channel.INBOX, Channel.EMAIL]
    nothing = Preferences(recipient_id="p", email=False, inbox=False)
    assert nothing.channels_for(Kind.EVENT_UPDATED) == []


def test_a_digest_asked_for_before_its_hour_goes_out_the_same_day() -> None:
    tuesday_early = datetime(2026, 11, 24, 5, 30, tzinfo=UTC)
    assert next_digest_at(tuesday_early, Digest.DAILY) == datetime(2026, 11, 24, 7, tzinfo=UTC)
    assert next_digest_at(tuesday_early, Digest.WEEKLY) == datetime(2026, 11, 30, 7, tzinfo=UTC)
    monday_early = datetime(2026, 11, 30, 6, 59, tzinfo=UTC)
    assert next_digest_at(monday_early, Digest.WEEKLY) == datetime(2026, 11, 30, 7, tzinfo=UTC)
    on_the_hour = datetime(2026, 11, 30, 7, tzinfo=UTC)
    assert next_digest_at(on_the_hour, Digest.DAILY) == datetime(2026, 12, 1, 7, tzinfo=UTC)


@pytest.mark.parametrize("kind", list(Kind))
def test_only_the_transfer_notices_open_a_plan(kind: Kind) -> None:
    expected = kind in (Kind.TRANSFER_MANAGER_NAMED, Kind.TRANSFER_REMINDER)
    assert kind.about_transfer_plan is expected
    if expected:
        assert kind.about_own_registration
        assert kind.transactional


def test_a_private_report_is_read_by_its_author_alone() -> None:
    private = ReportScope("NO-1838", "rkk-salten", frozenset({"net_a"}), Visibility.PRIVATE)
    member = EndpointOwner("NO-1804", "rkk-salten", frozenset({"net_a"}))
    assert not may_read_report(member, private)
    assert not may_read_report(EndpointOwner(), private)
    assert may_read_report(EndpointOwner("NO-1838", "rkk-salten"), private)


def test_a_fact_no_rule_names_is_sent_to_nobody() -> None:
    bodo = EndpointOwner("NO-1804", "rkk-salten", frozenset({"net_a"}))
    unlisted = [
        ParticipantContactRecorded(
            participant_id="par_1",
            name="Kari",
            email="kari@bodo.kommune.no",
            language="nb",
            manage_url="https://samling.example/r/abc",
        ),
        WebhookEndpointDisabled(endpoint_id="whk_1", owner_id="NO-1804", reason="410 Gone"),
    ]
    for fact in unlisted:
        assert not may_receive(bodo, fact, taking_part=frozenset({"NO-1804"}))
