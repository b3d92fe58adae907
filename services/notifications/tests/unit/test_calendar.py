"""The mail's .ics: stamped when made, times local to the event's zone with its VTIMEZONE."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from samling_notifications.adapters.email.ics import event_ics

OSLO = ZoneInfo("Europe/Oslo")


def six_hours_from(starts_at: datetime, stamp: datetime, timezone: str | None = None) -> bytes:
    return event_ics(
        event_id="evt_1",
        title="Dialog",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=6),
        sequence=0,
        stamp=stamp,
        timezone=timezone,
    )


@pytest.mark.parametrize(
    "starts_at",
    [
        datetime(2027, 1, 20, 8, tzinfo=UTC),  # 09:00 in Oslo's winter time (UTC+1)
        datetime(2027, 7, 20, 7, tzinfo=UTC),  # 09:00 in Oslo's summer time (UTC+2)
    ],
    ids=["winter", "summer"],
)
def test_the_mail_calendar_reads_nine_local_and_is_stamped_when_made(starts_at: datetime) -> None:
    made = datetime(2026, 12, 1, 12, tzinfo=UTC)
    ics = six_hours_from(starts_at, made, timezone="Europe/Oslo")
    text = ics.decode()
    assert "DTSTART;TZID=Europe/Oslo:" + starts_at.astimezone(OSLO).strftime("%Y%m%d") in text
    assert "DTSTAMP:20261201T120000Z" in text
    calendar = Calendar.from_ical(ics)
    zone: Any
    entry: Any
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["tzid"] == "Europe/Oslo"
    [entry] = calendar.walk("VEVENT")
    assert entry["dtstamp"].dt == made <= datetime.now(UTC)
    assert entry["dtstart"].params["TZID"] == "Europe/Oslo"
    assert entry["dtstart"].dt.hour == 9
    assert entry["dtend"].dt.hour == 15
    assert entry["dtstart"].dt == starts_at
    # The VTIMEZONE itself (not the parser's own zone database) must give 09:00: read the
    # offset that applies at the start from the STANDARD/DAYLIGHT parts it carries.
    offset = zone.to_tz(lookup_tzid=False).utcoffset(entry["dtstart"].dt.replace(tzinfo=None))
    assert (starts_at + offset).hour == 9


def test_the_mail_calendar_defaults_to_oslo_time() -> None:
    start = datetime(2027, 2, 10, 8, tzinfo=UTC)
    ics = six_hours_from(start, start - timedelta(days=30)).decode()
    assert "DTSTART;TZID=Europe/Oslo:20270210T090000" in ics
