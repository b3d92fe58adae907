"""Every calendar feed: stamped when made, in the event's local time with its VTIMEZONE."""

from datetime import datetime
from typing import Any

import pytest
from icalendar import Calendar
from samling_devtools.testing import RunningService
from samling_runtime.clock import ManualClock

from .conftest import COORDINATOR, SeedNetwork, applicant, published_event
from .test_registration import register, token_for

pytestmark = pytest.mark.integration

WINTER = ("2027-02-10T09:00:00+01:00", "2027-02-10T15:00:00+01:00")
SUMMER = ("2027-07-08T09:00:00+02:00", "2027-07-08T15:00:00+02:00")


async def test_every_feed_gives_local_times_with_their_zone_and_a_stamp_of_now(
    events: RunningService, seed_network: SeedNetwork, clock: ManualClock
) -> None:
    network_id = await seed_network(["NO-1804"])
    ids = [
        await published_event(events, network_id, starts_at=start, ends_at=end)
        for start, end in (WINTER, SUMMER)
    ]
    for event_id in ids:
        reg = await register(events, event_id, applicant(1))
        assert reg.status_code == 201, reg.text
    participant_id = reg.json()["participant_id"]
    feeds = {
        f"/events/{ids[0]}/calendar.ics": 1,
        f"/events/{ids[1]}/calendar.ics": 1,
        f"/calendars/networks/{network_id}.ics": 2,
        "/calendars/municipalities/NO-1804.ics": 2,
        f"/manage/{token_for(events, participant_id)}/calendar.ics": 2,
    }
    for path, count in feeds.items():
        response = await events.client.get(path, headers=COORDINATOR)
        assert response.status_code == 200, (path, response.text)
        text = response.content.decode()
        calendar = Calendar.from_ical(response.content)
        zones: list[Any] = calendar.walk("VTIMEZONE")
        assert [str(z["tzid"]) for z in zones] == ["Europe/Oslo"], path
        # Read the times with the VTIMEZONE the feed carries, not the parser's own zone data.
        oslo = zones[0].to_tz(lookup_tzid=False)
        entries: list[Any] = [
            e for e in calendar.walk("VEVENT") if str(e["uid"]).split("@")[0] in ids
        ]
        assert len(entries) == count, path
        for entry in entries:
            stamp = entry["dtstamp"].dt
            assert stamp == clock.now(), path  # when the feed was made, by the service clock
            assert stamp < entry["dtstart"].dt, path
            for field, hour in (("dtstart", 9), ("dtend", 15)):
                assert entry[field].params["TZID"] == "Europe/Oslo", (path, field)
                local: datetime = entry[field].dt
                assert local.hour == hour, (path, field, local)
                assert local.replace(tzinfo=oslo).utcoffset() == local.utcoffset(), (path, field)
        assert text.count("DTSTART;TZID=Europe/Oslo:") == count, path
        assert "DTSTAMP:20270110T080000Z" in text, path
        assert "BEGIN:VTIMEZONE" in text.split("BEGIN:VEVENT")[0], path
